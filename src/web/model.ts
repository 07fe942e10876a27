// What the status API answers for the pools a viewer may see: the shared read models
// (src/views), plus when each queued run will probably start. Pure: state and `now` are
// handed in; whom to show what is decided before (api.ts).
import { byPool, type ClusterState, type PoolDetail, type QueueEntry, viewPoolWithStarts } from '../views/index.js';

export interface QueuedRunView extends QueueEntry {
  /** An estimate (see views/eta.ts); absent when it cannot be told. */
  startsAt?: string;
}

export interface PoolReport extends Omit<PoolDetail, 'queue'> {
  /** The first runs of the queue, in the order they will start (all of it in a pool's own answer). */
  queue: QueuedRunView[];
  /** The whole queue's length, however much of it `queue` lists. */
  queueLength: number;
}

/** The pools of these namespaces, by namespace then name; each queue cut to `queueLimit`. */
export function reportPools(state: ClusterState, o: { namespaces: ReadonlySet<string>; nowMs: number; queueLimit?: number }): PoolReport[] {
  return byPool(state)
    .filter((c) => o.namespaces.has(c.pool.metadata?.namespace ?? ''))
    .map((contents) => {
      const { view, startsAtMs } = viewPoolWithStarts(contents, o.nowMs);
      const queue = view.queue.slice(0, o.queueLimit ?? Infinity).map((entry, i) => {
        const at = startsAtMs[i];
        return at === undefined ? entry : { ...entry, startsAt: new Date(at).toISOString() };
      });
      return { ...view, queue, queueLength: view.queue.length };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** The namespaces that hold at least one pool. */
export function namespacesWithPools(state: ClusterState): string[] {
  return [...new Set(state.pools.map((p) => p.metadata?.namespace ?? ''))].filter(Boolean).sort();
}
