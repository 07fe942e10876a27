// What a read model reads: the syncpool objects of one or more namespaces, as plain
// lists. The operator hands in its informer caches; the kubectl plugin hands in what it
// listed with the user's own credentials. Nothing here reads the API or the clock.
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import type { WorkerPool } from '../api/types.js';
import { LABEL_POOL } from '../jobs/labels.js';
import type { TaskObject } from '../jobs/poolSnapshot.js';

export type { TaskObject };
export type PoolObject = WorkerPool & KubernetesObject;

export interface ClusterState {
  pools: readonly PoolObject[];
  tasks: readonly TaskObject[];
  /** Jobs labelled with a pool (syncpool.dev/pool), finished ones included. */
  jobs: readonly V1Job[];
  /** Pods labelled with a pool; only those not yet terminated matter. */
  pods: readonly V1Pod[];
}

/** The part of a cluster state that belongs to one pool. */
export interface PoolContents {
  pool: PoolObject;
  tasks: TaskObject[];
  jobs: V1Job[];
  pods: V1Pod[];
}

const keyOf = (namespace: string | undefined, pool: string | undefined) => `${namespace ?? ''}/${pool ?? ''}`;

/** Splits the state by pool, in one pass over each list. Objects naming no known pool are left out. */
export function byPool(state: ClusterState): PoolContents[] {
  const out = new Map<string, PoolContents>();
  for (const pool of state.pools) out.set(keyOf(pool.metadata?.namespace, pool.metadata?.name), { pool, tasks: [], jobs: [], pods: [] });
  for (const task of state.tasks) out.get(keyOf(task.metadata?.namespace, task.spec?.pool))?.tasks.push(task);
  for (const job of state.jobs) out.get(keyOf(job.metadata?.namespace, job.metadata?.labels?.[LABEL_POOL]))?.jobs.push(job);
  for (const pod of state.pods) out.get(keyOf(pod.metadata?.namespace, pod.metadata?.labels?.[LABEL_POOL]))?.pods.push(pod);
  return [...out.values()];
}
