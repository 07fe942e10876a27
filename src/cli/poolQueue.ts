// One pool's view with its queue's expected start times: the read model's positions and
// reasons, plus ETAs from the recent run durations of each source and sync type.
import { byPool, type ClusterState, estimateStarts, type PoolDetail, type QueueEntry, recentDurations, viewPool } from '../views/index.js';

export interface QueueRow extends QueueEntry {
  /** When it will probably start (RFC 3339); absent when that cannot be told (paused pool, no run history). */
  startsAt?: string;
  startsInSeconds?: number;
}

export interface PoolQueue {
  pool: PoolDetail;
  queue: QueueRow[];
}

export function poolQueue(state: ClusterState, namespace: string, name: string, nowMs: number): PoolQueue | undefined {
  const contents = byPool(state).find((c) => c.pool.metadata?.namespace === namespace && c.pool.metadata?.name === name);
  if (!contents) return undefined;
  const pool = viewPool(contents, { nowMs });
  const starts = estimateStarts(pool.queue, pool.running, {
    maxWorkers: pool.maxWorkers,
    paused: pool.paused || pool.state === 'Invalid',
    expected: recentDurations(contents.jobs),
    nowMs,
  });
  const startOf = new Map(starts.map((e) => [e.job, e.startsAtMs]));
  const queue = pool.queue.map((entry): QueueRow => {
    const at = startOf.get(entry.job);
    return at === undefined ? entry : {
      ...entry, startsAt: new Date(at).toISOString(), startsInSeconds: Math.max(0, Math.round((at - nowMs) / 1000)),
    };
  });
  return { pool, queue };
}
