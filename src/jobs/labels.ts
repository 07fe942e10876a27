// The labels and annotations that tie a Job to its pool and task. The pool's queue is
// "all Jobs labelled with the pool", so these names are part of the operator's contract
// with the API server (and with CronJobs adopted later): change them only with a migration.

export const LABEL_POOL = 'syncpool.dev/pool';
export const LABEL_TASK = 'syncpool.dev/task';
export const LABEL_SOURCE = 'syncpool.dev/source';
export const LABEL_SYNC_TYPE = 'syncpool.dev/sync-type';
export const LABEL_ATTEMPT = 'syncpool.dev/attempt';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'syncpool';

/** Set by the Job controller on every pod it makes: the uid of that Job. */
export const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
/** Set by the Job controller on every pod it makes: the name of that Job. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export const ANNOTATION_PRIORITY = 'syncpool.dev/priority';
export const ANNOTATION_ENQUEUED_AT = 'syncpool.dev/enqueued-at';

/**
 * Why the operator ended a run (HeartbeatTimeout, StartupTimeout), and in words: the Job
 * controller reports such a Job as DeadlineExceeded, so the real reason rides on the Job.
 */
export const ANNOTATION_FAILURE_REASON = 'syncpool.dev/failure-reason';
export const ANNOTATION_FAILURE_MESSAGE = 'syncpool.dev/failure-message';

/**
 * On a periodic task's runs (its CronJob's Jobs, whose controller is the CronJob): the
 * uid of the task they run for, so the pool admits them only while that task lives.
 */
export const ANNOTATION_TASK_UID = 'syncpool.dev/task-uid';

/** Container name of the sync in every Job we create. */
export const SYNC_CONTAINER = 'sync';
/** Secret parameters reach the worker as variables with this prefix (a Job's envFrom). */
export const PARAMETER_PREFIX = 'SYNCPOOL_PARAM_';

/**
 * Deterministic Job name for one attempt of a task: a repeated create answers
 * AlreadyExists instead of making a duplicate (task names are ≤ 52 characters, so
 * this stays within the 63 allowed for the job-name pod label).
 */
export function jobName(task: string, attempt: number): string {
  return `${task}-${attempt}`;
}
