// kubectl syncpool list [--pool P] [--phase Failed,Cancelled] [--source S]: tasks, without
// their parameters.
import { taskPhases } from '../api/syncTask.js';
import { listTasks } from './cluster.js';
import type { Parsed, VerbSpec } from './flags.js';
import { age, text } from './format.js';
import { type Io, println, render } from './output.js';
import { connect, scopeWords } from './session.js';
import { table } from './table.js';
import { byNamespaceAndName, summarizeTask, type TaskSummary } from './tasks.js';
import { UsageError } from './failures.js';

export const spec: VerbSpec = {
  name: 'list',
  args: [],
  summary: 'tasks, filtered by pool, phase or source',
  allNamespaces: true,
  output: true,
  flags: {
    pool: { type: 'string', value: 'POOL', help: 'only tasks of this pool' },
    phase: { type: 'string', value: 'PHASE[,PHASE]', help: `only tasks in these phases (${taskPhases.join(', ')})` },
    source: { type: 'string', value: 'SOURCE', help: 'only tasks syncing from this source' },
  },
};

export function phasesOf(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const wanted = raw.split(',').map((p) => p.trim()).filter(Boolean);
  // People type phases in any case; the API's spelling is what is compared.
  const canonical = wanted.map((p) => taskPhases.find((known) => known.toLowerCase() === p.toLowerCase()));
  const unknown = wanted.filter((_, i) => canonical[i] === undefined);
  if (unknown.length > 0 || wanted.length === 0) {
    throw new UsageError(`list: --phase takes ${taskPhases.join(', ')}; got ${JSON.stringify(raw)}`);
  }
  return new Set(canonical as string[]);
}

export async function run({ common, values }: Parsed, io: Io): Promise<void> {
  const phases = phasesOf(values.phase as string | undefined);
  const s = connect(common);
  const tasks = (await listTasks(s))
    .map(summarizeTask)
    .filter((t) => values.pool === undefined || t.pool === values.pool)
    .filter((t) => values.source === undefined || t.source === values.source)
    .filter((t) => phases === undefined || phases.has(t.phase ?? ''))
    .sort(byNamespaceAndName);
  if (tasks.length === 0 && common.output === 'table') {
    println(io.err, `No SyncTasks found in ${scopeWords(s)}${values.pool || values.phase || values.source ? ' that match' : ''}.`);
    return;
  }
  println(io.out, render(common.output, { tasks }, () => listTable(tasks, s.allNamespaces, Date.now())));
}

export function listTable(tasks: readonly TaskSummary[], withNamespace: boolean, nowMs: number): string {
  const headers = [...(withNamespace ? ['namespace'] : []), 'name', 'pool', 'source', 'type', 'priority', 'phase', 'attempt', 'age'];
  return table(headers, tasks.map((t) => [
    ...(withNamespace ? [t.namespace] : []),
    t.name, t.pool, t.source, t.syncType, String(t.priority), text(t.phase), text(t.attempt), age(t.createdAt, nowMs),
  ]));
}
