// A SyncTask as the plugin shows it: what it runs and where it stands. Parameters are
// never part of it (they can name secrets); `describe` lists their keys only.
import type { TaskObject } from '../views/index.js';

export const ANNOTATION_RETRY_OF = 'syncpool.dev/retry-of';

export interface TaskSummary {
  namespace: string;
  name: string;
  pool: string;
  source: string;
  syncType: string;
  priority: number;
  /** Undefined until the operator has looked at it. */
  phase?: string;
  attempt?: number;
  schedule?: string;
  cancel: boolean;
  jobName?: string;
  message?: string;
  createdAt?: string;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  nextRetryAt?: string;
  nextScheduleTime?: string;
  lastHeartbeat?: string;
  progress?: number;
  /** The task this one retries (kubectl syncpool retry). */
  retryOf?: string;
}

const iso = (d: string | Date | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

export function summarizeTask(task: TaskObject): TaskSummary {
  const s = task.status ?? {};
  return {
    namespace: task.metadata!.namespace!,
    name: task.metadata!.name!,
    pool: task.spec.pool,
    source: task.spec.source,
    syncType: task.spec.syncType,
    priority: task.spec.priority ?? 0,
    phase: s.phase,
    attempt: s.attempt,
    schedule: task.spec.schedule,
    cancel: task.spec.cancel ?? false,
    jobName: s.jobName,
    message: s.message,
    createdAt: iso(task.metadata?.creationTimestamp),
    queuedAt: s.queuedAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    nextRetryAt: s.nextRetryAt,
    nextScheduleTime: s.nextScheduleTime,
    lastHeartbeat: s.lastHeartbeat,
    progress: s.progress,
    retryOf: task.metadata?.annotations?.[ANNOTATION_RETRY_OF],
  };
}

export const byNamespaceAndName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
