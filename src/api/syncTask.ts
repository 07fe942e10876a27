// SyncTask: one sync (source, syncType) to run in a pool, once or on a schedule.
import { z } from 'zod';
import {
  API_VERSION, conditionsSchema, dateTime, dnsLabel, dnsSubdomain, freeObject, type KindDefinition, objectMetaSchema, type Rule,
  retryPolicySchema, withRules,
} from './common.js';
import { SCHEDULE_SHAPE_PATTERN, TIME_ZONE_PATTERN } from '../core/cron/patterns.js';

export const MAX_TASK_NAME = 52;
export const MAX_PARAMETERS_BYTES = 16 * 1024;

/** Scheduled: a periodic task between runs, waiting for its next scheduled time. */
export const taskPhases = ['Pending', 'Scheduled', 'Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled', 'Rejected'] as const;
export type TaskPhase = (typeof taskPhases)[number];

/** Phases that take no place in a pool's queue. */
export const TERMINAL_PHASES: ReadonlySet<string> = new Set<TaskPhase>(['Succeeded', 'Failed', 'Cancelled', 'Rejected']);

/**
 * Finished for good: nothing but retention happens to these. Rejected is terminal for
 * the pool's queue but not final: a change to the task or its pool judges it again.
 */
export const FINAL_PHASES: ReadonlySet<string> = new Set<TaskPhase>(['Succeeded', 'Failed', 'Cancelled']);

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const parameters = freeObject(64)
  .refine((p) => jsonBytes(p) <= MAX_PARAMETERS_BYTES, {
    error: (issue) => `must be at most 16 KiB as JSON, got ${jsonBytes(issue.input)} bytes: `
      + 'pass secrets and large input through spec.parametersFrom (a Secret)',
  });

const pool = withRules(dnsSubdomain, [{
  rule: 'self == oldSelf',
  message: 'spec.pool is immutable; create a new SyncTask to use another pool',
}]);

const CEL_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r' };
/** A CEL single-quoted string literal holding `text` (backslashes, quotes and control characters escaped). */
const celString = (text: string) => `'${text.replace(/[\\'\t\n\v\f\r]/g, (c) => CEL_ESCAPES[c]!)}'`;

// The shapes Kubernetes' CronJob parser can accept, checked at apply time with a message
// a person can read (a pattern's error would quote the whole expression); values only
// the parser can judge (a minute of 61, an unknown zone) make the task Rejected.
const schedule = withRules(z.string().min(1).max(128), [{
  rule: `self.matches(${celString(SCHEDULE_SHAPE_PATTERN)})`,
  message: 'must be a cron schedule as Kubernetes CronJobs take it: five fields (minute hour day-of-month month day-of-week), '
    + 'a descriptor such as @hourly, or "@every <duration>"; no TZ= or CRON_TZ= (use spec.timeZone)',
  holds: (text) => new RegExp(SCHEDULE_SHAPE_PATTERN).test(text),
}]);
const timeZone = withRules(z.string().min(1).max(64), [{
  rule: `self.matches(${celString(TIME_ZONE_PATTERN)})`,
  message: 'must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC',
  holds: (text) => new RegExp(TIME_ZONE_PATTERN).test(text),
}]);

/** Fields that only mean something for a periodic task (one with a schedule). */
const scheduleOnly = [
  'timeZone', 'concurrencyPolicy', 'startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit',
] as const;

const specFields = z.object({
  pool: pool.describe('Name of a WorkerPool in the same namespace. Immutable.'),
  source: dnsLabel.describe('What to sync from, e.g. hubspot.'),
  syncType: dnsLabel.describe('What to sync, e.g. contacts.'),
  parameters: parameters.optional()
    .describe('Small JSON object handed to the worker (SYNCPOOL_PARAMETERS). No secrets: use parametersFrom.'),
  parametersFrom: z.object({ secretRef: z.object({ name: dnsSubdomain.describe('Name of a Secret in the same namespace.') }) }).optional()
    .describe('A Secret whose data is handed to the worker.'),
  priority: z.int().min(-1000000).max(1000000).default(0).describe('Higher runs first.'),
  schedule: schedule.optional().describe('Cron expression (Kubernetes CronJob syntax); makes the task periodic.'),
  timeZone: timeZone.optional().describe('IANA time zone of the schedule, e.g. Europe/Berlin; UTC if unset.'),
  // No schema default: it would be set on one-shot tasks too and trip the rule below.
  concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).optional()
    .describe('What a run due while the previous one is unfinished does; the operator treats unset as Forbid.'),
  startingDeadlineSeconds: z.int().min(0).optional(),
  suspend: z.boolean().optional().describe('Stop scheduling new runs.'),
  successfulJobsHistoryLimit: z.int().min(0).max(100).optional(),
  failedJobsHistoryLimit: z.int().min(0).max(100).optional(),
  retry: retryPolicySchema.optional().describe("Overrides the pool's retry policy."),
  activeDeadlineSeconds: z.int().min(1).max(604800).optional().describe('Hard ceiling on one run.'),
  cancel: z.boolean().default(false).describe('true cancels: a queued run is dropped, a running one terminated.'),
});

const scheduleRules: Rule<z.output<typeof specFields>>[] = scheduleOnly.map((field) => ({
  rule: `!has(self.${field}) || has(self.schedule)`,
  message: `${field} only applies to periodic tasks: set schedule or remove ${field}`,
  fieldPath: `.${field}`,
  reason: 'FieldValueForbidden',
  holds: (spec) => spec[field] === undefined || spec.schedule !== undefined,
}));

export const syncTaskSpecSchema = withRules(specFields, scheduleRules);
export type SyncTaskSpec = z.infer<typeof syncTaskSpecSchema>;

export const syncTaskStatusSchema = z.object({
  phase: z.enum(taskPhases).optional(),
  attempt: z.int().min(0).optional(),
  jobName: z.string().max(253).optional(),
  queuedAt: dateTime.optional(),
  startedAt: dateTime.optional(),
  finishedAt: dateTime.optional(),
  lastHeartbeat: dateTime.optional(),
  progress: z.number().min(0).max(1).optional().describe("The worker's last reported progress, 0 to 1."),
  progressMessage: z.string().max(1024).optional().describe("The worker's last reported message."),
  message: z.string().max(4096).optional().describe('Why the task is in its phase, in words.'),
  nextRetryAt: dateTime.optional(),
  observedGeneration: z.int().min(0).optional(),
  conditions: conditionsSchema.optional(),
  lastScheduleTime: dateTime.optional(),
  nextScheduleTime: dateTime.optional(),
  lastRun: z.object({
    jobName: z.string().max(253).optional(),
    phase: z.enum(taskPhases).optional(),
    finishedAt: dateTime.optional(),
    reason: z.string().max(256).optional().describe('Why it failed, e.g. BackoffLimitExceeded or HeartbeatTimeout.'),
  }).optional().describe('The last finished run of a periodic task.'),
  runs: z.object({ succeeded: z.int().min(0).optional(), failed: z.int().min(0).optional() }).optional()
    .describe('Finished runs of a periodic task, by outcome.'),
});
export type SyncTaskStatus = z.infer<typeof syncTaskStatusSchema>;

/**
 * What a task's Job was made from: changing it later would leave the Job running
 * another sync than the task shows. Transition rules on the root, the only node that
 * sees status.jobName next to the spec; the API server alone can check them (no zod twin).
 */
const FIXED_ONCE_A_JOB_EXISTS = [['source', true], ['syncType', true], ['parameters', false], ['parametersFrom', false]] as const;

const unchanged = (field: string, required: boolean) => (required
  ? `self.spec.${field} == oldSelf.spec.${field}`
  : `has(self.spec.${field}) == has(oldSelf.spec.${field}) && (!has(self.spec.${field}) || self.spec.${field} == oldSelf.spec.${field})`);

const fixedOnceAJobExists: Rule<SyncTaskObject>[] = FIXED_ONCE_A_JOB_EXISTS.map(([field, required]) => ({
  rule: `!has(oldSelf.status) || !has(oldSelf.status.jobName) || (${unchanged(field, required)})`,
  message: `spec.${field} is immutable once the task has a Job (status.jobName); create a new SyncTask`,
  fieldPath: `.spec.${field}`,
  reason: 'FieldValueForbidden',
}));

/** Job and CronJob names are derived from the task's (jobName in src/jobs/labels.ts). */
const taskMetadata = objectMetaSchema.extend({
  name: withRules(objectMetaSchema.shape.name, [{
    rule: `self.size() <= ${MAX_TASK_NAME}`,
    message: `SyncTask names are at most ${MAX_TASK_NAME} characters: Job and CronJob names are derived from them`,
    holds: (name) => name.length <= MAX_TASK_NAME,
  }]),
});

const syncTaskObject = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('SyncTask'),
  metadata: taskMetadata,
  spec: syncTaskSpecSchema,
  status: syncTaskStatusSchema.optional(),
});
type SyncTaskObject = z.output<typeof syncTaskObject>;

export const syncTaskSchema = withRules(syncTaskObject, fixedOnceAJobExists)
  .describe('One sync (source, syncType) run in a WorkerPool, once or on a schedule.');
export type SyncTask = z.infer<typeof syncTaskSchema>;

export const syncTaskKind = {
  kind: 'SyncTask',
  plural: 'synctasks',
  singular: 'synctask',
  shortNames: ['st'],
  printerColumns: [
    { name: 'POOL', type: 'string', jsonPath: '.spec.pool' },
    { name: 'SOURCE', type: 'string', jsonPath: '.spec.source' },
    { name: 'TYPE', type: 'string', jsonPath: '.spec.syncType' },
    { name: 'PRIORITY', type: 'integer', jsonPath: '.spec.priority' },
    { name: 'PHASE', type: 'string', jsonPath: '.status.phase' },
    { name: 'ATTEMPT', type: 'integer', jsonPath: '.status.attempt' },
    { name: 'SCHEDULE', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'LAST-RUN', type: 'date', jsonPath: '.status.lastScheduleTime' },
    // A string: kubectl shows a future date as "<invalid>".
    { name: 'NEXT-RUN', type: 'string', jsonPath: '.status.nextScheduleTime' },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  schema: syncTaskSchema,
} satisfies KindDefinition;
