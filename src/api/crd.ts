// Turns the zod schemas into CustomResourceDefinitions. z.toJSONSchema does the bulk;
// `structural` then rewrites its output into what the API server calls a structural
// schema, and throws on anything it cannot express, so an unsupported zod construct
// fails generation instead of producing a CRD the API server rejects or misreads.
import { z } from 'zod';
import { GROUP, type KindDefinition, type PrinterColumn, VERSION } from './common.js';
import { syncTaskKind } from './syncTask.js';
import { workerPoolKind } from './workerPool.js';

export type JsonSchema = Record<string, unknown>;

/** apiextensions.k8s.io/v1 CustomResourceDefinition, as plain JSON (x-kubernetes-* keys as is). */
export interface Crd {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    scope: 'Namespaced';
    versions: {
      name: string; served: boolean; storage: boolean;
      schema: { openAPIV3Schema: JsonSchema };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

export const kinds: KindDefinition[] = [workerPoolKind, syncTaskKind];

export function buildCrds(): Crd[] {
  return kinds.map(buildCrd);
}

/** Where a CRD lives under deploy/crds (controller-gen's naming). */
export function crdFileName(crd: Crd): string {
  return `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}

export function buildCrd(def: KindDefinition): Crd {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: def.singular,
        shortNames: def.shortNames, categories: ['syncpool'],
      },
      scope: 'Namespaced',
      versions: [{
        name: VERSION, served: true, storage: true,
        schema: { openAPIV3Schema: rootSchema(def.schema) },
        subresources: { status: {} },
        additionalPrinterColumns: def.printerColumns,
      }],
    },
  };
}

/** The API server owns apiVersion, kind and metadata: the CRD only names their types. */
const SERVER_OWNED: JsonSchema = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
};

function rootSchema(schema: z.ZodType): JsonSchema {
  // Input mode: fields with defaults are optional and carry their `default`.
  const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  const metadata = (json.properties as Record<string, JsonSchema>).metadata;
  json.properties = { ...(json.properties as JsonSchema), ...SERVER_OWNED, metadata: metadataSchema(metadata) };
  json.required = (json.required as string[]).filter((name) => !(name in SERVER_OWNED));
  return structural(json, '');
}

/**
 * Under metadata a CRD may only restrict name (and generateName). A kind's own rules on
 * its name carry over, so their failures read `metadata.name: …` (a rule on the root
 * cannot point there while metadata has no properties); objectMetaSchema's generic
 * bounds stay the API server's.
 */
function metadataSchema(zodMetadata: JsonSchema | undefined): JsonSchema {
  const name = (zodMetadata?.properties as Record<string, JsonSchema> | undefined)?.name;
  const rules = name?.['x-kubernetes-validations'];
  if (!rules) return SERVER_OWNED.metadata as JsonSchema;
  return { type: 'object', properties: { name: { type: 'string', 'x-kubernetes-validations': rules } } };
}

const ALLOWED = new Set([
  'type', 'format', 'description', 'default', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
  'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required', 'properties', 'additionalProperties', 'items',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]);
const SAFE_INTEGER_BOUNDS = new Set([Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

/** Rewrites one node of z.toJSONSchema output (and its children) into structural form. */
export function structural(node: JsonSchema, at: string): JsonSchema {
  const out: JsonSchema = {};
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
        break;
      case 'const':
        out.enum = [value];
        break;
      case 'minimum':
      case 'maximum':
        // zod's int() bounds every integer to the safe range; not a bound anyone chose.
        if (!(node.type === 'integer' && SAFE_INTEGER_BOUNDS.has(value as number))) out[key] = value;
        break;
      case 'pattern':
        // Dates are checked by `format`; zod's date-time regex would only repeat it.
        if (node.format !== 'date-time') out.pattern = value;
        break;
      case 'properties': {
        const entries = Object.entries(value as Record<string, JsonSchema>);
        if (entries.length > 0) out.properties = Object.fromEntries(entries.map(([k, v]) => [k, structural(v, `${at}.${k}`)]));
        else if (!preserveUnknown) throw new Error(`${at || '<root>'}: an object without properties needs preserve-unknown-fields`);
        break;
      }
      case 'additionalProperties':
        // `false` is the default in a structural schema and may not stand next to `properties`;
        // `{}` (anything) is what x-kubernetes-preserve-unknown-fields says.
        if (value === false) break;
        if (isEmpty(value)) {
          if (!preserveUnknown) throw new Error(`${at}: unconstrained map values need preserve-unknown-fields`);
          break;
        }
        out.additionalProperties = structural(value as JsonSchema, `${at}.*`);
        break;
      case 'propertyNames':
        addRules(out, keyRules(value as JsonSchema));
        break;
      case 'items':
        out.items = structural(value as JsonSchema, `${at}[]`);
        break;
      case 'x-kubernetes-validations':
        addRules(out, value as unknown[]);
        break;
      default:
        if (!ALLOWED.has(key)) throw new Error(`${at || '<root>'}: "${key}" cannot be expressed in a structural schema`);
        out[key] = value;
    }
  }
  if (out.type === undefined && !preserveUnknown) throw new Error(`${at || '<root>'}: every node of a structural schema needs a type`);
  return out;
}

function isEmpty(value: unknown): boolean {
  return value === true || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

function addRules(node: JsonSchema, rules: unknown[]): void {
  if (rules.length === 0) return;
  node['x-kubernetes-validations'] = [...((node['x-kubernetes-validations'] as unknown[]) ?? []), ...rules];
}

/** JSON Schema's propertyNames has no structural equivalent: map keys are checked with CEL. */
function keyRules(names: JsonSchema): unknown[] {
  const checks: string[] = [];
  const words: string[] = [];
  for (const [key, value] of Object.entries(names)) {
    if (key === 'type' && value === 'string') continue;
    if (key === 'maxLength') {
      checks.push(`k.size() <= ${value}`);
      words.push(`be at most ${value} characters`);
    } else if (key === 'pattern') {
      checks.push(`k.matches(${JSON.stringify(value)})`);
      words.push(`match ${value}`);
    } else throw new Error(`map keys: "${key}" cannot be expressed`);
  }
  if (checks.length === 0) return [];
  return [{ rule: `self.all(k, ${checks.join(' && ')})`, message: `every key must ${words.join(' and ')}` }];
}
