// WorkerPool: a cap on concurrently running syncs, the queue for the rest, and the pod
// template its syncs run with.
import { z } from 'zod';
import {
  API_VERSION, boundedMap, conditionsSchema, dnsLabel, duration, type KindDefinition, objectMetaSchema, positiveDuration, retryPolicySchema,
} from './common.js';
import { podTemplateSchema, templateOverrideSchema } from './template.js';

/** A syncType in an allow-list entry: a DNS label, or "*" for all of the source's types. */
const syncTypePattern = z.string().max(63)
  .regex(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, { error: 'must be a DNS label or "*"' });

export const syncTypeRuleSchema = z.object({
  source: dnsLabel,
  types: z.array(syncTypePattern).min(1).max(64),
  template: templateOverrideSchema.optional().describe('Overrides of spec.template for these syncs.'),
});
export type SyncTypeRule = z.infer<typeof syncTypeRuleSchema>;

export const workerPoolSpecSchema = z.object({
  maxWorkers: z.int().min(0).max(10000)
    .describe('Cap on concurrently running sync Jobs of this pool; 0 admits nothing.'),
  paused: z.boolean().default(false).describe('Stop admitting; running syncs continue.'),
  template: podTemplateSchema.describe("Pod template of the pool's sync Jobs."),
  syncTypes: z.array(syncTypeRuleSchema).max(128).optional()
    .describe('Allow-list of (source, types); when set, any other SyncTask is Rejected.'),
  sourceLimits: boundedMap(dnsLabel, z.int().min(0), 128).optional()
    .describe('Per-source caps on running syncs, e.g. {hubspot: 1}.'),
  overlap: z.enum(['Forbid', 'Allow']).default('Forbid')
    .describe('Forbid: never run two syncs of the same (source, syncType) at once.'),
  staleAfter: positiveDuration.default('30m').describe('A running sync with no heartbeat for this long is terminated.'),
  heartbeat: z.enum(['Required', 'Optional']).default('Required')
    .describe('Optional: a sync that never sent a heartbeat is not stale.'),
  startupTimeout: positiveDuration.default('10m')
    .describe('An admitted sync whose pod is not running within this long (refused, unschedulable, image not pulled) fails that attempt.'),
  aging: z.object({ interval: positiveDuration }).optional()
    .describe('Anti-starvation: +1 effective priority per interval waited.'),
  retry: retryPolicySchema.optional().describe('Default retry policy of its tasks.'),
  retention: z.object({
    succeeded: duration.optional().describe('Succeeded and Cancelled tasks; default 24h.'),
    failed: duration.optional().describe('Failed and Rejected tasks; default 168h (7 days).'),
  }).optional().describe('How long finished SyncTasks (and their Jobs) are kept; "0s" removes them at once.'),
});
export type WorkerPoolSpec = z.infer<typeof workerPoolSpecSchema>;

export const workerPoolStatusSchema = z.object({
  active: z.int().min(0).optional().describe('Sync Jobs running now.'),
  queued: z.int().min(0).optional().describe('Sync Jobs waiting for a slot.'),
  utilization: z.string().max(8).optional().describe('active / maxWorkers, e.g. "67%".'),
  observedGeneration: z.int().min(0).optional(),
  conditions: conditionsSchema.optional(),
});
export type WorkerPoolStatus = z.infer<typeof workerPoolStatusSchema>;

export const workerPoolSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('WorkerPool'),
  metadata: objectMetaSchema,
  spec: workerPoolSpecSchema,
  status: workerPoolStatusSchema.optional(),
}).describe('A cap on concurrently running syncs, with a priority queue for the rest.');
export type WorkerPool = z.infer<typeof workerPoolSchema>;

export const workerPoolKind = {
  kind: 'WorkerPool',
  plural: 'workerpools',
  singular: 'workerpool',
  shortNames: ['wp'],
  printerColumns: [
    { name: 'MAX', type: 'integer', jsonPath: '.spec.maxWorkers' },
    { name: 'ACTIVE', type: 'integer', jsonPath: '.status.active' },
    { name: 'QUEUED', type: 'integer', jsonPath: '.status.queued' },
    { name: 'UTIL', type: 'string', jsonPath: '.status.utilization' },
    { name: 'PAUSED', type: 'boolean', jsonPath: '.spec.paused' },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  schema: workerPoolSchema,
} satisfies KindDefinition;
