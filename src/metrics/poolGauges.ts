// A pool's gauges, read from cluster state: the leader's caches at the moment of the
// scrape, counted by the same snapshot the admission cycle plans from (so they are the
// numbers the pool's status shows). Nothing is accumulated, so they never drift, are
// right at once after a restart or a leader change, and a deleted pool drops out.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { WorkerPool } from '../api/types.js';
import type { Cache } from '../controller/cache.js';
import { ALIVE_PODS_BY_POOL, type IndexedCache, LIVE_TASKS_BY_POOL, UNFINISHED_BY_POOL } from '../controller/indexes.js';
import { countPool, type TaskObject } from '../jobs/poolSnapshot.js';
import type { PoolObject } from '../kube/informers.js';

export interface PoolGaugeValues {
  namespace: string;
  pool: string;
  maxWorkers: number;
  /** Runs holding a slot: admitted Jobs not finished, and pods that outlived their Job. */
  active: number;
  /** Suspended Jobs waiting for a slot (not tasks whose Job is still being made). */
  queued: number;
  /** active / maxWorkers; with a cap of 0, 1 if anything runs, else 0. */
  utilization: number;
}

/** What the caches hold of one pool, through the admission cycle's indexes. */
export interface PoolContents {
  /** Its unfinished Jobs. */
  jobs: readonly V1Job[];
  /** Its sync pods not yet terminated. */
  pods: readonly V1Pod[];
  /** Its tasks not in a final phase. */
  tasks: readonly TaskObject[];
}

/** Pure: a pool and what it holds → its gauges. */
export function poolGauges(pool: WorkerPool, contents: PoolContents): PoolGaugeValues {
  // Nothing assumed: admissions not yet seen count once the watch shows them, a moment later.
  const { running: active, queued } = countPool(contents);
  const max = Number(pool.spec?.maxWorkers);
  const maxWorkers = Number.isFinite(max) ? max : 0;
  return {
    namespace: pool.metadata.namespace,
    pool: pool.metadata.name,
    maxWorkers,
    active,
    queued,
    utilization: maxWorkers > 0 ? active / maxWorkers : active > 0 ? 1 : 0,
  };
}

export interface PoolCaches {
  pools: Cache<PoolObject>;
  jobs: IndexedCache<V1Job>;
  pods: IndexedCache<V1Pod>;
  tasks: IndexedCache<TaskObject>;
}

/** Every pool's gauges from the caches (the manager's informers). */
export function readPoolGauges(c: PoolCaches): PoolGaugeValues[] {
  return c.pools.list().map((pool) => {
    const { namespace, name } = pool.metadata;
    const key = `${namespace}/${name}`;
    return poolGauges(pool, {
      jobs: c.jobs.byIndex(UNFINISHED_BY_POOL, key),
      pods: c.pods.byIndex(ALIVE_PODS_BY_POOL, key),
      tasks: c.tasks.byIndex(LIVE_TASKS_BY_POOL, key),
    });
  });
}
