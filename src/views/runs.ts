// What runs in a pool now, and what finished there lately.
import type { V1Job } from '@kubernetes/client-node';
import { FINAL_PHASES } from '../api/syncTask.js';
import { holdsSlot, isFinished, jobOutcome } from '../jobs/classify.js';
import { JOB_UID_LABEL, LABEL_ATTEMPT, LABEL_SOURCE, LABEL_SYNC_TYPE, LABEL_TASK } from '../jobs/labels.js';
import type { PoolContents, TaskObject } from './cluster.js';

export interface RunningRun {
  /** The Job's name; `pod/<name>` for a pod that outlived its Job (it still holds a slot). */
  job: string;
  task?: string;
  source: string;
  syncType: string;
  attempt?: number;
  /** When its pod started; undefined while it is being scheduled. */
  startedAt?: string;
  ageSeconds?: number;
  /** The worker's last report, when the task shows this run (0 to 1). */
  progress?: number;
  progressMessage?: string;
  lastHeartbeat?: string;
  /** Seconds since the last heartbeat. */
  heartbeatAgeSeconds?: number;
}

export interface FinishedRun {
  task: string;
  job?: string;
  source: string;
  syncType: string;
  phase: string;
  finishedAt: string;
  durationSeconds?: number;
  /** Why it ended that way (the task's message, or the periodic run's reason). */
  message?: string;
}

const secondsBetween = (from: string | undefined, toMs: number) =>
  (from === undefined ? undefined : Math.max(0, Math.round((toMs - Date.parse(from)) / 1000)));

export function runningOf({ jobs, pods, tasks }: PoolContents, nowMs: number): RunningRun[] {
  const taskNamed = new Map(tasks.map((t) => [t.metadata!.name!, t]));
  const out: RunningRun[] = [];
  // As the pool's snapshot counts them: a live pod stands for its run unless its Job is
  // unfinished (the Job is listed instead); a pod that is no Job's is no run.
  const unfinished = new Set<string>();
  for (const job of jobs) {
    if (!isFinished(job)) unfinished.add(job.metadata!.uid!);
    if (!holdsSlot(job)) continue;
    out.push(runOf(job, taskNamed, nowMs));
  }
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    const phase = pod.status?.phase;
    const jobUid = labels[JOB_UID_LABEL];
    if (phase === 'Succeeded' || phase === 'Failed' || jobUid === undefined || unfinished.has(jobUid)) continue;
    const startedAt = pod.status?.startTime ? new Date(pod.status.startTime).toISOString() : undefined;
    out.push({
      job: `pod/${pod.metadata!.name}`, task: labels[LABEL_TASK], source: labels[LABEL_SOURCE] ?? '', syncType: labels[LABEL_SYNC_TYPE] ?? '',
      startedAt, ageSeconds: secondsBetween(startedAt, nowMs),
    });
  }
  return out.sort((a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~') || a.job.localeCompare(b.job));
}

function runOf(job: V1Job, taskNamed: ReadonlyMap<string, TaskObject>, nowMs: number): RunningRun {
  const labels = job.metadata?.labels ?? {};
  const name = job.metadata!.name!;
  const taskName = labels[LABEL_TASK];
  const task = taskName === undefined ? undefined : taskNamed.get(taskName);
  const startedAt = job.status?.startTime ? new Date(job.status.startTime).toISOString() : undefined;
  const attempt = Number(labels[LABEL_ATTEMPT]);
  // The task's heartbeat fields describe its current run only.
  const status = task?.status?.jobName === name ? task.status : undefined;
  return {
    job: name,
    task: taskName,
    source: labels[LABEL_SOURCE] ?? '',
    syncType: labels[LABEL_SYNC_TYPE] ?? '',
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
    startedAt,
    ageSeconds: secondsBetween(startedAt, nowMs),
    progress: status?.progress,
    progressMessage: status?.progressMessage,
    lastHeartbeat: status?.lastHeartbeat,
    heartbeatAgeSeconds: secondsBetween(status?.lastHeartbeat, nowMs),
  };
}

/**
 * The newest finished runs: one-shot tasks in a final phase, and the last run of each
 * periodic task (the task itself goes on).
 */
export function recentOutcomes({ tasks }: PoolContents, limit: number): FinishedRun[] {
  const out: FinishedRun[] = [];
  for (const task of tasks) {
    const s = task.status ?? {};
    const base = { task: task.metadata!.name!, source: task.spec.source, syncType: task.spec.syncType };
    if (task.spec.schedule) {
      const last = s.lastRun;
      if (last?.finishedAt && last.phase) {
        out.push({ ...base, job: last.jobName, phase: last.phase, finishedAt: last.finishedAt, message: last.reason });
      }
      continue;
    }
    if (!s.phase || !FINAL_PHASES.has(s.phase) || !s.finishedAt) continue;
    const duration = s.startedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : undefined;
    out.push({
      ...base, job: s.jobName, phase: s.phase, finishedAt: s.finishedAt,
      durationSeconds: duration === undefined ? undefined : Math.max(0, Math.round(duration)), message: s.message,
    });
  }
  return out.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt) || a.task.localeCompare(b.task)).slice(0, limit);
}

/** How long a finished Job ran, in ms, or undefined if it never started. */
export function jobRunMs(job: V1Job): number | undefined {
  const o = jobOutcome(job);
  if (!o.startedAt || !o.finishedAt) return undefined;
  return Math.max(0, Date.parse(o.finishedAt) - Date.parse(o.startedAt));
}
