// Wires the data flow: informers (watch) → work queues of keys → reconcilers.
// Runs only on the leader; a fresh start lists everything before the first admission,
// which is the "relist before admitting" half of the cap invariant.
import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { LABEL_POOL, LABEL_TASK } from '../jobs/labels.js';
import type { KubeClients } from '../kube/client.js';
import { GROUP, VERSION } from '../api/common.js';
import { POOLS, TASKS, Writers } from '../kube/writers.js';
import type { Logger } from '../runtime/clock.js';
import { keyOf, WriteThroughCache } from './cache.js';
import { AdmissionExpectations } from './pools/expectations.js';
import { PoolReconciler } from './pools/reconcile.js';
import { Controller } from '../runtime/controller.js';
import { ResilientInformer } from '../runtime/informer.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { TaskReconciler } from './tasks/reconcile.js';
import { TERMINAL_PHASES } from './tasks/status.js';

export interface ManagerOptions {
  clients: KubeClients;
  /** Watch one namespace only; all when undefined. */
  namespace?: string;
  workers: number;
  relistIntervalMs: number;
  heartbeatUrl: string;
  log: Logger;
  now?: () => Date;
  onAdmit?: (job: V1Job) => void;
}

type CustomList<T> = { items: T[]; metadata?: { resourceVersion?: string } };

export class Manager {
  readonly tasks: ResilientInformer<SyncTask & KubernetesObject>;
  readonly pools: ResilientInformer<WorkerPool & KubernetesObject>;
  readonly jobs: ResilientInformer<V1Job>;
  private readonly taskQueue = new WorkQueue();
  private readonly poolQueue = new WorkQueue();
  private readonly controllers: Controller[];
  private synced = false;

  constructor(private readonly o: ManagerOptions) {
    const { clients, namespace } = o;
    const ns = namespace ? `/namespaces/${namespace}` : '';
    const custom = <T>(plural: string) => async () => (namespace
      ? clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
      : clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as Promise<CustomList<T>>;
    const informerOpts = { relistIntervalMs: o.relistIntervalMs, log: o.log };
    this.tasks = new ResilientInformer(clients, `/apis/${GROUP}/${VERSION}${ns}/${TASKS}`, custom(TASKS) as never, informerOpts);
    this.pools = new ResilientInformer(clients, `/apis/${GROUP}/${VERSION}${ns}/${POOLS}`, custom(POOLS) as never, informerOpts);
    this.jobs = new ResilientInformer<V1Job>(clients, `/apis/batch/v1${ns}/jobs`, () => (namespace
      ? clients.batch.listNamespacedJob({ namespace, labelSelector: LABEL_POOL })
      : clients.batch.listJobForAllNamespaces({ labelSelector: LABEL_POOL })), { ...informerOpts, labelSelector: LABEL_POOL });

    const now = o.now ?? (() => new Date());
    const writers = new Writers(clients);
    const taskReconciler = new TaskReconciler({
      tasks: new WriteThroughCache(this.tasks), pools: this.pools, jobs: this.jobs, writers, heartbeatUrl: o.heartbeatUrl, now, log: o.log,
    });
    const poolReconciler = new PoolReconciler({
      pools: new WriteThroughCache(this.pools), jobs: this.jobs, writers, expectations: new AdmissionExpectations(), now, log: o.log, onAdmit: o.onAdmit,
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
    // generation) need a reconcile, or every status patch would trigger another.
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

    this.tasks.on('add', (t) => { taskGen.changed(t); this.taskQueue.add(keyOf(t)); });
    this.tasks.on('update', (t) => { if (taskGen.changed(t)) this.taskQueue.add(keyOf(t)); });
    this.tasks.on('delete', taskGen.forget);

    const poolChanged = (p: KubernetesObject) => {
      this.poolQueue.add(keyOf(p));
      this.enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!);
    };
    this.pools.on('add', (p) => { poolGen.changed(p); poolChanged(p); });
    this.pools.on('update', (p) => { if (poolGen.changed(p)) poolChanged(p); });
    this.pools.on('delete', (p) => { poolGen.forget(p); this.enqueueTasksOf(p.metadata!.namespace!, p.metadata!.name!); });

    const jobChanged = (j: V1Job) => {
      const ns = j.metadata?.namespace;
      const labels = j.metadata?.labels ?? {};
      if (labels[LABEL_TASK]) this.taskQueue.add(`${ns}/${labels[LABEL_TASK]}`);
      if (labels[LABEL_POOL]) this.poolQueue.add(`${ns}/${labels[LABEL_POOL]}`);
    };
    this.jobs.on('add', jobChanged);
    this.jobs.on('update', jobChanged);
    this.jobs.on('delete', jobChanged);
  }

  /** Unfinished tasks of a pool: they wait for it, or lose it. Terminal ones are left alone. */
  private enqueueTasksOf(namespace: string, pool: string): void {
    for (const t of this.tasks.list(namespace)) {
      const phase = (t.status as { phase?: string } | undefined)?.phase;
      if (t.spec?.pool === pool && !(phase && TERMINAL_PHASES.has(phase))) this.taskQueue.add(keyOf(t));
    }
  }

  async start(): Promise<void> {
    const informers = [this.pools, this.jobs, this.tasks];
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
    for (const i of [this.pools, this.jobs, this.tasks]) i.stop();
  }
}
