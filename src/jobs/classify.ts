// What a Job means to a pool and a task, read from the Job alone.
//
// The cap promises what a rate-limited source cares about: at most maxWorkers of a
// pool's syncs alive at once, counting a sync's pod until it is gone. So a Job holds
// its slot from the moment it is unsuspended until the Job controller writes the
// terminal `Complete`/`Failed` condition (since Kubernetes 1.31 it does so only once
// every pod has terminated), and a Job being deleted holds it until the object is gone
// (cancel and stale detection delete with foreground propagation, which keeps the Job
// until its pods are). The interim `SuccessCriteriaMet`/`FailureTarget` conditions,
// written while pods may still be terminating, free nothing.
import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import {
  ANNOTATION_ENQUEUED_AT, ANNOTATION_FAILURE_MESSAGE, ANNOTATION_FAILURE_REASON, ANNOTATION_PRIORITY, LABEL_SOURCE, LABEL_SYNC_TYPE,
} from './labels.js';

export type JobState = 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'Gone';

function trueCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Pods of the Job that still exist, running or terminating. */
function podsAlive(job: V1Job): boolean {
  return (job.status?.active ?? 0) > 0 || (job.status?.terminating ?? 0) > 0;
}

/**
 * - Succeeded / Failed: finished for good, every pod gone.
 * - Running: holds a slot (unsuspended, or with pods still alive, e.g. terminating).
 * - Queued: suspended, never admitted or given back, no pods: the pool's queue.
 * - Gone: being deleted before it ever ran; it is neither queued nor running.
 */
export function jobState(job: V1Job): JobState {
  if (trueCondition(job, 'Complete')) return 'Succeeded';
  if (trueCondition(job, 'Failed')) return 'Failed';
  if (!job.spec?.suspend || podsAlive(job)) return 'Running';
  return job.metadata?.deletionTimestamp ? 'Gone' : 'Queued';
}

export const isFinished = (job: V1Job) => {
  const state = jobState(job);
  return state === 'Succeeded' || state === 'Failed';
};

/** Holds one of its pool's slots now. */
export const holdsSlot = (job: V1Job) => jobState(job) === 'Running';

export const isQueued = (job: V1Job) => jobState(job) === 'Queued';

export const isDeleting = (job: V1Job) => job.metadata?.deletionTimestamp !== undefined && job.metadata?.deletionTimestamp !== null;

export interface JobOutcome {
  state: JobState;
  startedAt?: string;
  finishedAt?: string;
  /** Why it failed, in the Job controller's words (e.g. DeadlineExceeded). */
  reason?: string;
  message?: string;
}

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

export function jobOutcome(job: V1Job): JobOutcome {
  const state = jobState(job);
  const failed = trueCondition(job, 'Failed');
  const done = trueCondition(job, 'Complete') ?? failed;
  // A run the operator ended failed for the operator's reason, not the deadline it used.
  const ours = terminatedBecause(job);
  return {
    state,
    startedAt: state === 'Queued' || state === 'Gone' ? undefined : iso(job.status?.startTime),
    finishedAt: done ? iso(job.status?.completionTime ?? done.lastTransitionTime) : undefined,
    reason: state === 'Failed' ? ours?.reason ?? failed?.reason : undefined,
    message: state === 'Failed' ? ours?.message ?? failed?.message : undefined,
  };
}

/** The operator's reason for ending this run, if it ended it (see ClusterWrites.terminateJob). */
export function terminatedBecause(job: V1Job): { reason: string; message: string } | undefined {
  const reason = job.metadata?.annotations?.[ANNOTATION_FAILURE_REASON];
  return reason ? { reason, message: job.metadata?.annotations?.[ANNOTATION_FAILURE_MESSAGE] ?? '' } : undefined;
}

/** The task that controls this Job (its controller owner reference), by uid. */
export function controllerUid(job: V1Job): string | undefined {
  return job.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}

/** The queue fields the pool admission orders by, as written on the Job at creation. */
export function queueFields(job: V1Job): { priority: number; enqueuedAtMs: number; source: string; syncType: string } {
  const annotations = job.metadata?.annotations ?? {};
  const labels = job.metadata?.labels ?? {};
  const priority = Number(annotations[ANNOTATION_PRIORITY] ?? 0);
  const enqueued = Date.parse(annotations[ANNOTATION_ENQUEUED_AT] ?? '');
  return {
    priority: Number.isFinite(priority) ? priority : 0,
    // Jobs made by something else (an adopted CronJob) fall back to their creation time.
    enqueuedAtMs: Number.isFinite(enqueued) ? enqueued : new Date(job.metadata?.creationTimestamp ?? 0).getTime(),
    source: labels[LABEL_SOURCE] ?? '',
    syncType: labels[LABEL_SYNC_TYPE] ?? '',
  };
}
