// The CronJob a periodic SyncTask becomes: its schedule settings, and as jobTemplate the
// same suspended Job a one-shot attempt is (pool labels, worker contract, restricted
// security), so that every run the CronJob controller makes joins the pool's queue.
// Pure: same inputs, same CronJob.
import { createHash } from 'node:crypto';
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import type { SyncTaskSpec } from '../api/types.js';
import { buildJob, type JobInputs } from './build.js';
import { ANNOTATION_ENQUEUED_AT, ANNOTATION_TASK_UID, LABEL_MANAGED_BY, LABEL_POOL, LABEL_TASK, MANAGED_BY } from './labels.js';

/** Set on the CronJob: a digest of what we want it to be, so an edit is seen without diffing API-server defaults. */
export const ANNOTATION_SPEC_HASH = 'syncpool.dev/spec-hash';

type Periodic = Pick<SyncTaskSpec, 'schedule' | 'timeZone' | 'concurrencyPolicy' | 'startingDeadlineSeconds' | 'suspend'
  | 'successfulJobsHistoryLimit' | 'failedJobsHistoryLimit'>;

export interface CronJobInputs extends Omit<JobInputs, 'attempt' | 'enqueuedAt'> {
  schedule: Periodic;
}

/** The CronJob's name: the task's (≤ 52 characters, as CronJob names must be). */
export const cronJobName = (task: string) => task;

export function buildCronJob(inputs: CronJobInputs): V1CronJob {
  const { task, schedule: s } = inputs;
  // Each run is attempt 1 of its own; it queues as of its creation (no enqueued-at).
  const job = buildJob({ ...inputs, attempt: 1, enqueuedAt: '' });
  const annotations: Record<string, string> = { ...job.metadata!.annotations, [ANNOTATION_TASK_UID]: task.uid };
  delete annotations[ANNOTATION_ENQUEUED_AT];
  const spec: V1CronJob['spec'] = {
    schedule: s.schedule!,
    timeZone: s.timeZone,
    concurrencyPolicy: s.concurrencyPolicy ?? 'Forbid',
    startingDeadlineSeconds: s.startingDeadlineSeconds,
    suspend: s.suspend ?? false,
    successfulJobsHistoryLimit: s.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: s.failedJobsHistoryLimit,
    jobTemplate: { metadata: { labels: job.metadata!.labels, annotations }, spec: job.spec },
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: cronJobName(task.name),
      namespace: task.namespace,
      labels: { [LABEL_POOL]: task.spec.pool, [LABEL_TASK]: task.name, [LABEL_MANAGED_BY]: MANAGED_BY },
      annotations: { [ANNOTATION_SPEC_HASH]: specHash(spec) },
      ownerReferences: job.metadata!.ownerReferences,
    },
    spec,
  };
}

/** On a failed periodic attempt: the Job made as its retry. */
export const ANNOTATION_RETRIED_BY = 'syncpool.dev/retried-by';

/** On a retry of a periodic run: the name of the run it retries (the first attempt). */
export const ANNOTATION_RETRY_OF = 'syncpool.dev/retry-of';

/**
 * The Job name of attempt `attempt` of periodic run `run` (its first attempt's name),
 * within the 63 characters a Job name may have: shortened with a digest when needed.
 */
export function retryName(run: string, attempt: number): string {
  const suffix = `-r${attempt}`;
  if (run.length + suffix.length <= 63) return `${run}${suffix}`;
  const digest = createHash('sha256').update(run).digest('hex').slice(0, 8);
  return `${run.slice(0, 63 - suffix.length - digest.length - 1)}-${digest}${suffix}`;
}

/**
 * Attempt `attempt` of a failed periodic run: the task's suspended Job, as its CronJob's
 * template makes it but with its own attempt number, owned by the task (the CronJob
 * controller would call a Job it did not make "unexpected").
 */
export function buildRetryRun(inputs: Omit<JobInputs, 'enqueuedAt'>, run: string, enqueuedAt: string): V1Job {
  const job = buildJob({ ...inputs, enqueuedAt });
  job.metadata!.name = retryName(run, inputs.attempt);
  job.metadata!.annotations = { ...job.metadata!.annotations, [ANNOTATION_TASK_UID]: inputs.task.uid, [ANNOTATION_RETRY_OF]: run };
  return job;
}

/** Stable over key order and undefined fields: JSON with sorted keys. */
export function specHash(spec: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(sorted(spec))).digest('hex').slice(0, 16);
}
