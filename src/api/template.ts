// The pod template a WorkerPool gives its sync Jobs. Kubernetes types we only pass
// through (valueFrom, securityContext, tolerations…) stay free-form objects: the Job's
// own validation checks them, and copying their schemas here would only drift.
import { z } from 'zod';
import { boundedMap, freeObject } from './common.js';

const argv = z.array(z.string().max(4096)).max(64);

export const envVarSchema = z.object({
  name: z.string().min(1).max(256),
  value: z.string().max(32768).optional(),
  valueFrom: freeObject(8).optional().describe('As in a container: secretKeyRef, configMapKeyRef, fieldRef…'),
});

/** Quantities as strings ("500m", "1Gi"), keyed by resource name. */
const quantities = boundedMap(z.string().max(253), z.string().max(64), 16);

export const resourcesSchema = z.object({
  limits: quantities.optional(),
  requests: quantities.optional(),
});

/** Label and annotation keys: an optional DNS-subdomain prefix (≤253), '/', a name (≤63). */
const metadataKey = z.string().max(317);

export const podTemplateSchema = z.object({
  image: z.string().min(1).max(512),
  command: argv.optional(),
  args: argv.optional(),
  env: z.array(envVarSchema).max(128).optional(),
  envFrom: z.array(freeObject(8)).max(32).optional(),
  resources: resourcesSchema.optional(),
  serviceAccountName: z.string().max(253).optional(),
  securityContext: freeObject(32).optional().describe('Container-level securityContext.'),
  podSecurityContext: freeObject(32).optional().describe('Pod-level securityContext.'),
  nodeSelector: boundedMap(metadataKey, z.string().max(63), 64).optional(),
  tolerations: z.array(freeObject(16)).max(64).optional(),
  annotations: boundedMap(metadataKey, z.string().max(4096), 64).optional().describe('Added to the pods.'),
  labels: boundedMap(metadataKey, z.string().max(63), 64).optional().describe('Added to the pods.'),
});
export type PodTemplate = z.infer<typeof podTemplateSchema>;

/** What a spec.syncTypes entry may override for its (source, types). */
export const templateOverrideSchema = podTemplateSchema
  .pick({ image: true, command: true, args: true, env: true, resources: true })
  .partial();
export type TemplateOverride = z.infer<typeof templateOverrideSchema>;
