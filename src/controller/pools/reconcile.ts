// Pool admission. One cycle, as numbered steps:
//   1. Is the pool usable (spec parses, template makes valid Jobs)? If not, say so and stop.
//   2. What needs the API server before deciding: departed runs looked up live, admissions
//      whose earlier write had an unknown outcome sent again, claimed creates whose task is
//      gone looked up live.
//   3. Snapshot, decide, assume, with no await in between: the pool's view (kept from the
//      caches' events, poolView.ts) and alive pods, with what this pool assumed but its cache
//      has not shown yet counted as running; the pure core decides over the view's queue; every
//      admission is assumed. Claims (a task creating its Job already admitted, claim()) do
//      the same synchronously, so cycles and claims take turns and each counts the other's.
//   4. Write the admissions all at once and settle each as its answer comes.
//   5. Write the pool's status if it changed (statusWriter.ts).
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { WorkerPool } from '../../api/types.js';
import { decideAdmission } from '../../core/admission.js';
import type { AdmissionDecision, PoolPolicy, RunRef } from '../../core/types.js';
import { JOB_UID_LABEL } from '../../jobs/labels.js';
import { apiStatus, isDefiniteRefusal } from '../../kube/client.js';
import type { EventSink } from '../../kube/events.js';
import type { ClusterWrites } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import type { Result } from '../../runtime/controller.js';
import { splitKey, type WriteThroughCache } from '../cache.js';
import { ALIVE_PODS_BY_POOL, type IndexedCache, LIVE_TASKS_BY_POOL, UNFINISHED_BY_POOL, unfinishedByPool } from '../indexes.js';
import { assertSameSnapshot, PoolViews, type WatchedCache } from './poolViews.js';
import type { PoolViewSnapshot } from './poolView.js';
import type { DepartedRun, DepartedRuns } from './departures.js';
import { settleUnseen } from './claims.js';
import type { AdmissionExpectations, Observed } from './expectations.js';
import { poolPolicy } from '../../api/poolPolicy.js';
import { snapshotPool, type TaskObject } from '../../jobs/poolSnapshot.js';
import { PoolStatusWriter, type Unusable } from './statusWriter.js';
import type { TemplateChecks } from './templateCheck.js';

export interface PoolReconcilerDeps {
  pools: WriteThroughCache<WorkerPool>;
  /** Jobs and tasks: the pools' views follow their events (poolViews.ts). */
  jobs: WatchedCache<V1Job>;
  pods: IndexedCache<V1Pod>;
  tasks: WatchedCache<TaskObject>;
  writes: ClusterWrites;
  expectations: AdmissionExpectations;
  departures: DepartedRuns;
  templates: TemplateChecks;
  events: EventSink;
  now: () => Date;
  log: Logger;
  /** Observes each admitted Job (metrics, latency measurement). */
  onAdmit?: (job: V1Job) => void;
  /**
   * Whether a claim may be refused on the last decision's word, without a snapshot (on
   * unless false). The hint only ever refuses, so the simulation turns it off for half
   * its runs: the snapshot and the decision alone must keep the cap.
   */
  claimHints?: boolean;
  /**
   * Whether every snapshot is also derived from the whole caches (snapshotPool) and the
   * two compared, throwing on a difference: for the simulation and unit tests.
   */
  checkViews?: boolean;
}

/**
 * Reserved runs among the decision's waiting ones: every reserved name is queued, and it
 * waits unless a running run has its name (then the decision counts it as running) or it
 * was admitted now.
 */
function reservedWaiting(snap: PoolViewSnapshot, admitted: readonly RunRef[]): number {
  if (snap.reserved.size === 0) return 0;
  const notWaiting = new Set([...snap.running, ...admitted].map((run) => run.name));
  let count = 0;
  for (const name of snap.reserved) if (!notWaiting.has(name)) count += 1;
  return count;
}

/** How soon a pool looks again at a claim of a gone task that was still being sent. */
const UNSEEN_LOOK_AGAIN_MS = 1000;

type Usable = { ok: true; policy: PoolPolicy } | Unusable;

export class PoolReconciler {
  /**
   * Whether each pool is usable, for the spec generation it was judged on: parsing the
   * spec and dry-running its templates once per change, not on every admission cycle.
   */
  private readonly verdicts = new Map<string, { uid?: string; generation?: number; usable: Usable }>();

  /**
   * Each pool's snapshot, its queue in order, kept current from the caches' events: a
   * cycle reads what changed and the queue's head, not every run of a deep queue.
   */
  private readonly views: PoolViews;

  /**
   * What each pool's last decision (a cycle's or a claim's) left, for claims to skip a
   * snapshot that would refuse them: the reserved runs it admitted (their tasks may
   * claim), the slots it left spare and the runs it left waiting.
   */
  private readonly hints = new Map<string, { admitted: Set<string>; spare: number; waiting: number }>();

  private readonly status: PoolStatusWriter;

  constructor(private readonly d: PoolReconcilerDeps) {
    this.status = new PoolStatusWriter(d);
    this.views = new PoolViews(d.jobs, d.tasks, d.log);
  }

  async reconcile(key: string): Promise<Result | void> {
    const [namespace, name] = splitKey(key);
    const pool = this.d.pools.get(namespace, name);
    if (!pool) {
      // Its Jobs stay queued; its tasks show the pool missing.
      this.d.expectations.forgetPool(key);
      this.d.departures.forgetPool(key);
      this.verdicts.delete(key);
      this.views.forget(key);
      this.hints.delete(key);
      this.status.forget(key);
      return;
    }
    // 1. Usable? An unusable pool admits nothing and says why; a spec change brings it back.
    const usable = await this.usable(key, pool);
    if (!usable.ok) {
      this.hints.delete(key);
      await this.status.write(pool, { invalid: usable });
      return;
    }
    const { policy } = usable;

    // 2. Everything that needs the API server comes before the decision (see step 3).
    const { resent, lookAgain } = await this.lookBeforeDeciding(key, namespace);

    // 3. Snapshot through the indexes (only this pool's unfinished Jobs and live tasks),
    //    decide (pure), assume every admission: no await from here to the writes, so the
    //    decision is this snapshot's alone, and no claim slips in between (claims run
    //    between cycles' awaits and count what this cycle assumed, as it counts theirs).
    //    Every admission is assumed before the first write, so whatever answers come back,
    //    and in whatever order, the slots counted are never given out twice.
    const nowMs = this.d.now().getTime();
    const snap = this.snapshot(key, namespace);
    const decision = this.decide(key, policy, snap, nowMs);
    // A reserved run's task has no Job yet: the slot waits for it (its task may claim it).
    const admitting = decision.admit.filter((run) => !snap.reserved.has(run.name)).map((run) => this.assume(key, namespace, run.name, nowMs));

    // 4. Admit the whole decision at once: one round trip per cycle, not one per slot
    //    (awaiting each in turn left half of a 50-slot pool idle when runs are short).
    const admitted = await Promise.allSettled(admitting.map(({ job, ref }) => this.write(key, ref, false).then((ok) => {
      if (ok) this.d.onAdmit?.(job);
      return ok;
    })));
    const started = admitted.filter((r) => r.status === 'fulfilled' && r.value).length;
    // A write that failed requeues the pool with backoff, once every answer is in.
    const failed = [...resent, ...admitted].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // 5. Status counts Jobs. A task whose Job is being created shows up a moment later:
    //    counting it now would cost two status writes per task (queued up, then down).
    const waitingJobs = decision.waiting - reservedWaiting(snap, decision.admit);
    const result = await this.status.write(pool, { policy, active: snap.running.length + started, queued: waitingJobs });
    // A claim whose task is gone was still being sent: its answer may settle nothing.
    if (lookAgain) return { requeueAfterMs: Math.min(result?.requeueAfterMs ?? Infinity, UNSEEN_LOOK_AGAIN_MS) };
    return result;
  }

  /**
   * Whether the pool admits this task's run (its Job not made yet) right now: then its
   * slot is assumed at once, and the task creates the Job already admitted, a write and a
   * watch round trip sooner than creating it queued for the next cycle to admit.
   * Synchronous, as a cycle's snapshot-decide-assume is, and decided the same way: the
   * run must be among what the pure decision admits now, so a claim never jumps the queue
   * (priority, source limits, overlap). Refused whenever in doubt: no verdict on the
   * pool's current spec yet (a new leader's first cycle has not run), or the last decision
   * says the run would not be admitted (a hint, so a deep queue does not pay a snapshot
   * per task: the fresh snapshot decides), or a claim of that name is held already.
   */
  claim(key: string, claim: { name: string; taskUid: string }): boolean {
    if (this.d.expectations.create(key, claim.name)) return false;
    const hint = this.hints.get(key);
    if (!hint) return false; // no decision yet since this process leads
    const likely = hint.admitted.has(claim.name) || (hint.spare > 0 && hint.waiting === 0);
    if (!likely && this.d.claimHints !== false) return false;
    const [namespace, name] = splitKey(key);
    const pool = this.d.pools.get(namespace, name);
    const known = this.verdicts.get(key);
    if (!pool || !known?.usable.ok || known.uid !== pool.metadata.uid || known.generation !== pool.metadata.generation) return false;
    const nowMs = this.d.now().getTime();
    const snap = this.snapshot(key, namespace);
    const decision = this.decide(key, known.usable.policy, snap, nowMs);
    const run = decision.admit.find((r) => r.name === claim.name);
    if (!run || !snap.reserved.has(claim.name)) return false;
    this.d.expectations.assumeCreate(key, { namespace, name: run.name, source: run.source, syncType: run.syncType, taskUid: claim.taskUid }, nowMs);
    this.hints.get(key)?.admitted.delete(run.name);
    return true;
  }

  /**
   * Whether the pool's last decision left no slot free and none held for a task's claim:
   * then only a Job, pod or pool change (or time) can make room, and a task event need
   * not run a cycle at once (wiring.ts). False when there is no decision yet.
   */
  full(key: string): boolean {
    const hint = this.hints.get(key);
    return hint !== undefined && hint.spare <= 0 && hint.admitted.size === 0;
  }

  /**
   * The pool at this instant, from its view and what this process assumed. Departed
   * runs still recorded all hold their slot (the live look that settles them comes before,
   * in lookBeforeDeciding, never in between).
   */
  private snapshot(key: string, namespace: string): PoolViewSnapshot {
    const view = this.views.of(key);
    const pods = this.d.pods.byIndex(ALIVE_PODS_BY_POOL, key);
    const jobNamed = (job: string) => this.d.jobs.get(namespace, job);
    const observed = this.observe(key, (uid) => view.liveTask(uid), jobNamed);
    const departed = this.departedUnseen(key, pods)
      .map((run) => ({ name: `departed/${run.name}`, source: run.source, syncType: run.syncType }));
    const snap = view.read({ pods, assumed: observed.assumed, creating: observed.creating, departed });
    if (this.d.checkViews) {
      const jobs = this.d.jobs.byIndex(UNFINISHED_BY_POOL, key);
      const tasks = this.d.tasks.byIndex(LIVE_TASKS_BY_POOL, key);
      assertSameSnapshot(key, snap, snapshotPool({ jobs, pods, tasks, assumed: observed.assumed, creating: observed.creating, departed, jobNamed }));
    }
    return snap;
  }

  /**
   * Settles the pool's expectations against what the caches show now. Jobs are found by
   * name (an expectation knows its Job's name), live tasks by uid from the pool's view.
   */
  private observe(key: string, liveTask: (uid: string) => TaskObject | undefined, jobNamed: (name: string) => V1Job | undefined): Observed {
    return this.d.expectations.observe(key, {
      unfinished: (uid, name) => {
        const job = jobNamed(name);
        return job?.metadata?.uid === uid && unfinishedByPool(job)[0] === key ? job : undefined;
      },
      jobNamed,
      wants: (uid) => {
        const task = liveTask(uid);
        return task !== undefined && !task.spec.cancel;
      },
    });
  }

  /** The pure decision over the view's queue; remembered as the next claims' hint. */
  private decide(key: string, policy: PoolPolicy, snap: PoolViewSnapshot, nowMs: number): AdmissionDecision {
    const decision = decideAdmission({ policy, running: snap.running, queue: snap.queue, nowMs });
    this.hints.set(key, {
      admitted: new Set(decision.admit.filter((run) => snap.reserved.has(run.name)).map((run) => run.name)),
      spare: policy.paused ? 0 : policy.maxWorkers - snap.running.length - decision.admit.length,
      waiting: decision.waiting,
    });
    return decision;
  }

  /**
   * Step 2: departed runs whose pods are gone are settled (a live look); admissions with
   * an unknown outcome are sent again; claimed creates whose task is gone and whose Job
   * the cache never showed are looked up. Returns the resends' outcomes, and whether such
   * a claim was still being sent (then the pool is looked at again: no event may come).
   */
  private async lookBeforeDeciding(key: string, namespace: string): Promise<{ resent: PromiseSettledResult<boolean>[]; lookAgain: boolean }> {
    await this.settleDepartures(key);
    if (this.d.expectations.size(key) === 0) return { resent: [], lookAgain: false };
    const view = this.views.of(key);
    const observed = this.observe(key, (uid) => view.liveTask(uid), (job) => this.d.jobs.get(namespace, job));
    let lookAgain = false;
    for (const e of observed.unseen) {
      if (await settleUnseen(this.d.writes, this.d.expectations, key, e) === 'inFlight') lookAgain = true;
    }
    const resent = await Promise.allSettled(observed.resend.map(({ uid, name: job }) => this.write(key, { namespace, name: job, uid }, true)));
    return { resent, lookAgain };
  }

  /**
   * Departed runs that no longer hold a slot: those whose pod the pod cache has not shown
   * and a live look finds gone. One seen in the pod cache counts there instead.
   */
  private async settleDepartures(pool: string): Promise<void> {
    for (const run of this.departedUnseen(pool, this.d.pods.byIndex(ALIVE_PODS_BY_POOL, pool))) {
      if (await this.d.writes.alivePods(run.namespace, run.uid) === 0) this.d.departures.settled(pool, run.uid);
    }
  }

  /**
   * Departed runs whose pods the pod cache does not show: those count here (a pod it shows
   * counts as a pod whose Job is gone). Usually none, and then no pod is looked at.
   */
  private departedUnseen(pool: string, pods: readonly V1Pod[]): DepartedRun[] {
    const departed = this.d.departures.of(pool);
    if (departed.length === 0) return departed;
    const seen = new Set(pods.map((p) => p.metadata?.labels?.[JOB_UID_LABEL]));
    return departed.filter((run) => !seen.has(run.uid));
  }

  private async usable(key: string, pool: WorkerPool): Promise<Usable> {
    const { uid, generation } = pool.metadata;
    const known = this.verdicts.get(key);
    if (known && known.uid === uid && known.generation === generation) return known.usable;
    const usable = await this.judge(pool);
    this.verdicts.set(key, { uid, generation, usable });
    return usable;
  }

  private async judge(pool: WorkerPool): Promise<Usable> {
    const parsed = poolPolicy(pool);
    if (!parsed.ok) return { ok: false, reason: 'InvalidSpec', message: parsed.message };
    const verdict = await this.d.templates.verdict(pool);
    if (!verdict.ok) return { ok: false, reason: 'InvalidTemplate', message: verdict.message };
    return { ok: true, policy: parsed.policy };
  }

  /**
   * Counts the admission as running from now on, before its write is sent. The Job is
   * the snapshot's: no await lies between them, so the cache still holds that object.
   */
  private assume(pool: string, namespace: string, name: string, nowMs: number) {
    const job = this.d.jobs.get(namespace, name)!;
    const ref = { namespace: job.metadata!.namespace!, name, uid: job.metadata!.uid! };
    this.d.expectations.assume(pool, ref.uid, name, nowMs);
    return { job, ref };
  }

  /**
   * Writes an admission and settles its expectation. False when the Job went away (or is
   * another one) meanwhile. `resend`: an earlier write of it had an unknown outcome.
   */
  private async write(pool: string, ref: { namespace: string; name: string; uid: string }, resend: boolean): Promise<boolean> {
    try {
      const stored = await this.d.writes.admitJob(ref);
      this.d.expectations.landed(pool, ref.uid, stored.metadata?.resourceVersion);
      return true;
    } catch (err) {
      const code = apiStatus(err);
      // Deleted (cancelled) meanwhile, or replaced by another Job of the same name (422:
      // the uid precondition): nothing left to admit.
      const moot = code === 404 || code === 409 || code === 422;
      // Refused, so this write changed nothing; but a refused resend (throttled, say) says
      // nothing of the earlier write that may have landed: that one keeps the slot.
      if (isDefiniteRefusal(err) && (!resend || moot)) {
        this.d.expectations.rollback(pool, ref.uid);
        // Anything else (throttled, forbidden for now) is tried again with backoff.
        if (moot) return false;
        throw err;
      }
      // Unknown outcome: it may have landed, so the slot stays taken and the write is
      // sent again on the next cycle (the error requeues this pool with backoff).
      this.d.expectations.uncertain(pool, ref.uid);
      throw err;
    }
  }
}
