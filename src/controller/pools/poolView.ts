// One pool's snapshot kept current change by change, so that an admission cycle costs
// what changed since the last one, not the depth of the queue. snapshotPool
// (src/jobs/poolSnapshot.ts) derives the same thing from the whole caches at once; this
// class holds the same derivation split per object, told of every change by the
// caches' events.
//
// What a cycle needs and how each part is kept:
// - the runs holding a slot by their Job's own state: few (about the pool's cap), kept
//   per Job;
// - the queue: queued Jobs a live task still wants, and reserved runs (tasks whose Job
//   is not made yet), kept in a QueueIndex so a decision reads only its head;
// - what this process assumed (admissions written but not seen, claims being created)
//   changes between any two cycles and is few: it is applied when the snapshot is read
//   (read()), never stored here.
//
// A queued Job's place depends on its task (is it live, is it cancelled), and a task's
// reservation on a Job of its run's name (any Job of the namespace, finished or not): so
// a task change re-judges the Jobs it wants, and a Job change re-judges the tasks
// awaiting its name. No I/O: the caller hands in the changes and a lookup of Jobs by name.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { QueueIndex } from '../../core/queueIndex.js';
import type { QueuedRun, RunRef } from '../../core/types.js';
import {
  awaitsJob, awaitsOwnJob, factsOf, outlivedTheirJob, podRun, queuedRunOf, reservedRunOf, slotOf, type TaskObject, wanted,
} from '../../jobs/poolSnapshot.js';
import { liveTasksByPool, unfinishedByPool } from '../indexes.js';

/** What a cycle decides over: as PoolSnapshot, with the queue kept instead of listed. */
export interface PoolViewSnapshot {
  running: RunRef[];
  /**
   * The pool's queue. It may also hold runs counted in `running` (assumed admissions,
   * claimed creates): the decision takes a queued name that is running to be that run.
   */
  queue: QueueIndex;
  /** Names in the queue that are tasks without a Job yet, claimed ones left out. */
  reserved: Set<string>;
}

/** What this process knows that the caches do not show yet (see PoolReconciler.snapshot). */
export interface Assumptions {
  /** The pool's sync pods not yet terminated, from the cache. */
  pods: readonly V1Pod[];
  /** uids of Jobs whose admission was written (or is being written) but not seen yet. */
  assumed: ReadonlySet<string>;
  /** Runs admitted by creating their Job running, not yet settled by the cache. */
  creating: readonly RunRef[];
  /** Runs whose Job is gone but whose pod may still be alive. */
  departed: readonly RunRef[];
}

interface QueuedJob {
  run: QueuedRun;
  /** The task whose wish decides whether it may run, or null (an adopted CronJob's run). */
  wantedBy: string | null;
  /** Whether the run is in the queue now (its task wants it). */
  queued: boolean;
}

const uidOf = (o: { metadata?: { uid?: string } }) => o.metadata!.uid!;
// The same tests as the informer indexes the reference snapshot reads through.
const isLiveIn = (pool: string, task: TaskObject) => liveTasksByPool(task)[0] === pool;
const isUnfinishedIn = (pool: string, job: V1Job) => unfinishedByPool(job)[0] === pool;

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

export class PoolView {
  readonly queue = new QueueIndex();
  /** The pool's unfinished Jobs, by uid. */
  private readonly unfinished = new Map<string, V1Job>();
  /** Of those, the ones holding a slot by their own state. */
  private readonly holding = new Map<string, V1Job>();
  private readonly queuedJobs = new Map<string, QueuedJob>();
  /** Queued Jobs' uids by the uid of the task that wants them. */
  private readonly wantedBy = new Map<string, Set<string>>();
  /** The pool's tasks not in a final phase, by uid. */
  private readonly tasks = new Map<string, TaskObject>();
  /** Reserved runs in the queue, by their task's uid. */
  private readonly reservations = new Map<string, QueuedRun>();
  /**
   * Tasks awaiting a Job (awaitsJob), by that Job's name: whether each is reserved
   * depends on it. A task's entry follows the task object held in `tasks`.
   */
  private readonly awaiting = new Map<string, Set<string>>();

  /**
   * `key`: the pool's `namespace/name`. `jobNamed`: any Job of its namespace by name,
   * as the cache shows it when asked (finished ones included).
   */
  constructor(readonly key: string, private readonly jobNamed: (name: string) => V1Job | undefined) {}

  /**
   * A task changed (`before` or `after` missing: added or deleted); either may not be this
   * pool's. The two may differ in uid: a task deleted and applied again under its name
   * comes as one update when the watch missed the deletion.
   */
  taskChanged(before: TaskObject | undefined, after: TaskObject | undefined): void {
    const uids = new Set([before, after].filter((t) => t !== undefined).map(uidOf));
    for (const uid of uids) this.forgetTask(uid);
    if (after && isLiveIn(this.key, after)) {
      const uid = uidOf(after);
      this.tasks.set(uid, after);
      if (awaitsJob(after)) addTo(this.awaiting, reservedRunOf(after).name, uid);
    }
    for (const uid of uids) {
      this.judgeReservation(uid);
      for (const job of this.wantedBy.get(uid) ?? []) this.judgeQueued(job);
    }
  }

  /**
   * A Job of the namespace changed; whether it is this pool's or not, its name may be
   * awaited. As with tasks, `before` and `after` may be two Jobs of one name.
   */
  jobChanged(before: V1Job | undefined, after: V1Job | undefined): void {
    if (before && this.unfinished.has(uidOf(before))) this.forgetJob(uidOf(before));
    if (after && this.unfinished.has(uidOf(after))) this.forgetJob(uidOf(after));
    if (after && isUnfinishedIn(this.key, after)) this.keepJob(after);
    const name = (after ?? before)!.metadata!.name!;
    for (const task of this.awaiting.get(name) ?? []) this.judgeReservation(task);
  }

  /** One of the pool's tasks not in a final phase, by uid. */
  liveTask(uid: string): TaskObject | undefined {
    return this.tasks.get(uid);
  }

  /** The snapshot for a cycle: what the caches show, with this process's assumptions on top. */
  read({ pods, assumed, creating, departed }: Assumptions): PoolViewSnapshot {
    // A claimed run holds its slot under its Job's name, whatever the cache shows of it.
    const running: RunRef[] = [...creating];
    const claimed = new Set(creating.map((run) => run.name));
    const count = (job: V1Job) => {
      const run = queuedRunOf(job);
      if (!claimed.has(run.name)) running.push(slotOf(run));
    };
    for (const job of this.holding.values()) count(job);
    for (const uid of assumed) {
      const job = this.unfinished.get(uid);
      if (job && !this.holding.has(uid)) count(job);
    }
    // Pods whose Job is gone (deleted in the background) still sync until they end.
    running.push(...outlivedTheirJob(pods, (uid) => this.unfinished.has(uid)).map(podRun), ...departed);
    const reserved = new Set<string>();
    for (const run of this.reservations.values()) if (!claimed.has(run.name)) reserved.add(run.name);
    return { running, queue: this.queue, reserved };
  }

  /** Takes a task out of `tasks` and `awaiting`, as it was held. */
  private forgetTask(uid: string): void {
    const held = this.tasks.get(uid);
    if (!held) return;
    this.tasks.delete(uid);
    if (awaitsJob(held)) deleteFrom(this.awaiting, reservedRunOf(held).name, uid);
  }

  private keepJob(job: V1Job): void {
    const uid = uidOf(job);
    this.unfinished.set(uid, job);
    const facts = factsOf(job);
    if (facts.state === 'Running') {
      this.holding.set(uid, job);
    } else if (facts.state === 'Queued') {
      this.queuedJobs.set(uid, { run: queuedRunOf(job), wantedBy: facts.wantedBy, queued: false });
      if (facts.wantedBy !== null) addTo(this.wantedBy, facts.wantedBy, uid);
      this.judgeQueued(uid);
    }
  }

  private forgetJob(uid: string): void {
    this.unfinished.delete(uid);
    this.holding.delete(uid);
    const entry = this.queuedJobs.get(uid);
    if (!entry) return;
    if (entry.queued) this.queue.delete(entry.run);
    if (entry.wantedBy !== null) deleteFrom(this.wantedBy, entry.wantedBy, uid);
    this.queuedJobs.delete(uid);
  }

  /** A queued Job waits in the queue only for a live task that still wants it (or none). */
  private judgeQueued(uid: string): void {
    const entry = this.queuedJobs.get(uid);
    if (!entry) return;
    const queued = wanted(entry.wantedBy, this.tasks);
    if (queued === entry.queued) return;
    if (queued) this.queue.add(entry.run);
    else this.queue.delete(entry.run);
    entry.queued = queued;
  }

  /** A task awaiting its Job is reserved unless a Job of its run's name is already its own. */
  private judgeReservation(uid: string): void {
    const task = this.tasks.get(uid);
    let next: QueuedRun | undefined;
    if (task && awaitsJob(task)) {
      const run = reservedRunOf(task);
      if (awaitsOwnJob(uid, run, this.jobNamed)) next = run;
    }
    const current = this.reservations.get(uid);
    if (current === next) return;
    if (current) this.queue.delete(current);
    if (next) {
      this.queue.add(next);
      this.reservations.set(uid, next);
    } else {
      this.reservations.delete(uid);
    }
  }
}
