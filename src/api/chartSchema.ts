// The WorkerPool spec as a JSON Schema for the Helm chart's values.schema.json, so that
// `pools:` in values is checked by `helm lint` / `helm install` before anything reaches
// the API server. It matters because the API server prunes unknown fields silently: a
// misspelt `sourceLimit:` would otherwise install a pool without its rate limit.
// Derived from the CRD's structural schema (itself from zod); the API server still runs
// the CEL rules, which JSON Schema cannot express.
import type { Crd, JsonSchema } from './crd.js';

/** Where generate.ts puts it in values.schema.json. */
export const POOL_SPEC_DEFINITION = 'workerPoolSpec';

export function poolSpecJsonSchema(workerPoolCrd: Crd): JsonSchema {
  const root = workerPoolCrd.spec.versions[0]!.schema.openAPIV3Schema;
  const spec = (root.properties as Record<string, JsonSchema>).spec;
  if (!spec) throw new Error(`${workerPoolCrd.metadata.name} has no spec schema`);
  return toJsonSchema(spec);
}

/**
 * OpenAPI v3 (Kubernetes dialect) → JSON Schema: objects with known properties refuse
 * others (what pruning would drop), Kubernetes' own keywords go, and `format` goes too
 * (validators differ on which formats they assert).
 */
export function toJsonSchema(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'format') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object' && value !== null) {
      out[key] = toJsonSchema(value as JsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (node.properties && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}
