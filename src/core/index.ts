// The pure scheduling core: plain data in, decisions out; no I/O and no clock.
export type {
  AdmissionDecision,
  AdmissionInput,
  AdmissionPlan,
  Overlap,
  PoolPolicy,
  QueuedRun,
  RunRef,
  WaitingRun,
  WaitReason,
} from './types.js';
export { compareEnqueued, compareQueued, effectivePriority, orderQueue } from './ordering.js';
export { decideAdmission, planAdmission, type DecisionInput } from './admission.js';
export { QueueIndex } from './queueIndex.js';
export { summarizePool, type PoolSummary } from './poolStatus.js';
export { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';
export { DEFAULT_BACKOFF, NO_RETRIES, nextAttempt, retryDelayMs, type Backoff, type RetryDecision, type RetryRules } from './retry.js';
export { judgeRun, type Liveness, type RunFacts } from './liveness.js';
export { DEFAULT_RETENTION, expiresAtMs, type Retention } from './retention.js';
export { DEFAULT_TIME_ZONE, missedRuns, parseSchedule, type Schedule, type ScheduleResult } from './cron.js';
