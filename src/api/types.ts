// The API's TypeScript types in one import. Each is inferred from its zod schema
// (workerPool.ts, syncTask.ts), so types, parsing and CRDs cannot drift apart.
export type { Condition, ObjectMeta, RetryPolicy } from './common.js';
export type { PodTemplate, TemplateOverride } from './template.js';
export type { SyncTypeRule, WorkerPool, WorkerPoolSpec, WorkerPoolStatus } from './workerPool.js';
export type { SyncTask, SyncTaskSpec, SyncTaskStatus, TaskPhase } from './syncTask.js';
