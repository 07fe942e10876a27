// One operator process over the fake cluster: four lagging caches with the manager's
// indexes, the manager's event wiring (mirrored from src/controller/manager.ts, which
// builds real informers and so cannot be reused here), two work queues on the simulated
// clock, the real reconcilers, and Controller.process's handling of their outcomes.
//
// Reconciles are started one at a time by the schedule and run until they await a
// write; `current` names the reconcile whose code is running, so each write knows who
// sent it (JS runs one continuation at a time, and the schedule resumes one at a time).
import { ApiException, type KubernetesObject, type V1CronJob, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { SyncTask, WorkerPool } from '../../../../src/api/types.js';
import { keyOf, WriteThroughCache } from '../../../../src/controller/cache.js';
import { wire } from '../../../../src/controller/wiring.js';
import {
  ALIVE_PODS_BY_POOL, alivePodsByPool, JOBS_BY_TASK, jobsByTask, LIVE_TASKS_BY_POOL, liveTasksByPool, PODS_BY_JOB, podsByJob,
  TASKS_BY_POOL, tasksByPool, UNFINISHED_BY_POOL, unfinishedByPool,
} from '../../../../src/controller/indexes.js';
import { DepartedRuns } from '../../../../src/controller/pools/departures.js';
import { CreateAdmissions } from '../../../../src/controller/pools/claims.js';
import { AdmissionExpectations } from '../../../../src/controller/pools/expectations.js';
import { PoolReconciler } from '../../../../src/controller/pools/reconcile.js';
import { TemplateChecks } from '../../../../src/controller/pools/templateCheck.js';
import { TaskReconciler } from '../../../../src/controller/tasks/reconcile.js';
import { MemoryHeartbeatStore } from '../../../../src/heartbeat/memoryStore.js';
import type { HeartbeatStore } from '../../../../src/heartbeat/store.js';
import { type EventSink, noEvents } from '../../../../src/kube/events.js';
import { type Result, TerminalError } from '../../../../src/runtime/controller.js';
import { silentLogger } from '../../../../src/runtime/clock.js';
import { WorkQueue } from '../../../../src/runtime/workqueue.js';
import type { SimClock } from './clock.js';
import type { FakeCluster } from './cluster.js';
import { LaggingCache } from './laggingCache.js';
import type { PoolObject, TaskObject } from './objects.js';
import { type PendingWrite, SimWrites, TimeoutError } from './writes.js';

/** Lets every queued promise callback run (a macrotask comes after all of them). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits until `cond` holds, turn by turn of the microtask queue (cheap), falling back
 * to a full flush if it takes long (something awaited that is not one of our writes).
 */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !cond(); i++) await null;
  if (!cond()) await flush();
}

export type Kind = 'task' | 'pool';

export interface Inflight {
  id: number;
  kind: Kind;
  key: string;
  /**
   * resourceVersion of the pool this pool reconcile read first (what its decisions rest
   * on); for a task reconcile, of the pool its granted claim read.
   */
  poolSeenRv?: number;
  done: boolean;
  /** Writes it has sent so far. */
  sent: number;
}

export interface SimOperatorOptions {
  cluster: FakeCluster;
  clock: SimClock;
  id: string;
  onWrite: (w: PendingWrite) => void;
  events?: EventSink;
  /** What heartbeats the operator has received; an empty store if none. */
  heartbeats?: HeartbeatStore;
  /** Reconciles in flight per kind (the manager's --workers). */
  workers?: number;
  /** The step log; lines are built only if it keeps them. */
  log?: (line: () => string) => void;
  /** Told when a reconcile starts, before any of its code runs (for the step log). */
  onStart?: (rec: Inflight) => void;
  /** The pool reconciler's claimHints (on unless false). */
  claimHints?: boolean;
}

const HEARTBEAT_URL = 'http://syncpool.sim.svc:8080/api/v1/heartbeat';

export class SimOperator {
  readonly id: string;
  readonly caches: {
    tasks: LaggingCache<TaskObject>; pools: LaggingCache<PoolObject>; jobs: LaggingCache<V1Job>; pods: LaggingCache<V1Pod>; cronJobs: LaggingCache<V1CronJob>;
  };
  readonly taskCache: WriteThroughCache<SyncTask>;
  readonly poolCache: WriteThroughCache<WorkerPool>;
  readonly queues: Record<Kind, WorkQueue>;
  readonly expectations = new AdmissionExpectations();
  readonly departures = new DepartedRuns();
  readonly writes: SimWrites;
  readonly taskReconciler: TaskReconciler;
  readonly poolReconciler: PoolReconciler;
  readonly inflight = new Set<Inflight>();
  /** The reconcile whose code runs now (set by whoever resumes it). */
  current: Inflight | undefined;
  dead = false;
  private seq = 0;
  private readonly workers: number;
  private readonly log: (line: () => string) => void;

  constructor(private readonly o: SimOperatorOptions) {
    const { cluster, clock } = o;
    this.id = o.id;
    this.workers = o.workers ?? 4;
    this.log = o.log ?? (() => {});
    this.caches = {
      tasks: new LaggingCache(cluster.tasks), pools: new LaggingCache(cluster.pools), jobs: new LaggingCache(cluster.jobs), pods: new LaggingCache(cluster.pods),
      cronJobs: new LaggingCache(cluster.cronJobs),
    };
    this.caches.pods.addIndex(ALIVE_PODS_BY_POOL, alivePodsByPool);
    this.caches.jobs.addIndex(UNFINISHED_BY_POOL, unfinishedByPool);
    this.caches.jobs.addIndex(JOBS_BY_TASK, jobsByTask);
    this.caches.tasks.addIndex(LIVE_TASKS_BY_POOL, liveTasksByPool);
    this.caches.tasks.addIndex(TASKS_BY_POOL, tasksByPool);
    this.caches.pods.addIndex(PODS_BY_JOB, podsByJob);
    this.taskCache = new WriteThroughCache<SyncTask>(this.caches.tasks as never);
    this.poolCache = new WriteThroughCache<WorkerPool>(this.caches.pools as never);
    this.queues = { task: new WorkQueue({ clock }), pool: new WorkQueue({ clock }) };
    this.writes = new SimWrites(cluster, {
      origin: o.id,
      onWrite: (w) => {
        if (this.current) this.current.sent++;
        o.onWrite(w);
      },
      context: () => this.current && { owner: this.current, poolSeenRv: this.current.poolSeenRv },
    });
    const now = () => clock.date();
    const events = o.events ?? noEvents;
    this.poolReconciler = new PoolReconciler({
      pools: this.poolCache, jobs: this.caches.jobs, pods: this.caches.pods, tasks: this.caches.tasks, writes: this.writes, events, now, log: silentLogger,
      expectations: this.expectations, departures: this.departures, templates: new TemplateChecks(this.writes, HEARTBEAT_URL),
      claimHints: o.claimHints,
      // Every cycle's snapshot from the pool's view is checked against one from the whole caches.
      checkViews: true,
    });
    this.taskReconciler = new TaskReconciler({
      tasks: this.taskCache, pools: this.caches.pools as never, jobs: this.caches.jobs, pods: this.caches.pods, cronJobs: this.caches.cronJobs,
      writes: this.writes, events,
      heartbeatUrl: HEARTBEAT_URL, now, log: silentLogger, heartbeats: o.heartbeats ?? new MemoryHeartbeatStore({ now: () => clock.now() }),
      admission: new CreateAdmissions({ pools: { claim: (pool, claim) => this.claim(pool, claim) }, expectations: this.expectations, writes: this.writes }),
    });
    this.wire();
    // Manager.start(): every informer lists (each object an add event), then every pool
    // gets one admission cycle even if no event comes.
    for (const cache of [this.caches.pools, this.caches.jobs, this.caches.pods, this.caches.tasks, this.caches.cronJobs]) {
      (cache as LaggingCache<KubernetesObject>).relist();
    }
    for (const p of this.caches.pools.list()) this.queues.pool.add(keyOf(p));
  }

  /**
   * The pool reconciler's claim, as the manager wires it; for the books, a granted claim
   * records the pool version it read on the reconcile that asked: the create it sends is
   * an admission decided at that version.
   */
  private claim(pool: string, claim: { name: string; taskUid: string }): boolean {
    const granted = this.poolReconciler.claim(pool, claim);
    if (granted && this.current) {
      const slash = pool.indexOf('/');
      const rv = this.poolCache.get(pool.slice(0, slash), pool.slice(slash + 1))?.metadata?.resourceVersion;
      this.current.poolSeenRv = rv === undefined ? undefined : Number(rv);
    }
    return granted;
  }

  /** The manager's own wiring, over lagging caches. */
  private wire(): void {
    // The sim has no adoption to test: CronJob events that are not a task's go nowhere.
    wire(this.caches as never, { ...this.queues, cronJob: { add: () => {} } }, { tasks: this.taskCache, pools: this.poolCache, departures: this.departures }, this.poolReconciler);
  }

  busy(kind: Kind): number {
    let n = 0;
    for (const r of this.inflight) if (r.kind === kind) n++;
    return n;
  }

  /** Whether the queue can hand out a key now (ready, and a worker free). */
  canStart(kind: Kind): boolean {
    return !this.dead && this.queues[kind].len() > 0 && this.busy(kind) < this.workers;
  }

  /** Takes the next key of that kind and runs its reconcile until it finishes or awaits a write. */
  async startNext(kind: Kind): Promise<Inflight | undefined> {
    if (!this.canStart(kind)) return undefined;
    const key = await this.queues[kind].get();
    if (key === undefined) return undefined;
    return this.launch(kind, key);
  }

  /**
   * Runs the reconcile of one chosen key, as a worker handed that key would (for
   * deterministic tests; the schedule takes keys from the queues with startNext).
   */
  startKey(kind: Kind, key: string): Promise<Inflight> {
    return this.launch(kind, key);
  }

  private async launch(kind: Kind, key: string): Promise<Inflight> {
    const rec: Inflight = { id: ++this.seq, kind, key, done: false, sent: 0 };
    if (kind === 'pool') {
      const slash = key.indexOf('/');
      const rv = this.poolCache.get(key.slice(0, slash), key.slice(slash + 1))?.metadata?.resourceVersion;
      rec.poolSeenRv = rv === undefined ? undefined : Number(rv);
    }
    this.o.onStart?.(rec);
    this.inflight.add(rec);
    await this.run(rec, () => {
      const reconcile: Promise<Result | void> = kind === 'task' ? this.taskReconciler.reconcile(key) : this.poolReconciler.reconcile(key);
      reconcile.then((result) => this.finish(rec, result, undefined), (err: unknown) => this.finish(rec, undefined, err));
    });
    return rec;
  }

  /** Settles one of this operator's writes and lets its reconcile run on. */
  async resume(w: PendingWrite, fate: Parameters<PendingWrite['settle']>[0]): Promise<void> {
    await this.run(w.owner as Inflight | undefined, () => w.settle(fate));
  }

  /** Runs `fn`, then lets the reconcile it started or resumed go on until it finishes or sends its next write. */
  private async run(rec: Inflight | undefined, fn: () => void): Promise<void> {
    this.current = rec;
    try {
      const sent = rec?.sent ?? 0;
      fn();
      await (rec ? until(() => rec.done || rec.sent > sent) : flush());
    } finally {
      this.current = undefined;
    }
  }

  /** Controller.process, then WorkQueue.done: one place turns an outcome into queue actions. */
  private finish(rec: Inflight, result: Result | void, err: unknown): void {
    rec.done = true;
    this.inflight.delete(rec);
    if (this.dead) return;
    const queue = this.queues[rec.kind];
    if (err === undefined) {
      queue.forget(rec.key);
      if (result && result.requeueAfterMs !== undefined) queue.addAfter(rec.key, result.requeueAfterMs);
      this.log(() => `  ⤷ ${rec.kind} ${rec.key} #${rec.id} done${result?.requeueAfterMs !== undefined ? ` (requeue after ${result.requeueAfterMs} ms)` : ''}`);
    } else {
      const expected = err instanceof ApiException || err instanceof TimeoutError;
      if (!expected) this.o.cluster.violate(`${rec.kind} reconcile of ${rec.key} threw ${err instanceof Error ? err.stack?.split('\n').slice(0, 3).join(' | ') : String(err)}`);
      if (err instanceof TerminalError) queue.forget(rec.key);
      else queue.addRateLimited(rec.key);
      this.log(() => `  ⤷ ${rec.kind} ${rec.key} #${rec.id} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    queue.done(rec.key);
  }

  /** The process dies: nothing it started hears back, its caches stop, its queues empty. */
  kill(): void {
    this.dead = true;
    for (const cache of Object.values(this.caches)) (cache as LaggingCache<KubernetesObject>).close();
    this.queues.task.shutDown();
    this.queues.pool.shutDown();
  }

  /** Watch events not yet applied, over the three caches. */
  lag(): number {
    return this.caches.tasks.lag + this.caches.pools.lag + this.caches.jobs.lag + this.caches.pods.lag;
  }
}
