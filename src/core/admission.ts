// One admission decision for one pool at one instant: which queued runs start now, and
// why each of the others waits. The caller's snapshot must already count admissions that
// were written but not yet seen in its cache; given that, the plan never exceeds the cap.
import { orderQueue } from './ordering.js';
import type { AdmissionInput, AdmissionPlan, PoolPolicy, QueuedRun, RunRef, WaitReason } from './types.js';

/** Reasons specific to one run; the pool-wide ones (paused, full) are decided after the walk. */
type RunBlock = Extract<WaitReason, 'SourceLimit' | 'Overlap'>;

/** What occupies the pool: running runs plus those admitted so far in this plan. */
interface Load {
  count: number;
  bySource: Map<string, number>;
  syncs: Set<string>;
}

function syncKey(run: RunRef): string {
  // JSON keeps the key unambiguous whatever characters the two parts contain.
  return JSON.stringify([run.source, run.syncType]);
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

/**
 * Runs that cannot start (source limit, overlap) are skipped, not waited on, so one
 * blocked head does not hold up the runs behind it. Only the pool-wide cap ends admission.
 *
 * A queued run whose name is already running (a cache that saw the Job unsuspended but
 * not yet its queue entry removed) is taken to be that running run: it is neither admitted
 * again nor listed as waiting. A name queued twice keeps only its first place in order.
 */
export function planAdmission({ policy, running, queued, nowMs }: AdmissionInput): AdmissionPlan {
  // 1. Start from what already occupies the pool.
  const load = loadOf(running);
  const seen = new Set(running.map((run) => run.name));
  const admit: QueuedRun[] = [];
  const held: { run: QueuedRun; block: RunBlock | undefined }[] = [];

  // 2. Walk the queue in order, admitting every run that fits.
  for (const run of orderQueue(queued, policy.agingIntervalMs, nowMs)) {
    if (seen.has(run.name)) continue;
    seen.add(run.name);
    if (policy.paused || isFull(policy, load)) {
      held.push({ run, block: undefined });
      continue;
    }
    const block = blockOf(policy, load, run);
    if (block !== undefined) {
      held.push({ run, block });
      continue;
    }
    admit.push(run);
    occupy(load, run);
  }

  // 3. Explain the rest against the pool as this plan leaves it: with no free slot, the
  //    cap is what every waiting run waits for, even one also held by its own block.
  const full = isFull(policy, load);
  const waiting = held.map(({ run, block }, index) => ({
    run,
    position: index + 1,
    reason: waitReason(policy.paused, full, block),
  }));
  return { admit, waiting };
}

function waitReason(paused: boolean, full: boolean, block: RunBlock | undefined): WaitReason {
  if (paused) return 'PoolPaused';
  // A run held without a block of its own was held by the cap, and the cap only fills up.
  if (full || block === undefined) return 'PoolFull';
  return block;
}
