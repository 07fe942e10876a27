// kubectl syncpool queue <pool>: the runs waiting in a pool, in the order they will start
// (the operator's own admission plan), why each waits, and when it will probably start.
import { summaryOf } from '../views/index.js';
import { loadState, poolNotFound } from './cluster.js';
import type { Parsed, VerbSpec } from './flags.js';
import { eta, humanDuration, text } from './format.js';
import { type Io, println, render } from './output.js';
import { poolQueue, type QueueRow } from './poolQueue.js';
import { connect } from './session.js';
import { table } from './table.js';

export const spec: VerbSpec = {
  name: 'queue',
  args: ['pool'],
  summary: 'queued runs in admission order, with position, reason and ETA',
  output: true,
};

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  const s = connect(common);
  const nowMs = Date.now();
  const found = poolQueue(await loadState(s, { pool: name }), s.namespace, name!, nowMs);
  if (!found) throw await poolNotFound(s, name!);
  const { pool, queue } = found;
  const summary = summaryOf(pool);
  if (common.output !== 'table') {
    println(io.out, render(common.output, { pool: summary, queue }, () => ''));
    return;
  }
  println(io.out, `Pool ${pool.name}: ${pool.state}, ${pool.message}`);
  if (queue.length > 0) println(io.out, queueTable(queue, nowMs));
  else println(io.out, 'Nothing waits.');
}

export function queueTable(queue: readonly QueueRow[], nowMs: number): string {
  return table(['position', 'task', 'job', 'source', 'type', 'priority', 'waiting', 'reason', 'eta'], queue.map((q) => [
    String(q.position), text(q.task), q.jobCreated ? q.job : `${q.job} (not made yet)`, q.source, q.syncType,
    q.effectivePriority === q.priority ? String(q.priority) : `${q.priority} (+${q.effectivePriority - q.priority})`,
    humanDuration(q.waitingSeconds * 1000), q.reason, eta(q.startsAt === undefined ? undefined : Date.parse(q.startsAt), nowMs),
  ]));
}
