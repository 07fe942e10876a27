// Wires the data flow: informers (watch, with indexes) → work queues of keys →
// reconcilers. Runs only on the leader; a fresh start lists everything before the
// first admission, which is the "relist before admitting" half of the cap invariant.
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { LABEL_POOL, LABEL_TASK } from '../jobs/labels.js';
import type { KubeClients } from '../kube/client.js';
import { type EventSink, noEvents } from '../kube/events.js';
import { jobInformer, podInformer, poolInformer, type PoolObject, taskInformer, type TaskObject } from '../kube/informers.js';
import { Writers } from '../kube/writers.js';
import type { Logger } from '../runtime/clock.js';
import { Controller } from '../runtime/controller.js';
import type { ResilientInformer } from '../runtime/informer.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { keyOf, WriteThroughCache } from './cache.js';
import {
  ALIVE_PODS_BY_POOL, alivePodsByPool, JOBS_BY_TASK, jobsByTask, LIVE_TASKS_BY_POOL, liveTasksByPool, UNFINISHED_BY_POOL, unfinishedByPool,
} from './indexes.js';
import { AdmissionExpectations } from './pools/expectations.js';
import { PoolReconciler } from './pools/reconcile.js';
import { TemplateChecks } from './pools/templateCheck.js';
import { TaskReconciler } from './tasks/reconcile.js';

export interface ManagerOptions {
  clients: KubeClients;
  /** Watch one namespace only; all when undefined. */
  namespace?: string;
  workers: number;
  relistIntervalMs: number;
  heartbeatUrl: string;
  log: Logger;
  events?: EventSink;
  now?: () => Date;
  onAdmit?: (job: V1Job) => void;
}

export class Manager {
  readonly tasks: ResilientInformer<TaskObject>;
  readonly pools: ResilientInformer<PoolObject>;
  readonly jobs: ResilientInformer<V1Job>;
  readonly pods: ResilientInformer<V1Pod>;
  private readonly taskQueue = new WorkQueue();
  private readonly poolQueue = new WorkQueue();
  private readonly controllers: Controller[];
  private readonly taskCache: WriteThroughCache<SyncTask>;
  private readonly poolCache: WriteThroughCache<WorkerPool>;
  private synced = false;

  constructor(private readonly o: ManagerOptions) {
    const { clients, namespace } = o;
    const informerOpts = { relistIntervalMs: o.relistIntervalMs, log: o.log };
    this.tasks = taskInformer(clients, namespace, informerOpts);
    this.pools = poolInformer(clients, namespace, informerOpts);
    this.jobs = jobInformer(clients, namespace, informerOpts);
    this.pods = podInformer(clients, namespace, informerOpts);
    this.pods.addIndex(ALIVE_PODS_BY_POOL, alivePodsByPool);
    this.jobs.addIndex(UNFINISHED_BY_POOL, unfinishedByPool);
    this.jobs.addIndex(JOBS_BY_TASK, jobsByTask);
    this.tasks.addIndex(LIVE_TASKS_BY_POOL, liveTasksByPool);

    const now = o.now ?? (() => new Date());
    const writes = new Writers(clients);
    const events = o.events ?? noEvents;
    this.taskCache = new WriteThroughCache<SyncTask>(this.tasks as never);
    this.poolCache = new WriteThroughCache<WorkerPool>(this.pools as never);
    const taskReconciler = new TaskReconciler({
      tasks: this.taskCache, pools: this.pools as never, jobs: this.jobs, writes, events, heartbeatUrl: o.heartbeatUrl, now, log: o.log,
    });
    const poolReconciler = new PoolReconciler({
      pools: this.poolCache, jobs: this.jobs, pods: this.pods, tasks: this.tasks, writes, events, now, log: o.log, onAdmit: o.onAdmit,
      expectations: new AdmissionExpectations(), templates: new TemplateChecks(writes, o.heartbeatUrl),
    });
    this.controllers = [
      new Controller({ name: 'synctask', queue: this.taskQueue, workers: o.workers, log: o.log, reconcile: (k) => taskReconciler.reconcile(k) }),
      // Pools admit one cycle at a time per key; the queue never hands a key to two workers.
      new Controller({ name: 'workerpool', queue: this.poolQueue, workers: o.workers, log: o.log, reconcile: (k) => poolReconciler.reconcile(k) }),
    ];
    this.wire();
  }

  private wire(): void {
    // Our own status writes come back as update events; only spec changes (a new
    // generation) need a task reconcile, or every status patch would trigger another.
    const generations = () => {
      const seen = new Map<string, number | undefined>();
      return {
        changed: (o: KubernetesObject) => {
          const key = keyOf(o);
          const changed = !seen.has(key) || seen.get(key) !== o.metadata?.generation;
          seen.set(key, o.metadata?.generation);
          return changed;
        },
        forget: (o: KubernetesObject) => seen.delete(keyOf(o)),
      };
    };
    const taskGen = generations();
    const poolGen = generations();

    // A pool's queue includes its tasks that have no Job yet, and a task's status says
    // whether it still waits for one: any change to a task is a change to its pool.
    const poolOfTask = (t: TaskObject) => { if (t.spec?.pool) this.poolQueue.add(`${t.metadata!.namespace}/${t.spec.pool}`); };
    this.tasks.on('add', (t) => { taskGen.changed(t); this.taskQueue.add(keyOf(t)); poolOfTask(t); });
    this.tasks.on('update', (t) => { if (taskGen.changed(t)) this.taskQueue.add(keyOf(t)); poolOfTask(t); this.taskCache.observed(t); });
    this.tasks.on('delete', (t) => { taskGen.forget(t); poolOfTask(t); this.taskCache.observed(t, true); });

    const poolChanged = (p: KubernetesObject) => {
      this.poolQueue.add(keyOf(p));
      this.enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!);
    };
    this.pools.on('add', (p) => { poolGen.changed(p); poolChanged(p); });
    this.pools.on('update', (p, old) => {
      if (poolGen.changed(p)) poolChanged(p);
      // The pool's verdict on itself (Ready) is what its Pending tasks wait on.
      else if (readyOf(p) !== readyOf(old)) this.enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!);
      this.poolCache.observed(p);
    });
    this.pools.on('delete', (p) => {
      poolGen.forget(p);
      this.poolQueue.add(keyOf(p));
      this.enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!);
      this.poolCache.observed(p, true);
    });

    const jobChanged = (j: V1Job) => {
      const ns = j.metadata?.namespace;
      const labels = j.metadata?.labels ?? {};
      if (labels[LABEL_TASK]) this.taskQueue.add(`${ns}/${labels[LABEL_TASK]}`);
      if (labels[LABEL_POOL]) this.poolQueue.add(`${ns}/${labels[LABEL_POOL]}`);
    };
    this.jobs.on('add', jobChanged);
    this.jobs.on('update', jobChanged);
    this.jobs.on('delete', jobChanged);

    // A pod that outlived its Job frees its pool's slot only when it is gone.
    const podChanged = (p: V1Pod) => {
      const pool = p.metadata?.labels?.[LABEL_POOL];
      if (pool) this.poolQueue.add(`${p.metadata?.namespace}/${pool}`);
    };
    this.pods.on('update', (p, old) => { if (p.status?.phase !== old?.status?.phase) podChanged(p); });
    this.pods.on('delete', podChanged);
  }

  /** Unfinished tasks of a pool: they wait for it, or lose it. Terminal ones are left alone. */
  private enqueueTasksOf(namespace: string, pool: string): void {
    for (const t of this.tasks.byIndex(LIVE_TASKS_BY_POOL, `${namespace}/${pool}`)) this.taskQueue.add(keyOf(t));
  }

  async start(): Promise<void> {
    const informers = [this.pools, this.jobs, this.pods, this.tasks];
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
    this.synced = true;
    // Every pool gets one admission cycle after the initial list, even if no event comes.
    for (const p of this.pools.list()) this.poolQueue.add(keyOf(p));
    for (const c of this.controllers) c.start();
    this.o.log.info('controllers started', { pools: this.pools.list().length, tasks: this.tasks.list().length, jobs: this.jobs.list().length });
  }

  isSynced(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.taskQueue.shutDown();
    this.poolQueue.shutDown();
    await Promise.all(this.controllers.map((c) => c.stop()));
    for (const i of [this.pools, this.jobs, this.pods, this.tasks]) i.stop();
  }
}

function readyOf(p: KubernetesObject | undefined): string {
  const ready = (p as PoolObject | undefined)?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready ? `${ready.status}/${ready.reason}/${ready.observedGeneration}` : '';
}
