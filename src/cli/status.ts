// kubectl syncpool status [pool]: each pool's cap, what runs, what waits, and a state
// (Available, Busy, Overloaded = the queue builds up, Paused, Invalid) with why.
import { summaryOf, viewPools, type PoolView } from '../views/index.js';
import { loadState, poolNotFound } from './cluster.js';
import type { Parsed, VerbSpec } from './flags.js';
import { percent } from './format.js';
import { type Io, println, render } from './output.js';
import { connect, scopeWords } from './session.js';
import { table } from './table.js';

export const spec: VerbSpec = {
  name: 'status',
  args: ['pool?'],
  summary: 'pools: max / active / queued / utilization and their state',
  allNamespaces: true,
  output: true,
};

export async function run({ common, positionals: [pool] }: Parsed, io: Io): Promise<number | void> {
  const s = connect(common);
  const state = await loadState(s, { pool });
  const pools = viewPools(state, { nowMs: Date.now() })
    .filter((p) => pool === undefined || p.name === pool)
    .map(summaryOf);
  if (pool !== undefined && pools.length === 0) throw await poolNotFound(s, pool);
  if (pools.length === 0 && common.output === 'table') {
    println(io.err, `No WorkerPools found in ${scopeWords(s)}.`);
    return;
  }
  println(io.out, render(common.output, { pools }, () => statusTable(pools, s.allNamespaces)));
}

export function statusTable(pools: readonly PoolView[], withNamespace: boolean): string {
  const headers = [...(withNamespace ? ['namespace'] : []), 'name', 'max', 'active', 'queued', 'util', 'state', 'message'];
  return table(headers, pools.map((p) => [
    ...(withNamespace ? [p.namespace] : []),
    p.name, String(p.maxWorkers), String(p.active), String(p.queued), percent(p.utilization), p.state, p.message,
  ]));
}
