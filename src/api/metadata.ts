// Label and annotation keys and label values, checked as the API server checks them
// (IsQualifiedName, IsValidLabelValue), so a pool template cannot make a Job it refuses.
//
// A CRD has no schema for map keys: keys are checked by a CEL rule on the map. Its zod
// twin is a refinement of the record's key schema, so the parser names the bad key;
// refinements do not reach z.toJSONSchema, so the CEL rules here are the only copy.
import { z } from 'zod';
import { boundedMap, GROUP, withRules } from './common.js';

const NAME = '([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]';
const PREFIX = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const MAX_PREFIX = 253;
const MAX_KEY = MAX_PREFIX + 1 + 63;
/** Key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
const KEY_PATTERN = `^(${PREFIX}/)?${NAME}$`;
const KEY = new RegExp(KEY_PATTERN);
/** A label value: the name's characters; its length is checked apart, for a clearer message. */
const VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

const KEY_WORDS = 'a qualified name: an optional DNS subdomain of at most 253 characters and "/", '
  + 'then at most 63 letters, digits, "-", "_" or ".", beginning and ending with a letter or digit';

function isQualifiedName(key: string): boolean {
  // The prefix cannot contain '/', so the first '/' ends it (-1: no prefix).
  return key.length <= MAX_KEY && KEY.test(key) && key.indexOf('/') <= MAX_PREFIX;
}
const QUALIFIED_NAME_CEL = `k.size() <= ${MAX_KEY} && k.matches(${JSON.stringify(KEY_PATTERN)}) && k.indexOf('/') <= ${MAX_PREFIX}`;

/**
 * Keys syncpool and the Job controller put on every pod: a template that set them would
 * be overridden (syncpool's) or make the API server refuse the Job (the Job controller's).
 */
const RESERVED_PREFIXES = [`${GROUP}/`, 'batch.kubernetes.io/'];
const RESERVED_KEYS = ['app.kubernetes.io/managed-by', 'job-name', 'controller-uid'];
export const RESERVED_LABEL_WORDS = `${RESERVED_PREFIXES.map((p) => `${p}*`).join(', ')}, ${RESERVED_KEYS.join(', ')}`;

function isReserved(key: string): boolean {
  return RESERVED_KEYS.includes(key) || RESERVED_PREFIXES.some((p) => key.startsWith(p));
}
const NOT_RESERVED_CEL = [
  ...RESERVED_PREFIXES.map((p) => `!k.startsWith(${JSON.stringify(p)})`),
  `!(k in ${JSON.stringify(RESERVED_KEYS)})`,
].join(' && ');
const RESERVED_WORDS = `syncpool or the Job controller sets on every pod (${RESERVED_LABEL_WORDS})`;

export const labelValue = z.string().max(63).regex(new RegExp(VALUE_PATTERN), {
  error: 'must be a label value: empty, or letters, digits, "-", "_" or ".", beginning and ending with a letter or digit',
});

const qualifiedKey = z.string().refine(isQualifiedName, { error: `must be ${KEY_WORDS}` });

/** A map keyed like labels and annotations (also nodeSelector, resource names). */
export function qualifiedMap<V extends z.ZodType>(value: V, maxEntries: number) {
  return withRules(boundedMap(qualifiedKey, value, maxEntries), [{
    rule: `self.all(k, ${QUALIFIED_NAME_CEL})`,
    message: `every key must be ${KEY_WORDS}`,
  }]);
}

/** Labels a pool adds to its pods: valid keys and values, none of the reserved keys. */
export const podLabels = withRules(
  boundedMap(qualifiedKey.refine((k) => !isReserved(k), { error: `is reserved: ${RESERVED_WORDS}` }), labelValue, 64),
  [
    { rule: `self.all(k, ${QUALIFIED_NAME_CEL})`, message: `every key must be ${KEY_WORDS}` },
    { rule: `self.all(k, ${NOT_RESERVED_CEL})`, message: `must not use the keys ${RESERVED_WORDS}`, reason: 'FieldValueForbidden' },
  ],
);
