// Wires the data flow: informers (watch, with indexes) → work queues of keys →
// reconcilers. The caches run on every replica (the status page reads them, and a
// standby is warm); the controllers only on the leader, and a new leader lists
// everything again before its first admission, which is the "relist before admitting"
// half of the cap invariant.
import type { V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTask, WorkerPool } from '../api/types.js';
import type { KubeClients } from '../kube/client.js';
import { type EventSink, noEvents } from '../kube/events.js';
import { cronJobInformer, jobInformer, podInformer, poolInformer, type PoolObject, taskInformer, type TaskObject } from '../kube/informers.js';
import { Writers } from '../kube/writers.js';
import { type Metrics, noMetrics } from '../metrics/hooks.js';
import type { Logger } from '../runtime/clock.js';
import { Controller, type Outcome } from '../runtime/controller.js';
import type { ResilientInformer } from '../runtime/informer.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { keyOf, WriteThroughCache } from './cache.js';
import { wire } from './wiring.js';
import {
  ALIVE_PODS_BY_POOL, alivePodsByPool, JOBS_BY_TASK, jobsByTask, LIVE_TASKS_BY_POOL, liveTasksByPool, PODS_BY_JOB, podsByJob,
  TASKS_BY_POOL, tasksByPool, UNFINISHED_BY_POOL, unfinishedByPool,
} from './indexes.js';
import type { HeartbeatStore } from '../heartbeat/store.js';
import { MemoryHeartbeatStore } from '../heartbeat/memoryStore.js';
import { DepartedRuns } from './pools/departures.js';
import { CreateAdmissions } from './pools/claims.js';
import { AdmissionExpectations } from './pools/expectations.js';
import { PoolReconciler } from './pools/reconcile.js';
import { TemplateChecks } from './pools/templateCheck.js';
import { CronJobReconciler } from './cronjobs/reconcile.js';
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
  /** Where heartbeats are read from; a store in this process's memory if none. */
  heartbeats?: HeartbeatStore;
  /** Told of runs finished, admissions, reconciles and API requests; nothing if omitted. */
  metrics?: Metrics;
}

export class Manager {
  readonly tasks: ResilientInformer<TaskObject>;
  readonly pools: ResilientInformer<PoolObject>;
  readonly jobs: ResilientInformer<V1Job>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly cronJobs: ResilientInformer<V1CronJob>;
  private readonly taskQueue = new WorkQueue();
  private readonly poolQueue = new WorkQueue();
  private readonly cronJobQueue = new WorkQueue();
  private readonly controllers: Controller[];
  private readonly taskCache: WriteThroughCache<SyncTask>;
  private readonly poolCache: WriteThroughCache<WorkerPool>;
  private synced = false;
  private cachesStarted?: Promise<void>;
  private readonly departures = new DepartedRuns();

  constructor(private readonly o: ManagerOptions) {
    const { clients, namespace } = o;
    const informerOpts = { relistIntervalMs: o.relistIntervalMs, log: o.log };
    this.tasks = taskInformer(clients, namespace, informerOpts);
    this.pools = poolInformer(clients, namespace, informerOpts);
    this.jobs = jobInformer(clients, namespace, informerOpts);
    this.pods = podInformer(clients, namespace, informerOpts);
    this.cronJobs = cronJobInformer(clients, namespace, informerOpts);
    this.pods.addIndex(ALIVE_PODS_BY_POOL, alivePodsByPool);
    this.pods.addIndex(PODS_BY_JOB, podsByJob);
    this.tasks.addIndex(TASKS_BY_POOL, tasksByPool);
    this.jobs.addIndex(UNFINISHED_BY_POOL, unfinishedByPool);
    this.jobs.addIndex(JOBS_BY_TASK, jobsByTask);
    this.tasks.addIndex(LIVE_TASKS_BY_POOL, liveTasksByPool);

    const now = o.now ?? (() => new Date());
    const metrics = o.metrics ?? noMetrics;
    const writes = new Writers(clients, (verb) => metrics.apiRequest(verb));
    const events = o.events ?? noEvents;
    this.taskCache = new WriteThroughCache<SyncTask>(this.tasks as never);
    this.poolCache = new WriteThroughCache<WorkerPool>(this.pools as never);
    const departures = this.departures;
    const expectations = new AdmissionExpectations();
    const onAdmit = (job: V1Job) => { metrics.admitted(job, now().getTime()); o.onAdmit?.(job); };
    const poolReconciler = new PoolReconciler({
      pools: this.poolCache, jobs: this.jobs, pods: this.pods, tasks: this.tasks, writes, events, now, log: o.log,
      onAdmit, expectations, departures, templates: new TemplateChecks(writes, o.heartbeatUrl),
    });
    const taskReconciler = new TaskReconciler({
      tasks: this.taskCache, pools: this.pools as never, jobs: this.jobs, pods: this.pods, cronJobs: this.cronJobs,
      writes, events, heartbeatUrl: o.heartbeatUrl, now, log: o.log, metrics,
      heartbeats: o.heartbeats ?? new MemoryHeartbeatStore({ now: () => now().getTime() }),
      // A task's Job is created admitted when its pool admits it at once (claims.ts).
      admission: new CreateAdmissions({ pools: poolReconciler, expectations, writes, onAdmit }),
    });
    const cronJobReconciler = new CronJobReconciler({ cronJobs: this.cronJobs, pools: this.pools, writes, events, log: o.log });
    const observed = (name: string) => ({
      name, log: o.log, onReconcile: (ms: number, outcome: Outcome) => metrics.reconciled(name, ms / 1000, outcome),
    });
    this.controllers = [
      new Controller({ ...observed('synctask'), queue: this.taskQueue, workers: o.workers, reconcile: (k) => taskReconciler.reconcile(k) }),
      // Pools admit one cycle at a time per key; the queue never hands a key to two workers.
      new Controller({ ...observed('workerpool'), queue: this.poolQueue, workers: o.workers, reconcile: (k) => poolReconciler.reconcile(k) }),
      new Controller({ ...observed('cronjob'), queue: this.cronJobQueue, workers: 1, reconcile: (k) => cronJobReconciler.reconcile(k) }),
    ];
    wire({ tasks: this.tasks, pools: this.pools, jobs: this.jobs, pods: this.pods, cronJobs: this.cronJobs }, {
      task: this.taskQueue, pool: this.poolQueue, cronJob: this.cronJobQueue,
    }, {
      tasks: this.taskCache, pools: this.poolCache, departures,
    }, poolReconciler);
  }

  /** Starts the informers and resolves once each has listed; the controllers wait for start(). */
  startCaches(): Promise<void> {
    this.cachesStarted ??= this.listInOrder(() => {
      for (const i of [this.pools, this.jobs, this.tasks, this.cronJobs]) i.start();
      return this.jobs.waitForSync();
    }, () => {
      this.pods.start();
      return Promise.all([this.pools, this.jobs, this.tasks, this.cronJobs, this.pods].map((i) => i.waitForSync())).then(() => undefined);
    });
    return this.cachesStarted;
  }

  /** The caches have listed once (on any replica): enough to show, not to admit from. */
  cachesSynced(): boolean {
    return [this.pools, this.jobs, this.tasks, this.cronJobs, this.pods].every((i) => i.hasSynced());
  }

  /** On becoming leader: a fresh list of everything, then the controllers. */
  async start(): Promise<void> {
    if (this.cachesStarted) {
      await this.cachesStarted;
      await this.listInOrder(
        () => Promise.all([this.pools, this.jobs, this.tasks, this.cronJobs].map((i) => i.relist())),
        () => this.pods.relist(),
      );
      // What a standby remembered of Jobs that left while holding a slot is settled by
      // the pods list just made, as it is for a fresh process.
      this.departures.clear();
    } else {
      await this.startCaches();
    }
    this.synced = true;
    // Every pool gets one admission cycle after the initial list, even if no event comes.
    for (const p of this.pools.list()) this.poolQueue.add(keyOf(p));
    for (const c of this.controllers) c.start();
    this.o.log.info('controllers started', { pools: this.pools.list().length, tasks: this.tasks.list().length, jobs: this.jobs.list().length });
  }

  /**
   * Pods are listed after Jobs: a pod that outlived a Job missing from the Jobs list
   * (deleted just before) is then surely in the pods list.
   */
  private async listInOrder(jobsAndTheRest: () => Promise<unknown>, pods: () => Promise<unknown>): Promise<void> {
    await jobsAndTheRest();
    await pods();
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** Keys waiting for a worker, per controller's queue. */
  queueDepths(): Record<string, number> {
    return Object.fromEntries(this.controllers.map((c) => [c.name, c.queue.len()]));
  }

  async stop(): Promise<void> {
    this.taskQueue.shutDown();
    this.poolQueue.shutDown();
    this.cronJobQueue.shutDown();
    await Promise.all(this.controllers.map((c) => c.stop()));
    for (const i of [this.pools, this.jobs, this.pods, this.tasks, this.cronJobs]) i.stop();
  }
}
