// One pool's view with its queue's expected start times: the read model's positions and
// reasons, plus ETAs from the recent run durations of each source and sync type.
import { byPool, type ClusterState, type PoolDetail, type QueueEntry, viewPoolWithStarts } from '../views/index.js';

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
  const { view: pool, startsAtMs } = viewPoolWithStarts(contents, nowMs);
  const queue = pool.queue.map((entry, i): QueueRow => {
    const at = startsAtMs[i];
    return at === undefined ? entry : {
      ...entry, startsAt: new Date(at).toISOString(), startsInSeconds: Math.max(0, Math.round((at - nowMs) / 1000)),
    };
  });
  return { pool, queue };
}
