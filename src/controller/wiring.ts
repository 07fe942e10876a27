// Which watch event makes which key worth reconciling: the one place that decides it,
// used by the manager over real informers and by the unit simulation over lagging ones.
import type { KubernetesObject, V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { isQueued, jobState } from '../jobs/classify.js';
import { LABEL_POOL, LABEL_TASK } from '../jobs/labels.js';
import type { PoolObject, TaskObject } from '../kube/informers.js';
import type { InformerEvent, InformerHandler } from '../runtime/informer.js';
import { keyOf, type WriteThroughCache } from './cache.js';
import { LIVE_TASKS_BY_POOL, TASKS_BY_POOL } from './indexes.js';
import { STATUS_COUNTS_INTERVAL_MS } from './pools/statusWriter.js';

/** What the wiring needs of an informer: its events, and (for tasks) an index. */
export interface EventSource<T extends KubernetesObject> {
  on(event: InformerEvent, handler: InformerHandler<T>): void;
}

export interface Sources {
  tasks: EventSource<TaskObject> & { byIndex(index: string, key: string): TaskObject[] };
  pools: EventSource<PoolObject>;
  jobs: EventSource<V1Job>;
  pods: EventSource<V1Pod>;
  cronJobs: EventSource<V1CronJob>;
}

export interface Queues {
  task: { add(key: string): void };
  pool: { add(key: string): void; addAfter(key: string, ms: number): void };
  /** CronJobs that may be adopted into a pool, or released from one. */
  cronJob: { add(key: string): void };
}

export interface Memory {
  tasks: WriteThroughCache<SyncTask>;
  pools: WriteThroughCache<WorkerPool>;
  /** Where Jobs that left the cache while holding a slot are remembered. */
  departures: { departed(last: V1Job): void };
}

/** What the pool reconciler's last decision says of a pool (PoolReconciler.full). */
export interface Admissions {
  full(pool: string): boolean;
}

export function wire(src: Sources, queues: Queues, caches: Memory, admissions: Admissions): void {
  // Our own status writes come back as update events; only spec changes (a new
  // generation) need a task reconcile, or every status patch would trigger another.
  const taskGen = generations();
  const poolGen = generations();
  /** Unfinished tasks of a pool: they wait for it, or lose it. Terminal ones are left alone. */
  const enqueueTasksOf = (namespace: string, pool: string) => {
    for (const t of src.tasks.byIndex(LIVE_TASKS_BY_POOL, `${namespace}/${pool}`)) queues.task.add(keyOf(t));
  };
  /** A new pool spec concerns finished tasks too: their retention, and Rejected ones it may now allow. */
  const enqueueAllTasksOf = (namespace: string, pool: string) => {
    for (const t of src.tasks.byIndex(TASKS_BY_POOL, `${namespace}/${pool}`)) queues.task.add(keyOf(t));
  };

  // A pool's queue includes its tasks that have no Job yet, and a task's status says
  // whether it still waits for one: any change to a task is a change to its pool.
  // But a new or changed task only changes which run is admitted next, never how many
  // slots are free: when the pool's last decision left none (full or paused), a cycle
  // could only recount its queue, so it waits for the status interval instead. At
  // 10,000 queued a cycle per task event (each then reading the whole queue) made queueing
  // quadratic. Slots come free through Job, pod and pool events, which still run the
  // cycle at once; a deleted task may free a slot held for it, so deletes do too.
  const poolOfTask = (t: TaskObject, deleted = false) => {
    if (!t.spec?.pool) return;
    const pool = `${t.metadata!.namespace}/${t.spec.pool}`;
    if (!deleted && admissions.full(pool)) queues.pool.addAfter(pool, STATUS_COUNTS_INTERVAL_MS);
    else queues.pool.add(pool);
  };
  src.tasks.on('add', (t) => { taskGen.changed(t); queues.task.add(keyOf(t)); poolOfTask(t); });
  src.tasks.on('update', (t) => { if (taskGen.changed(t)) queues.task.add(keyOf(t)); poolOfTask(t); caches.tasks.observed(t); });
  src.tasks.on('delete', (t) => { taskGen.forget(t); poolOfTask(t, true); caches.tasks.observed(t, true); });

  const poolChanged = (p: KubernetesObject) => {
    queues.pool.add(keyOf(p));
    enqueueAllTasksOf(p.metadata!.namespace!, p.metadata!.name!);
  };
  src.pools.on('add', (p) => { poolGen.changed(p); poolChanged(p); });
  src.pools.on('update', (p, old) => {
    if (poolGen.changed(p)) poolChanged(p);
    // The pool's verdict on itself (Ready) is what its Pending tasks wait on.
    else if (readyOf(p) !== readyOf(old)) enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!);
    caches.pools.observed(p);
  });
  src.pools.on('delete', (p) => {
    poolGen.forget(p);
    poolChanged(p);
    caches.pools.observed(p, true);
  });

  // Likewise a Job whose standing did not change (queued before and after: a new queued
  // Job, a label or status change; or running before and after: its pods starting, its
  // status counting them) changes the order or the counts, not the slots free. A Job
  // that starts, finishes or goes may free or fill one: its pool looks at once. Each run
  // otherwise ran a whole-queue cycle for every status update of its Job and its pod.
  const toPool = (pool: string, sameSlots: boolean) => {
    if (sameSlots && admissions.full(pool)) queues.pool.addAfter(pool, STATUS_COUNTS_INTERVAL_MS);
    else queues.pool.add(pool);
  };
  const jobChanged = (j: V1Job, old?: V1Job, deleted = false) => {
    const ns = j.metadata?.namespace;
    const labels = j.metadata?.labels ?? {};
    if (labels[LABEL_TASK]) queues.task.add(`${ns}/${labels[LABEL_TASK]}`);
    // Relabelled into another pool: the one it left may have a slot free now.
    const left = old?.metadata?.labels?.[LABEL_POOL];
    if (left && left !== labels[LABEL_POOL]) queues.pool.add(`${ns}/${left}`);
    if (!labels[LABEL_POOL]) return;
    const sameSlots = !deleted && (old === undefined ? isQueued(j) : left === labels[LABEL_POOL] && jobState(old) === jobState(j));
    toPool(`${ns}/${labels[LABEL_POOL]}`, sameSlots);
  };
  src.jobs.on('add', (j) => jobChanged(j));
  src.jobs.on('update', (j, old) => jobChanged(j, old));
  src.jobs.on('delete', (j, old) => { caches.departures.departed(old ?? j); jobChanged(j, old, true); });

  // A pod that outlived its Job frees its pool's slot only when it is gone (terminated or
  // deleted); one that starts fills none. A pod that starts (or cannot) tells its task
  // whether the run started.
  const podChanged = (p: V1Pod, deleted = false) => {
    const labels = p.metadata?.labels ?? {};
    const phase = p.status?.phase;
    if (labels[LABEL_POOL]) toPool(`${p.metadata?.namespace}/${labels[LABEL_POOL]}`, !deleted && phase !== 'Succeeded' && phase !== 'Failed');
    if (labels[LABEL_TASK]) queues.task.add(`${p.metadata?.namespace}/${labels[LABEL_TASK]}`);
  };
  src.pods.on('update', (p, old) => { if (p.status?.phase !== old?.status?.phase) podChanged(p); });
  src.pods.on('delete', (p) => podChanged(p, true));

  // A periodic task's CronJob tells its task (last schedule, runs); any other CronJob is
  // the adoption controller's to look at (labelled with a pool, or no longer).
  const cronJobChanged = (c: V1CronJob) => {
    const owner = c.metadata?.ownerReferences?.find((o) => o.controller);
    if (owner?.kind === 'SyncTask') queues.task.add(`${c.metadata?.namespace}/${owner.name}`);
    else queues.cronJob.add(keyOf(c));
  };
  for (const event of ['add', 'update', 'delete'] as const) src.cronJobs.on(event, cronJobChanged);
}

/**
 * Spec changes by object: keyed by uid as well as generation, because a relist can show
 * a task deleted and applied again (both at generation 1) as a mere update.
 */
function generations() {
  const seen = new Map<string, string>();
  return {
    changed: (o: KubernetesObject) => {
      const key = keyOf(o);
      const version = `${o.metadata?.uid}/${o.metadata?.generation}`;
      const changed = seen.get(key) !== version;
      seen.set(key, version);
      return changed;
    },
    forget: (o: KubernetesObject) => seen.delete(keyOf(o)),
  };
}

function readyOf(p: KubernetesObject | undefined): string {
  const ready = (p as PoolObject | undefined)?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready ? `${ready.status}/${ready.reason}/${ready.observedGeneration}` : '';
}
