// The Event a task's status change is worth, if any: one per phase change (started,
// finished, rejected, cancelled, lost, waiting), never one per reconcile.
//
// Entering the queue is none. The status says it (phase Queued; the Admitted condition
// False, reason Queued, since when), and so does `kubectl syncpool queue`; as an Event
// it was written for every task that met a full pool, which at 1,000 queued was a third
// of everything the operator wrote (2.4 Events per task, against 4.6 other writes), and
// in a burst the recorder's queue overflowed and dropped some. Leaving it is an Event
// (Admitted), and so is a run handed back to it.
//
// Succeeding is none either: it is the Job's outcome, not syncpool's decision. The Job
// controller records it on the Job (`Completed`, which `kubectl syncpool describe` shows
// beside the task's own), and the status says it (phase Succeeded, the Finished
// condition with its time). As an Event it was a second POST per task on the API server
// while a queue drained, the one that limits the drain on a small control plane. A
// failure stays an Event: a Warning is what people look for.
import type { SyncTask } from '../../api/types.js';
import type { EventInput } from '../../kube/events.js';
import type { TaskStatus } from './status.js';

const WARNINGS = new Set(['Failed', 'Rejected', 'Pending']);

export function taskEvent(task: SyncTask, before: TaskStatus, after: TaskStatus): EventInput | undefined {
  if (!after.phase || (after.phase === before.phase && before.message === after.message)) return undefined;
  const regarding = { apiVersion: task.apiVersion, kind: task.kind, namespace: task.metadata.namespace, name: task.metadata.name, uid: task.metadata.uid };
  // The operator ending a run (stale, never started) is news within Running.
  const ending = after.phase === 'Running' ? /^stopping Job \S+: (\w+): /.exec(after.message ?? '') : null;
  if (ending && !before.message?.startsWith('stopping')) {
    return { regarding, type: 'Warning', reason: ending[1]!, action: 'Terminate', note: after.message! };
  }
  // Within a phase only a new reason for waiting is news (pool missing → pool invalid).
  if (after.phase === before.phase && after.phase !== 'Pending') return undefined;
  if (after.phase === 'Queued' && before.phase !== 'Running') return undefined;
  if (after.phase === 'Succeeded') return undefined;
  const retrying = after.phase === 'Pending' && after.nextRetryAt !== undefined;
  if (retrying) return { regarding, type: 'Warning', reason: 'RetryScheduled', action: 'Retry', note: after.message ?? '' };
  const finished = after.conditions?.find((c) => c.type === 'Finished' && c.status === 'True');
  const reason = {
    Pending: after.conditions?.find((c) => c.type === 'Accepted')?.reason ?? 'Pending',
    Scheduled: 'Scheduled',
    Queued: 'Queued',
    Running: 'Admitted',
    Failed: finished?.reason === 'JobDeleted' ? 'JobLost' : 'Failed',
    Cancelled: 'Cancelled',
    Rejected: after.conditions?.find((c) => c.type === 'Accepted')?.reason ?? 'Rejected',
  }[after.phase];
  const action = { Pending: 'Wait', Scheduled: 'Schedule', Queued: 'Queue', Running: 'Admit', Failed: 'Finish', Cancelled: 'Cancel', Rejected: 'Reject' }[after.phase];
  return {
    regarding,
    type: WARNINGS.has(after.phase) ? 'Warning' : 'Normal',
    reason,
    action,
    note: after.message ?? after.phase,
  };
}
