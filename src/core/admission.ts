// One admission decision for one pool at one instant: which queued runs start now, and
// why each of the others waits. The caller's snapshot must already count admissions that
// were written but not yet seen in its cache; given that, the plan never exceeds the cap.
// One walk, two readers: the full plan (positions and reasons, for views) and the decision
// of an admission cycle (who starts, over a kept QueueIndex, reading only the queue's head).
import { orderQueue } from './ordering.js';
import type { QueueIndex } from './queueIndex.js';
import type { AdmissionDecision, AdmissionInput, AdmissionPlan, PoolPolicy, QueuedRun, RunRef, WaitReason } from './types.js';

/** Reasons specific to one run; the pool-wide ones (paused, full) are decided after the walk. */
type RunBlock = Extract<WaitReason, 'SourceLimit' | 'Overlap'>;

/** What occupies the pool: running runs plus those admitted so far in this plan. */
interface Load {
  count: number;
  bySource: Map<string, number>;
  syncs: Set<string>;
}

/**
 * Kept per run object: a queue's runs are the same objects cycle after cycle, and a walk
 * through a long stretch of runs held by overlap computed each key anew (4 of the 150
 * CPU seconds profiled while a 10,000-deep pool drained). Runs are values, never changed.
 */
const syncKeys = new WeakMap<RunRef, string>();

function syncKey(run: RunRef): string {
  let key = syncKeys.get(run);
  if (key === undefined) {
    // JSON keeps the key unambiguous whatever characters the two parts contain.
    key = JSON.stringify([run.source, run.syncType]);
    syncKeys.set(run, key);
  }
  return key;
}

function occupy(load: Load, run: RunRef): void {
  load.count += 1;
  load.bySource.set(run.source, (load.bySource.get(run.source) ?? 0) + 1);
  load.syncs.add(syncKey(run));
}

function loadOf(running: readonly RunRef[]): Load {
  const load: Load = { count: 0, bySource: new Map(), syncs: new Set() };
  for (const run of running) occupy(load, run);
  return load;
}

function isFull(policy: PoolPolicy, load: Load): boolean {
  return load.count >= policy.maxWorkers;
}

/**
 * Overlap is checked first: when a duplicate of this very sync is running, that run is
 * what it waits for, whatever the source limit says.
 */
function blockOf(policy: PoolPolicy, load: Load, run: RunRef): RunBlock | undefined {
  if (policy.overlap === 'Forbid' && load.syncs.has(syncKey(run))) return 'Overlap';
  // hasOwn: a source named like an Object.prototype member ("constructor") has no limit.
  if (Object.hasOwn(policy.sourceLimits, run.source)) {
    const limit = policy.sourceLimits[run.source] ?? Infinity;
    if ((load.bySource.get(run.source) ?? 0) >= limit) return 'SourceLimit';
  }
  return undefined;
}

/** A run the walk did not admit, and what of its own held it (none: the pool did). */
type Hold = (run: QueuedRun, block: RunBlock | undefined) => void;

/**
 * Runs that cannot start (source limit, overlap) are skipped, not waited on, so one
 * blocked head does not hold up the runs behind it. Only the pool-wide cap ends admission.
 *
 * A queued run whose name is already running (a cache that saw the Job unsuspended but
 * not yet its queue entry removed) is taken to be that running run: it is neither admitted
 * again nor held. A name queued twice keeps only its first place in order.
 *
 * Without `hold` the walk stops where the pool is full or paused: nothing after that
 * point can be admitted, and only the full plan needs to explain why each run waits.
 */
function walkQueue(policy: PoolPolicy, running: readonly RunRef[], ordered: Iterable<QueuedRun>, hold?: Hold): { admit: QueuedRun[]; load: Load } {
  // 1. Start from what already occupies the pool.
  const load = loadOf(running);
  const seen = new Set(running.map((run) => run.name));
  const admit: QueuedRun[] = [];

  // 2. Walk the queue in order, admitting every run that fits.
  for (const run of ordered) {
    if (seen.has(run.name)) continue;
    seen.add(run.name);
    if (policy.paused || isFull(policy, load)) {
      if (!hold) break;
      hold(run, undefined);
      continue;
    }
    const block = blockOf(policy, load, run);
    if (block !== undefined) {
      hold?.(run, block);
      continue;
    }
    admit.push(run);
    occupy(load, run);
  }
  return { admit, load };
}

/** Which runs start now, and the place in the queue of every other one and why it waits. */
export function planAdmission({ policy, running, queued, nowMs }: AdmissionInput): AdmissionPlan {
  const held: { run: QueuedRun; block: RunBlock | undefined }[] = [];
  const { admit, load } = walkQueue(policy, running, orderQueue(queued, policy.agingIntervalMs, nowMs), (run, block) => {
    held.push({ run, block });
  });

  // Explain the rest against the pool as this plan leaves it: with no free slot, the cap
  // is what every waiting run waits for, even one also held by its own block.
  const full = isFull(policy, load);
  const waiting = held.map(({ run, block }, index) => ({
    run,
    position: index + 1,
    reason: waitReason(policy.paused, full, block),
  }));
  return { admit, waiting };
}

export interface DecisionInput {
  policy: PoolPolicy;
  running: RunRef[];
  queue: QueueIndex;
  nowMs: number;
}

/**
 * The same admissions as `planAdmission` over the same queue, for the admission cycle:
 * it reads the queue only as far as the pool fills up, and counts the runs left waiting
 * instead of listing them. Runs held by their own block are read one by one on the way:
 * a long queue of one sync behind its running twin (overlap Forbid) is read through.
 */
export function decideAdmission({ policy, running, queue, nowMs }: DecisionInput): AdmissionDecision {
  const { admit } = walkQueue(policy, running, queue.ordered(policy.agingIntervalMs, nowMs));
  // Waiting: every queued name but those running (see walkQueue) and those admitted now.
  const runningQueued = new Set(running.filter((run) => queue.has(run.name)).map((run) => run.name));
  return { admit, waiting: queue.size - runningQueued.size - admit.length };
}

function waitReason(paused: boolean, full: boolean, block: RunBlock | undefined): WaitReason {
  if (paused) return 'PoolPaused';
  // A run held without a block of its own was held by the cap, and the cap only fills up.
  if (full || block === undefined) return 'PoolFull';
  return block;
}
