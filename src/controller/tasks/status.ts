// A SyncTask's next status from what the reconcile found. Pure: the reconcile reads
// the world, calls this, and writes the result once (and only if it changed).
import type { SyncTaskStatus, TaskPhase } from '../../api/types.js';
import { FINAL_PHASES, TERMINAL_PHASES } from '../../api/syncTask.js';
import type { JobOutcome } from '../../jobs/classify.js';
import { type Condition, setCondition } from '../conditions.js';

/** A finished run of a periodic task. */
export interface FinishedRun {
  jobName: string;
  phase: 'Succeeded' | 'Failed';
  finishedAt: string;
  /** When its last attempt started (for metrics; not written to the status). */
  startedAt?: string;
  reason?: string;
}

/** A periodic run whose attempt failed and whose next attempt queues at `at` (or has). */
export interface RetryingRun {
  run: string;
  attempt: number;
  at: string;
  reason?: string;
}

/** What belongs to one attempt and starts afresh with the next. */
const PER_ATTEMPT = ['queuedAt', 'startedAt', 'finishedAt', 'nextRetryAt', 'lastHeartbeat', 'progress', 'progressMessage'] as const;

/** The status as the API defines it; the reconciler writes it whole. */
export type TaskStatus = SyncTaskStatus;

export type TaskFacts =
  | { kind: 'invalid'; message: string }
  | { kind: 'poolMissing'; pool: string }
  | { kind: 'templateInvalid'; pool: string; message: string }
  | { kind: 'poolUnusable'; pool: string; message: string }
  | { kind: 'jobRefused'; field: string; message: string }
  | { kind: 'oldJob'; jobName: string; what?: 'CronJob' }
  /** A CronJob of the periodic task's name exists and is not a SyncTask's. */
  | { kind: 'cronJobTaken'; name: string }
  | {
    kind: 'periodic'; pool: string; cronJob: string; suspended: boolean;
    running: string[]; queued: string[]; finished: FinishedRun[]; retrying: RetryingRun[];
    lastScheduleTime?: string; nextScheduleTime?: string;
    ending?: { reason: string; message: string };
  }
  | { kind: 'notAllowed'; message: string }
  | { kind: 'queued'; pool: string; jobName: string; attempt: number; queuedAt: string }
  | {
    kind: 'job'; pool: string; jobName: string; attempt: number; outcome: JobOutcome;
    /** Set when the operator is ending this run (stale, never started). */
    ending?: { reason: string; message: string };
    /** When the attempt was queued, for a Job created already admitted (the status never said Queued). */
    queuedAt?: string;
  }
  /** The attempt failed; the next one enters the queue at `retryAt`. */
  | { kind: 'retryWait'; pool: string; jobName: string; attempt: number; retryAt: string; retriesLeft: number; outcome: JobOutcome }
  | { kind: 'cancelled'; wasRunning: boolean }
  | { kind: 'jobLost'; jobName: string };

const ACCEPTED = 'Accepted';
const ADMITTED = 'Admitted';
const FINISHED = 'Finished';

export function nextTaskStatus(current: TaskStatus | undefined, facts: TaskFacts, now: string, generation: number): TaskStatus {
  const s: TaskStatus = { ...current, observedGeneration: generation };
  const attempt = 'attempt' in facts ? facts.attempt : undefined;
  if (attempt !== undefined && current?.attempt !== undefined && attempt !== current.attempt) {
    for (const field of PER_ATTEMPT) delete s[field];
  }
  const cond = (type: string, status: Condition['status'], reason: string, message: string) => {
    s.conditions = setCondition(s.conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  const finish = (phase: TaskPhase, reason: string, message: string, at?: string) => {
    s.phase = phase;
    s.message = message;
    s.finishedAt = s.finishedAt ?? at ?? now;
    cond(FINISHED, 'True', reason, message);
  };

  switch (facts.kind) {
    case 'invalid':
      cond(ACCEPTED, 'False', 'InvalidSpec', facts.message);
      finish('Rejected', 'Rejected', facts.message);
      break;
    case 'notAllowed':
      cond(ACCEPTED, 'False', 'SyncTypeNotAllowed', facts.message);
      finish('Rejected', 'Rejected', facts.message);
      break;
    case 'poolMissing':
      s.phase = 'Pending';
      s.message = `WorkerPool ${facts.pool} does not exist in this namespace; the task waits until it does`;
      cond(ACCEPTED, 'False', 'PoolNotFound', s.message);
      break;
    case 'templateInvalid':
      // Not terminal: fixing the pool's template re-queues the task (pool spec changes do).
      s.phase = 'Pending';
      s.message = `WorkerPool ${facts.pool}'s template makes an invalid Job, so the task waits for the pool to be fixed: ${facts.message}`;
      cond(ACCEPTED, 'False', 'InvalidTemplate', s.message);
      break;
    case 'poolUnusable':
      s.phase = 'Pending';
      s.message = `WorkerPool ${facts.pool} cannot run syncs until it is fixed: ${facts.message}`;
      cond(ACCEPTED, 'False', 'PoolInvalid', s.message);
      break;
    case 'jobRefused': {
      const message = `${facts.field}: the API server refuses the Job this task makes: ${facts.message}`;
      cond(ACCEPTED, 'False', 'InvalidSpec', message);
      finish('Rejected', 'Rejected', message);
      break;
    }
    case 'oldJob':
      s.phase = 'Queued';
      s.message = facts.what === 'CronJob'
        ? `waiting for ${facts.jobName}, left by an earlier SyncTask of the same name, to be deleted`
        : `waiting for Job ${facts.jobName}, left by an earlier SyncTask of the same name, to be deleted`;
      cond(ADMITTED, 'False', 'OldJobDeleting', s.message);
      break;
    case 'cronJobTaken':
      s.phase = 'Pending';
      s.message = `CronJob ${facts.name} exists and is not this task's: delete or rename it, or this task`;
      cond(ACCEPTED, 'False', 'CronJobExists', s.message);
      break;
    case 'periodic':
      applyPeriodic(s, facts, cond);
      break;
    case 'queued':
      Object.assign(s, { phase: 'Queued', jobName: facts.jobName, attempt: facts.attempt, queuedAt: s.queuedAt ?? facts.queuedAt });
      s.message = `waiting in WorkerPool ${facts.pool}'s queue`;
      cond(ACCEPTED, 'True', 'PoolFound', `queued in WorkerPool ${facts.pool}`);
      cond(ADMITTED, 'False', 'Queued', s.message);
      break;
    case 'job':
      s.jobName = facts.jobName;
      s.attempt = facts.attempt;
      if (facts.queuedAt) s.queuedAt = s.queuedAt ?? facts.queuedAt;
      cond(ACCEPTED, 'True', 'PoolFound', `queued in WorkerPool ${facts.pool}`);
      applyJob(s, facts, now, cond, finish);
      break;
    case 'cancelled':
      finish('Cancelled', 'Cancelled', facts.wasRunning ? 'cancelled by spec.cancel; the running Job was terminated' : 'cancelled by spec.cancel before it started');
      break;
    case 'jobLost':
      finish('Failed', 'JobDeleted', `Job ${facts.jobName} was deleted while the sync ran`);
      break;
    case 'retryWait': {
      s.jobName = facts.jobName;
      s.attempt = facts.attempt;
      s.startedAt = s.startedAt ?? facts.outcome.startedAt;
      s.phase = 'Pending';
      s.nextRetryAt = facts.retryAt;
      s.message = `attempt ${facts.attempt} failed${failureWords(facts.outcome)}; attempt ${facts.attempt + 1} enters the queue at ${facts.retryAt} `
        + `(${facts.retriesLeft} ${facts.retriesLeft === 1 ? 'retry' : 'retries'} left)`;
      cond(ADMITTED, 'False', 'RetryBackoff', s.message);
      break;
    }
  }
  if (s.phase && !TERMINAL_PHASES.has(s.phase)) {
    // Back in play (a retry, a Rejected task its pool now allows): not finished any more.
    delete s.finishedAt;
    if (s.conditions?.some((c) => c.type === FINISHED)) s.conditions = s.conditions.filter((c) => c.type !== FINISHED);
  }
  if (facts.kind !== 'periodic' && (s.phase !== 'Pending' || facts.kind !== 'retryWait')) delete s.nextRetryAt;
  return s;
}

function applyPeriodic(
  s: TaskStatus,
  facts: Extract<TaskFacts, { kind: 'periodic' }>,
  cond: (type: string, status: Condition['status'], reason: string, message: string) => void,
): void {
  cond(ACCEPTED, 'True', 'PoolFound', `CronJob ${facts.cronJob} makes its runs in WorkerPool ${facts.pool}`);
  s.lastScheduleTime = facts.lastScheduleTime ?? s.lastScheduleTime;
  s.nextScheduleTime = facts.nextScheduleTime;
  for (const run of freshRuns(s.lastRun, facts.finished)) {
    const runs = { ...s.runs };
    if (run.phase === 'Succeeded') runs.succeeded = (runs.succeeded ?? 0) + 1;
    else runs.failed = (runs.failed ?? 0) + 1;
    s.runs = runs;
    s.lastRun = { jobName: run.jobName, phase: run.phase, finishedAt: run.finishedAt, ...(run.reason && { reason: run.reason }) };
  }
  if (facts.running.length > 0) {
    s.phase = 'Running';
    s.message = facts.ending
      ? `stopping Job ${facts.running.join(', ')}: ${facts.ending.reason}: ${facts.ending.message}`
      : `running as Job ${facts.running.join(', ')}`;
    cond(ADMITTED, 'True', 'Admitted', `admitted by WorkerPool ${facts.pool}; Job ${facts.running.join(', ')} runs the sync`);
  } else if (facts.queued.length > 0) {
    s.phase = 'Queued';
    s.message = `run ${facts.queued.join(', ')} waits in WorkerPool ${facts.pool}'s queue`;
    cond(ADMITTED, 'False', 'Queued', s.message);
  } else {
    s.phase = 'Scheduled';
    const waiting = facts.retrying[0];
    s.message = facts.suspended ? 'suspended: no new runs are made until spec.suspend is false'
      : `next run at ${facts.nextScheduleTime}`;
    if (waiting) s.message = `run ${waiting.run} failed${waiting.reason ? ` (${waiting.reason})` : ''}; attempt ${waiting.attempt} enters the queue at ${waiting.at}; ${s.message}`;
    cond(ADMITTED, 'False', facts.suspended ? 'Suspended' : 'Scheduled', s.message);
  }
  const retryAt = facts.retrying.map((r) => r.at).sort()[0];
  if (retryAt) s.nextRetryAt = retryAt;
  else delete s.nextRetryAt;
}

/**
 * Finished runs not counted yet, in the order they finished: those after the last one
 * counted (`lastRun`). Each is counted once, in the status write that moves lastRun on.
 */
export function freshRuns(lastRun: TaskStatus['lastRun'], finished: readonly FinishedRun[]): FinishedRun[] {
  const after = (r: FinishedRun) => !lastRun?.finishedAt
    || r.finishedAt > lastRun.finishedAt || (r.finishedAt === lastRun.finishedAt && r.jobName > (lastRun.jobName ?? ''));
  return finished.filter(after).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.jobName.localeCompare(b.jobName));
}

function failureWords(outcome: JobOutcome): string {
  const why = [outcome.reason, outcome.message].filter(Boolean).join(': ');
  return why ? ` (${why})` : '';
}

function applyJob(
  s: TaskStatus,
  facts: Extract<TaskFacts, { kind: 'job' }>,
  now: string,
  cond: (type: string, status: Condition['status'], reason: string, message: string) => void,
  finish: (phase: TaskPhase, reason: string, message: string, at?: string) => void,
): void {
  const { outcome } = facts;
  if (outcome.state === 'Queued') {
    s.phase = 'Queued';
    s.message = `waiting in WorkerPool ${facts.pool}'s queue`;
    cond(ADMITTED, 'False', 'Queued', s.message);
    return;
  }
  cond(ADMITTED, 'True', 'Admitted', `admitted by WorkerPool ${facts.pool}; Job ${facts.jobName} runs the sync`);
  // A run seen admitted before the Job controller set its startTime started now, as far
  // as anyone can tell: filling it in from the Job a moment later cost a fourth status
  // write per task in a deep queue, whose reconciles often land in between.
  s.startedAt = s.startedAt ?? outcome.startedAt ?? (outcome.state === 'Running' ? now : undefined);
  if (outcome.state === 'Running') {
    s.phase = 'Running';
    s.message = facts.ending
      ? `stopping Job ${facts.jobName}: ${facts.ending.reason}: ${facts.ending.message}`
      : `running as Job ${facts.jobName}`;
  } else if (outcome.state === 'Succeeded') {
    finish('Succeeded', 'Succeeded', `Job ${facts.jobName} succeeded`, outcome.finishedAt);
  } else {
    const attempts = facts.attempt > 1 ? ` after ${facts.attempt} attempts` : '';
    finish('Failed', outcome.reason ?? 'JobFailed', `Job ${facts.jobName} failed${failureWords(outcome)}${attempts}`, outcome.finishedAt);
  }
}
