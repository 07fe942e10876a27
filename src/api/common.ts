// Building blocks shared by both kinds. The zod schemas here are the single source of
// truth: the operator parses with them, the CRDs are generated from them (crd.ts).
//
// What JSON Schema cannot say (Kubernetes extensions, map sizes) rides along in zod's
// metadata (`.meta()`), which z.toJSONSchema copies into the schema node it belongs to.
// Cross-field rules are written once as `Rule`s: the API server gets the CEL, zod gets
// the equivalent predicate, both with the same message.
import { z } from 'zod';

export const GROUP = 'syncpool.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export type CelReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

/** One entry of `x-kubernetes-validations`. */
export interface CelRule {
  rule: string;
  message: string;
  /** Where the API server reports a failure, relative to the node, e.g. `.timeZone`. */
  fieldPath?: string;
  reason?: CelReason;
}

declare module 'zod' {
  interface GlobalMeta {
    'x-kubernetes-validations'?: CelRule[];
    'x-kubernetes-preserve-unknown-fields'?: true;
    'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
    'x-kubernetes-list-map-keys'?: string[];
    maxProperties?: number;
  }
}

/** A CEL rule and, unless it needs the old object (transition rules), its zod twin. */
export interface Rule<T> extends CelRule {
  holds?: (value: T) => boolean;
  /** Where zod reports a failure; defaults to `fieldPath`. */
  path?: string[];
}

/** Attaches rules to a schema: CEL for the CRD, refinements for parsing. */
export function withRules<S extends z.ZodType>(schema: S, rules: Rule<z.output<S>>[]): S {
  let checked = schema;
  for (const { holds, path, fieldPath, message } of rules) {
    if (!holds) continue;
    const at = path ?? fieldPath?.split('.').filter(Boolean) ?? [];
    checked = checked.refine(holds, { message, path: at });
  }
  const inherited = z.globalRegistry.get(checked)?.['x-kubernetes-validations'] ?? [];
  const cel = rules.map(({ rule, message, fieldPath, reason }) => ({
    rule, message, ...(fieldPath && { fieldPath }), ...(reason && { reason }),
  }));
  return checked.meta({ 'x-kubernetes-validations': [...inherited, ...cel] });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONDITION_TYPE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

export const dnsLabel = z.string().max(63).regex(DNS_LABEL, { error: "must be a DNS label (lowercase letters, digits, '-')" });
export const dnsSubdomain = z.string().max(253)
  .regex(DNS_SUBDOMAIN, { error: "must be a DNS subdomain (lowercase letters, digits, '-', '.')" });

/**
 * Durations the operator can always use: the Go syntax ("1h30m", "90s", "500ms"), each
 * unit at most once and largest first, at most 6 digits before a decimal point and 3
 * after it (none for ms). So the largest value, 999999.999h999999.999m999999.999s999999ms,
 * is about 3.7e12 ms: a safe integer for parseDuration (src/core/duration.ts) and within
 * Go's time.Duration for any other tool; and every value is a whole number of
 * milliseconds, so one with a digit other than 0 is at least 1 ms.
 */
const DURATION_UNITS = ['h', 'm', 's', 'ms'] as const;
const durationPart = (unit: string) => (unit === 'ms' ? '[0-9]{1,6}ms' : `[0-9]{1,6}(\\.[0-9]{1,3})?${unit}`);
/** One alternative per largest unit present: RE2 has no lookahead to say "not empty". */
export const BOUNDED_DURATION_PATTERN = `^(${DURATION_UNITS.map((unit, i) => [
  durationPart(unit), ...DURATION_UNITS.slice(i + 1).map((smaller) => `(${durationPart(smaller)})?`),
].join('')).join('|')})$`;
const DURATION_WORDS = 'must be a duration such as "90s", "30m", "1h30m" or "500ms" '
  + '(units h, m, s, ms, largest first, each at most once; at most 6 digits before a decimal point, 3 after)';

export const duration = z.string().max(48).regex(new RegExp(BOUNDED_DURATION_PATTERN), { error: DURATION_WORDS });
/** A duration where zero makes no sense (a timeout, an interval). */
export const positiveDuration = withRules(duration, [{
  rule: "self.matches('[1-9]')",
  message: 'must be longer than 0, e.g. "30m"',
  holds: (d) => /[1-9]/.test(d),
}]);
/** RFC 3339, as the API server writes times (`2024-05-01T12:00:00Z`). */
export const dateTime = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' }).max(64);

/** A map with a bounded number of entries (records have no size check of their own). */
export function boundedMap<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, maxEntries: number) {
  return z.record(key, value)
    .refine((m) => Object.keys(m).length <= maxEntries, { error: `must have at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries });
}

/** A JSON object the API server keeps as is: a Kubernetes type we only pass through. */
export function freeObject(maxProperties: number) {
  return z.record(z.string(), z.unknown())
    .refine((m) => Object.keys(m).length <= maxProperties, { error: `must have at most ${maxProperties} keys` })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true, maxProperties });
}

/** KEP-1623 condition, as metav1.Condition. */
export const conditionSchema = z.object({
  type: z.string().max(316).regex(CONDITION_TYPE, { error: 'must be a condition type such as "Ready"' }),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: dateTime,
  reason: z.string().min(1).max(1024).regex(CONDITION_REASON, { error: 'must be a CamelCase reason' }),
  message: z.string().max(32768),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsSchema = z.array(conditionSchema).max(16)
  .refine((cs) => new Set(cs.map((c) => c.type)).size === cs.length, { error: 'must not repeat a condition type' })
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

export const retryPolicySchema = z.object({
  limit: z.int().min(0).max(100).describe('How many times a failed run is retried.'),
  backoff: z.object({
    initial: duration.optional().describe('Delay before the first retry, e.g. 60s.'),
    factor: z.number().min(1).max(10).optional().describe('Multiplier applied to the delay after each retry.'),
    max: duration.optional().describe('Cap on the delay, e.g. 1h.'),
  }).optional(),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/**
 * The metadata the operator relies on. The API server owns and validates metadata, so
 * the CRD leaves it alone (crd.ts); here only the shape is checked and the rest kept.
 * Timestamps are left untyped on purpose: they arrive as JSON strings, while
 * client-node's V1ObjectMeta (KubernetesObject, used by caches) declares them as Date.
 */
export const objectMetaSchema = z.looseObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(z.looseObject({
    apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string(),
    controller: z.boolean().optional(), blockOwnerDeletion: z.boolean().optional(),
  })).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** Everything crd.ts needs to know about one kind. */
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  printerColumns: PrinterColumn[];
  /** The whole object's schema: apiVersion, kind, metadata, spec, status. */
  schema: z.ZodType;
}
