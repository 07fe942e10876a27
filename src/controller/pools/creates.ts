// An admission made by creating the Job running (a claim, see claims.ts), kept by the
// Job's name: its uid is unknown until the create answers. Its slot is held from the
// claim on, and given back only when nothing of ours can hold it any more:
// - sending: the create is in flight. Held, whatever the cache shows: the answer settles it.
// - landed: the create answered with the stored Job (uid, revision). Held until the cache
//   shows that Job (or a newer Job of the name); then it counts itself, running or not.
// - uncertain: a create's outcome is unknown (timeout, 5xx, dropped). Held until the
//   cache shows a Job of ours by that name (then it counts itself); meanwhile the task
//   looks for its Job live and, finding none, sends the same create under this claim.
// A claim whose task no longer wants its Job (deleted, cancelled, finished) and whose Job
// the cache does not show is "unseen": the cache may simply lag behind a Job that runs,
// so only a live look (the pool reconciler's, before it decides) may let it go; one still
// in flight is looked at again once its answer is in.
import type { V1Job } from '@kubernetes/client-node';
import type { RunRef } from '../../core/types.js';
import { controllerUid } from '../../jobs/classify.js';

/** What a claim is for: one attempt's Job, by name, of one task (by uid). */
export interface CreateClaim extends RunRef {
  namespace: string;
  taskUid: string;
}

export interface CreateExpectation {
  namespace: string;
  name: string;
  taskUid: string;
  run: RunRef;
  assumedAtMs: number;
  state: 'sending' | 'landed' | 'uncertain';
  /**
   * A create under this claim landed, or had an unknown outcome: a Job of ours may exist
   * (the cache not showing it yet), so a later create's refusal (429, AlreadyExists)
   * proves nothing about the slot.
   */
  mayExist: boolean;
  /** The Job a create made (landed), and the revision it was stored at. */
  uid?: string;
  writtenRevision?: string;
  /** Whether the admission was reported (onAdmit), so that it is reported once. */
  reported: boolean;
}

/** What the pool's caches show, for settling: unfinished Jobs by uid, any Job by name, live tasks. */
export interface PoolView {
  /** The Job of this uid and name if it is one of the pool's unfinished Jobs. */
  unfinished: (uid: string, name: string) => V1Job | undefined;
  jobNamed: (name: string) => V1Job | undefined;
  /** The task (by uid) still wants its Job: it is live (not finished) and not cancelled. */
  wants: (taskUid: string) => boolean;
}

/** etcd revisions are integers; compare them as such. */
export function atOrPast(cached: string | undefined, written: string): boolean {
  try {
    return BigInt(cached ?? '0') >= BigInt(written);
  } catch {
    return false;
  }
}

export function newCreate(claim: CreateClaim, nowMs: number): CreateExpectation {
  const { namespace, name, taskUid, source, syncType } = claim;
  return { namespace, name, taskUid, run: { name, source, syncType }, assumedAtMs: nowMs, state: 'sending', mayExist: false, reported: false };
}

/** A create is about to be sent (again) under this claim. */
export function sending(e: CreateExpectation): void {
  e.state = 'sending';
}

/**
 * A Job holds the name, as the API server stored it (ours, answering our create, or one
 * found running by a live look): held until the cache shows it.
 */
export function landed(e: CreateExpectation, job: V1Job): void {
  e.state = 'landed';
  e.mayExist = true;
  e.uid = job.metadata?.uid;
  e.writtenRevision = job.metadata?.resourceVersion ?? '0';
}

/** A create's outcome is unknown: it may have landed. */
export function uncertain(e: CreateExpectation): void {
  e.state = 'uncertain';
  e.mayExist = true;
}

/**
 * Where a claim stands against the caches: 'settled' (the cache shows what holds the
 * name, which counts itself), 'held', or 'unseen' (held, and only a live look can settle it).
 */
export function settleCreate(e: CreateExpectation, view: PoolView): 'settled' | 'held' | 'unseen' {
  // In flight: its answer settles it. But the answer may settle nothing (no outcome) and
  // a task that no longer wants its Job will not send it again: 'unseen' has the pool
  // look again after the answer.
  if (e.state === 'sending') return view.wants(e.taskUid) ? 'held' : 'unseen';
  const cached = view.jobNamed(e.name);
  const seen = cached !== undefined && (e.state === 'landed'
    ? cached.metadata?.uid === e.uid || atOrPast(cached.metadata?.resourceVersion, e.writtenRevision!)
    // Ours, in whatever state: the create that may have landed is this Job, or it
    // cannot have (the name was taken first).
    : controllerUid(cached) === e.taskUid);
  if (seen) return 'settled';
  // Not shown, or another task's Job under the name (the cache is behind, or ours may
  // come after it): held while the task wants its Job, which settles it.
  return view.wants(e.taskUid) ? 'held' : 'unseen';
}
