// What a Job means to a pool and a task, read from the Job alone.
import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import { ANNOTATION_ENQUEUED_AT, ANNOTATION_PRIORITY, LABEL_SOURCE, LABEL_SYNC_TYPE } from './labels.js';

export type JobState = 'Queued' | 'Running' | 'Succeeded' | 'Failed';

function trueCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/**
 * Finished wins over suspended: a Job that finished is never queued again. An
 * unsuspended, unfinished Job holds a slot of its pool even before its pod starts.
 */
export function jobState(job: V1Job): JobState {
  if (trueCondition(job, 'Complete') || trueCondition(job, 'SuccessCriteriaMet')) return 'Succeeded';
  if (trueCondition(job, 'Failed') || trueCondition(job, 'FailureTarget')) return 'Failed';
  return job.spec?.suspend ? 'Queued' : 'Running';
}

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
  const failed = trueCondition(job, 'Failed') ?? trueCondition(job, 'FailureTarget');
  const done = trueCondition(job, 'Complete') ?? failed;
  return {
    state,
    startedAt: state === 'Queued' ? undefined : iso(job.status?.startTime),
    finishedAt: done ? iso(job.status?.completionTime ?? done.lastTransitionTime) : undefined,
    reason: state === 'Failed' ? failed?.reason : undefined,
    message: state === 'Failed' ? failed?.message : undefined,
  };
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
