// A periodic SyncTask: its CronJob kept as the task says (made, edited in place, never
// a second one), its runs watched like one-shot attempts (stale, never started), old
// runs removed after the pool's retention, and what they did read back into facts for
// the task's status. The CronJob controller schedules; every run it makes is a
// suspended Job with the pool's labels, so it waits in the pool's queue like any other.
//
// concurrencyPolicy Forbid (the default) therefore means: no new run while the last one
// is queued or running. The CronJob controller counts a Job as active until it has
// finished, and a queued run is an unfinished (suspended) Job, so while the pool is full
// due times are skipped instead of piling up in the queue.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import type { SyncTask, SyncTaskSpec, WorkerPool } from '../../api/types.js';
import type { Schedule } from '../../core/cron.js';
import { expiresAtMs } from '../../core/retention.js';
import { nextAttempt } from '../../core/retry.js';
import {
  ANNOTATION_RETRIED_BY, ANNOTATION_RETRY_OF, ANNOTATION_SPEC_HASH, buildCronJob, buildRetryRun, cronJobName,
} from '../../jobs/cronJob.js';
import { controllerUid, isDeleting, jobOutcome, jobState, terminatedBecause } from '../../jobs/classify.js';
import { ANNOTATION_TASK_UID, LABEL_ATTEMPT } from '../../jobs/labels.js';
import type { ClusterWrites } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import type { Cache } from '../cache.js';
import { type IndexedCache, JOBS_BY_TASK } from '../indexes.js';
import type { Lifecycle } from './policy.js';
import type { FinishedRun, RetryingRun, TaskFacts } from './status.js';

export interface PeriodicDeps {
  cronJobs: Cache<V1CronJob>;
  jobs: IndexedCache<V1Job>;
  writes: ClusterWrites;
  heartbeatUrl: string;
  log: Logger;
  /** Metrics hook: a failed run's next attempt was made (once: its name is deterministic). */
  onRetry?: () => void;
}

export interface PeriodicVisit {
  nowMs: number;
  lookAgainAt(ms: number | undefined): void;
}

/** Ends a running run that went stale or never started; returns why, if it did. */
export type EndIfDead = (run: V1Job) => Promise<{ reason: string; message: string } | undefined>;

/** The runs of this task: its CronJob's Jobs that name the task's uid. */
export function runsOf(jobs: IndexedCache<V1Job>, task: SyncTask): V1Job[] {
  return jobs.byIndex(JOBS_BY_TASK, `${task.metadata.namespace}/${task.metadata.name}`)
    .filter((j) => j.metadata?.annotations?.[ANNOTATION_TASK_UID] === task.metadata.uid);
}

export async function periodicFacts(
  d: PeriodicDeps, task: SyncTask, spec: SyncTaskSpec, pool: WorkerPool, schedule: Schedule,
  life: Lifecycle, visit: PeriodicVisit, endIfDead: EndIfDead,
): Promise<TaskFacts> {
  const { namespace, uid } = task.metadata;
  const name = cronJobName(task.metadata.name);
  const existing = d.cronJobs.get(namespace, name);
  if (existing && controllerUid(existing as V1Job) !== uid) {
    const owner = existing.metadata?.ownerReferences?.find((o) => o.controller);
    // An earlier SyncTask of the same name left it: remove that incarnation and wait.
    if (owner?.kind === 'SyncTask') {
      if (!existing.metadata?.deletionTimestamp) await d.writes.deleteCronJob({ namespace, name, uid: existing.metadata!.uid! });
      return { kind: 'oldJob', jobName: `CronJob ${name}`, what: 'CronJob' };
    }
    return { kind: 'cronJobTaken', name };
  }

  const desired = buildCronJob({
    task: { namespace, name: task.metadata.name, uid: uid!, apiVersion: task.apiVersion, kind: task.kind, spec },
    pool, heartbeatUrl: d.heartbeatUrl, schedule: spec,
  });
  let cronJob = existing;
  if (!cronJob) {
    await d.writes.createCronJob(desired);
    d.log.info('CronJob made', { namespace, task: task.metadata.name, pool: spec.pool, cronjob: name, schedule: spec.schedule });
  } else if (cronJob.metadata?.annotations?.[ANNOTATION_SPEC_HASH] !== desired.metadata!.annotations![ANNOTATION_SPEC_HASH]) {
    // The task was edited: the same CronJob takes the change (runs already made keep theirs).
    cronJob = await d.writes.replaceCronJob(cronJob, desired);
    d.log.info('CronJob updated', { namespace, task: task.metadata.name, pool: spec.pool, cronjob: name, schedule: spec.schedule });
  }

  const runs = runsOf(d.jobs, task);
  const running: string[] = [];
  const queued: string[] = [];
  const finished: FinishedRun[] = [];
  const retrying: RetryingRun[] = [];
  let ending: { reason: string; message: string } | undefined;
  for (const run of runs) {
    const state = jobState(run);
    const runName = run.metadata!.name!;
    if (state === 'Queued') queued.push(runName);
    else if (state === 'Running') {
      running.push(runName);
      if (!isDeleting(run)) ending = terminatedBecause(run) ?? await endIfDead(run) ?? ending;
    } else if (state === 'Succeeded' || state === 'Failed') {
      const outcome = jobOutcome(run);
      const finishedAt = outcome.finishedAt ?? new Date(visit.nowMs).toISOString();
      const expires = expiresAtMs(state, Date.parse(finishedAt), life.retention);
      if (visit.nowMs >= expires) {
        if (!isDeleting(run)) await d.writes.deleteJob({ namespace, name: runName, uid: run.metadata!.uid! });
      } else {
        visit.lookAgainAt(expires);
      }
      // A failed attempt with a retry to come is not the run's outcome: its last attempt's is.
      const retry = state === 'Failed' ? await retryRun(d, task, spec, pool, life, run, visit) : undefined;
      if (retry === 'made') continue;
      if (retry) retrying.push(retry);
      else finished.push({ jobName: runName, phase: state, finishedAt, startedAt: outcome.startedAt, reason: outcome.reason });
    }
  }

  const suspended = spec.suspend === true;
  const next = suspended ? undefined : schedule.next(new Date(visit.nowMs));
  // Look again when the next run is due: its Job arrives then, but the status's
  // nextScheduleTime must move on even if the run is skipped (Forbid).
  if (next) visit.lookAgainAt(next.getTime() + 1_000);
  const last = cronJob?.status?.lastScheduleTime;
  return {
    kind: 'periodic', pool: spec.pool, cronJob: name, suspended, running, queued, finished, retrying, ending,
    lastScheduleTime: last ? new Date(last).toISOString() : undefined,
    nextScheduleTime: next?.toISOString(),
  };
}

/**
 * A failed periodic run with retries left gets its next attempt after the backoff, as a
 * Job of the task (retryName). The failed Job is then marked retried, so that retention
 * removing the retry later never makes it again. 'made': its retry exists; a RetryingRun:
 * it comes at that time; undefined: none comes, this failure is the run's outcome.
 */
async function retryRun(
  d: PeriodicDeps, task: SyncTask, spec: SyncTaskSpec, pool: WorkerPool, life: Lifecycle, failed: V1Job, visit: PeriodicVisit,
): Promise<RetryingRun | 'made' | undefined> {
  const meta = failed.metadata!;
  if (meta.annotations?.[ANNOTATION_RETRIED_BY]) return 'made';
  const attempt = Number(meta.labels?.[LABEL_ATTEMPT] ?? 1);
  const run = meta.annotations?.[ANNOTATION_RETRY_OF] ?? meta.name!;
  const failedAtMs = Date.parse(jobOutcome(failed).finishedAt ?? '') || visit.nowMs;
  const next = nextAttempt(life.retry, attempt, failedAtMs);
  if (!next.retry) return undefined;
  const at = new Date(next.atMs).toISOString();
  const outcome = jobOutcome(failed);
  if (visit.nowMs < next.atMs) {
    visit.lookAgainAt(next.atMs);
    return { run, attempt: next.attempt, at, reason: outcome.reason };
  }
  const { namespace, uid } = task.metadata;
  const retry = buildRetryRun({
    task: { namespace, name: task.metadata.name, uid: uid!, apiVersion: task.apiVersion, kind: task.kind, spec },
    pool, attempt: next.attempt, heartbeatUrl: d.heartbeatUrl,
  }, run, at);
  if (await d.writes.createJob(retry)) d.onRetry?.();
  await d.writes.annotateJob({ namespace, name: meta.name!, uid: meta.uid! }, { [ANNOTATION_RETRIED_BY]: retry.metadata!.name! });
  d.log.info('periodic run retried', { namespace, task: task.metadata.name, pool: spec.pool, run, attempt: next.attempt });
  return 'made';
}

/** Cancelling a periodic task removes its CronJob and, with it, its queued and running runs. */
export async function cancelPeriodic(d: PeriodicDeps, task: SyncTask): Promise<TaskFacts> {
  const { namespace, uid } = task.metadata;
  const name = cronJobName(task.metadata.name);
  const cronJob = d.cronJobs.get(namespace, name);
  if (cronJob && controllerUid(cronJob as V1Job) === uid && !cronJob.metadata?.deletionTimestamp) {
    await d.writes.deleteCronJob({ namespace, name, uid: cronJob.metadata!.uid! });
  }
  const runs = runsOf(d.jobs, task);
  for (const run of runs) {
    const state = jobState(run);
    if ((state === 'Queued' || state === 'Running') && !isDeleting(run)) {
      await d.writes.deleteJob({ namespace, name: run.metadata!.name!, uid: run.metadata!.uid! });
    }
  }
  return { kind: 'cancelled', wasRunning: runs.some((r) => jobState(r) === 'Running') };
}
