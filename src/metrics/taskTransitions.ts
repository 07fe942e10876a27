// What a task's status change counts. The task reconciler calls this after each status
// write that landed, beside the Event it emits for the same change: a reconcile that
// finds nothing new writes nothing, and every write carries a resourceVersion
// precondition, so each change is written, and counted, once (by whichever leader
// wrote it). A write whose answer was lost after it landed is not counted: the next
// reconcile sees the change already made. Counters may so miss an event, never count
// one twice.
//
// - A run's final outcome: a one-shot task entering Succeeded, Failed or Cancelled (its
//   last attempt's outcome; retried attempts are not final); a periodic task's run
//   recorded in status.runs / lastRun; a periodic task cancelled while a run was queued
//   or running.
// - A run the operator ended: the status starting to say "stopping Job …" for a reason.
// - A retry: a one-shot task moving to its next attempt. (A periodic run's retry is
//   counted where its Job is made: periodic.ts.)
import type { SyncTask } from '../api/types.js';
import { FINAL_PHASES } from '../api/syncTask.js';
import { type FinishedRun, freshRuns, type TaskFacts, type TaskStatus } from '../controller/tasks/status.js';
import type { Metrics, RunLabels, RunOutcome } from './hooks.js';

const STOPPING = 'stopping Job ';

export function countTaskTransition(metrics: Metrics, task: SyncTask, before: TaskStatus, after: TaskStatus, facts: TaskFacts): void {
  const run: RunLabels = {
    namespace: task.metadata.namespace, pool: task.spec?.pool ?? '', source: task.spec?.source ?? '', syncType: task.spec?.syncType ?? '',
  };
  const pool = { namespace: run.namespace, pool: run.pool };
  const periodic = task.spec?.schedule !== undefined;

  if (facts.kind === 'periodic') {
    for (const r of freshRuns(before.lastRun, facts.finished)) metrics.runFinished(run, outcomeOf(r.phase, r.reason), seconds(r));
  }
  const finishing = after.phase !== undefined && FINAL_PHASES.has(after.phase) && !(before.phase && FINAL_PHASES.has(before.phase));
  if (finishing && !periodic) {
    const reason = after.conditions?.find((c) => c.type === 'Finished')?.reason;
    metrics.runFinished(run, outcomeOf(after.phase!, reason), seconds({ startedAt: after.startedAt, finishedAt: after.finishedAt }));
  }
  if (finishing && periodic && after.phase === 'Cancelled' && (before.phase === 'Running' || before.phase === 'Queued')) {
    metrics.runFinished(run, 'cancelled');
  }

  const ending = 'ending' in facts ? facts.ending : undefined;
  if (ending && after.message?.startsWith(STOPPING) && !before.message?.startsWith(STOPPING)) metrics.runEnded(pool, ending.reason);

  if (!periodic && (after.attempt ?? 1) > (before.attempt ?? 1)) metrics.retried(pool);
}

function outcomeOf(phase: string, reason: string | undefined): RunOutcome {
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Cancelled') return 'cancelled';
  if (reason === 'HeartbeatTimeout') return 'stale';
  if (reason === 'StartupTimeout') return 'never_started';
  return 'failed';
}

function seconds(r: Pick<FinishedRun, 'startedAt'> & { finishedAt?: string }): number | undefined {
  const started = Date.parse(r.startedAt ?? '');
  const finished = Date.parse(r.finishedAt ?? '');
  return Number.isFinite(started) && Number.isFinite(finished) && finished >= started ? (finished - started) / 1000 : undefined;
}
