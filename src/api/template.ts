// The pod template a WorkerPool gives its sync Jobs. Kubernetes types we only pass
// through (valueFrom, envFrom, tolerations…) stay free-form objects: the Job's own
// validation checks them, and copying their schemas here would only drift. What a
// template could get wrong without noticing until a Job is refused (quantities, label
// keys and values) or use to weaken pod security (security.ts) is checked here, so
// `kubectl apply` refuses it with the field named.
import { z } from 'zod';
import { freeObject } from './common.js';
import { labelValue, podLabels, qualifiedMap } from './metadata.js';
import { containerSecurityContextSchema, podSecurityContextSchema } from './security.js';

const argv = z.array(z.string().max(4096)).max(64);

export const envVarSchema = z.object({
  name: z.string().min(1).max(256),
  value: z.string().max(32768).optional(),
  valueFrom: freeObject(8).optional().describe('As in a container: secretKeyRef, configMapKeyRef, fieldRef…'),
});

/**
 * resource.Quantity's syntax (a number, then a binary or decimal SI suffix or an
 * exponent), without a sign: requests and limits cannot be negative.
 */
const QUANTITY = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][-+]?[0-9]{1,2})?$/;
const quantity = z.string().max(64)
  .regex(QUANTITY, { error: 'must be a quantity such as "500m", "2", "0.5", "1Gi" or "1e3"' });

/** Quantities keyed by resource name (cpu, memory, example.com/gpu). */
const quantities = qualifiedMap(quantity, 16);

export const resourcesSchema = z.object({
  limits: quantities.optional(),
  requests: quantities.optional(),
});

export const podTemplateSchema = z.object({
  // The Job is accepted with any string, but its pods are refused ("must not have leading
  // or trailing whitespace"), so every run would wait out startupTimeout: refused here.
  image: z.string().min(1).max(512).regex(/^\S*$/, { error: 'must be an image reference without spaces, e.g. "registry.example/sync:1"' }),
  command: argv.optional(),
  args: argv.optional(),
  env: z.array(envVarSchema).max(128).optional(),
  envFrom: z.array(freeObject(8)).max(32).optional(),
  resources: resourcesSchema.optional(),
  serviceAccountName: z.string().max(253).optional(),
  // Pod security: a pool may tighten the restricted Pod Security Standard defaults the
  // operator fills in, or pick among what it allows (a non-root UID, groups, a Localhost
  // profile, NET_BIND_SERVICE), never loosen them: the policy is spelled out in security.ts.
  securityContext: containerSecurityContextSchema.optional()
    .describe('Container-level securityContext; what the restricted Pod Security Standard forbids is refused.'),
  podSecurityContext: podSecurityContextSchema.optional()
    .describe('Pod-level securityContext; what the restricted Pod Security Standard forbids is refused.'),
  nodeSelector: qualifiedMap(labelValue, 64).optional(),
  tolerations: z.array(freeObject(16)).max(64).optional(),
  annotations: qualifiedMap(z.string().max(4096), 64).optional().describe('Added to the pods.'),
  labels: podLabels.optional().describe("Added to the pods; syncpool's own keys are refused."),
});
export type PodTemplate = z.infer<typeof podTemplateSchema>;

/** What a spec.syncTypes entry may override for its (source, types). */
export const templateOverrideSchema = podTemplateSchema
  .pick({ image: true, command: true, args: true, env: true, resources: true })
  .partial();
export type TemplateOverride = z.infer<typeof templateOverrideSchema>;
