// What `kubectl syncpool watch` shows: the pools' numbers and states, and per pool what
// runs, what waits and what finished lately. Pure: a frame is a function of the views
// and the time; `signature` leaves the clock out, so a new frame is printed (when not
// redrawing a terminal) only when something happened.
import type { PoolDetail } from '../views/index.js';
import { age, count, humanDuration, percent, text } from './format.js';
import { statusTable } from './status.js';
import { table } from './table.js';

export interface FrameOptions {
  /** Where the pools are: `namespace x` or `all namespaces`. */
  scope: string;
  /** One pool asked for by name (more detail), or all of the scope. */
  pool?: string;
  withNamespace: boolean;
  nowMs: number;
}

export function frame(pools: readonly PoolDetail[], o: FrameOptions): string {
  const when = new Date(o.nowMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const head = `kubectl syncpool watch: ${o.scope}, ${when}`;
  if (pools.length === 0) return `${head}\n\n${o.pool ? `WorkerPool ${o.pool} not found in ${o.scope}` : `No WorkerPools in ${o.scope}.`}`;
  const queueRows = o.pool ? 20 : 5;
  const sections = pools.map((p) => poolSection(p, o, queueRows));
  return [head, '', statusTable(pools, o.withNamespace), ...sections].join('\n');
}

function poolSection(p: PoolDetail, o: FrameOptions, queueRows: number): string {
  const name = o.withNamespace ? `${p.namespace}/${p.name}` : p.name;
  const out = ['', `${name}: ${p.state} (${p.message})`];
  if (p.running.length > 0) {
    out.push(`  running (${p.running.length})`, indent(table(['job', 'task', 'source', 'type', 'age', 'progress', 'heartbeat'], p.running.map((r) => [
      r.job, text(r.task), r.source, r.syncType, age(r.startedAt, o.nowMs),
      r.progress === undefined ? '<none>' : percent(r.progress), r.lastHeartbeat ? `${age(r.lastHeartbeat, o.nowMs)} ago` : '<none>',
    ]))));
  }
  if (p.queue.length > 0) {
    const shown = p.queue.slice(0, queueRows);
    out.push(`  queue (${p.queue.length})`, indent(table(['position', 'task', 'source', 'type', 'priority', 'waiting', 'reason'], shown.map((q) => [
      String(q.position), text(q.task ?? q.job), q.source, q.syncType, String(q.effectivePriority), humanDuration(q.waitingSeconds * 1000), q.reason,
    ]))));
    if (p.queue.length > shown.length) out.push(`    ... and ${count(p.queue.length - shown.length, 'more run')}`);
  }
  if (o.pool && p.recent.length > 0) {
    out.push('  finished lately', indent(table(['task', 'phase', 'finished', 'duration'], p.recent.slice(0, 5).map((f) => [
      f.task, f.phase, `${age(f.finishedAt, o.nowMs)} ago`, f.durationSeconds === undefined ? '<none>' : humanDuration(f.durationSeconds * 1000),
    ]))));
  }
  return out.join('\n');
}

const indent = (block: string) => block.split('\n').map((l) => `    ${l}`).join('\n');

/** The views without what only the clock changes: equal signatures, nothing new to show. */
export function signature(pools: readonly PoolDetail[]): string {
  return JSON.stringify(pools.map((p) => ({
    ...p,
    running: p.running.map(({ ageSeconds: _a, heartbeatAgeSeconds: _h, ...r }) => r),
    queue: p.queue.map(({ waitingSeconds: _w, effectivePriority: _e, ...q }) => q),
  })));
}
