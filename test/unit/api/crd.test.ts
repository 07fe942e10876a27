// The generated CRDs are structural and bounded: what the API server needs to accept
// them and to estimate the cost of their CEL rules.
import { z } from 'zod';
import { buildCrds, type JsonSchema, structural } from '../../../src/api/crd.js';

type Node = JsonSchema & { properties?: Record<string, Node>; items?: Node; additionalProperties?: Node };

/** Every schema node, with its path. */
function* walk(node: Node, at: string): Generator<[string, Node]> {
  yield [at, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* walk(child, `${at}.${key}`);
  if (node.items) yield* walk(node.items, `${at}[]`);
  if (node.additionalProperties) yield* walk(node.additionalProperties, `${at}.*`);
}

const crds = buildCrds();
const nodes = crds.flatMap((crd) => [...walk(crd.spec.versions[0]!.schema.openAPIV3Schema as Node, crd.spec.names.kind)]);
// The API server bounds these itself (names: 253 characters).
const SERVER_OWNED = /^\w+(\.apiVersion|\.kind|\.metadata|\.metadata\.name)$/;

test('every string, list and map has a bound', () => {
  const unbounded = nodes.filter(([at, n]) => !SERVER_OWNED.test(at) && (
    (n.type === 'string' && n.maxLength === undefined && n.enum === undefined)
    || (n.type === 'array' && n.maxItems === undefined)
    || (n.type === 'object' && !n.properties && n.maxProperties === undefined)));
  expect(unbounded.map(([at]) => at)).toEqual([]);
});

test('no node uses what a structural schema forbids', () => {
  const text = JSON.stringify(crds);
  for (const word of ['$schema', 'anyOf', 'oneOf', 'allOf', 'not', 'const', 'propertyNames', 'uniqueItems', 'nullable']) {
    expect(text).not.toContain(`"${word}":`);
  }
  expect(nodes.filter(([, n]) => n.properties && n.additionalProperties !== undefined).map(([at]) => at)).toEqual([]);
  expect(nodes.filter(([, n]) => !n.type && !n['x-kubernetes-preserve-unknown-fields']).map(([at]) => at)).toEqual([]);
});

test('defaults are in the schema, so the API server fills them in', () => {
  const defaults = Object.fromEntries(nodes.filter(([, n]) => 'default' in n).map(([at, n]) => [at, n.default]));
  expect(defaults).toEqual({
    'WorkerPool.spec.paused': false, 'WorkerPool.spec.overlap': 'Forbid', 'WorkerPool.spec.staleAfter': '30m',
    'WorkerPool.spec.heartbeat': 'Required', 'WorkerPool.spec.startupTimeout': '10m', 'SyncTask.spec.priority': 0, 'SyncTask.spec.cancel': false,
  });
});

test('map key constraints become CEL rules', () => {
  const sourceLimits = nodes.find(([at]) => at === 'WorkerPool.spec.sourceLimits')![1];
  expect(sourceLimits['x-kubernetes-validations']).toEqual([{
    rule: 'self.all(k, k.size() <= 63 && k.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"))',
    message: 'every key must be at most 63 characters and match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  }]);
});

test.each([
  ['a union', z.object({ a: z.union([z.string().max(1), z.int()]) }), '.a: "anyOf" cannot be expressed in a structural schema'],
  ['a nullable field', z.object({ a: z.string().max(1).nullable() }), '.a: "anyOf" cannot be expressed in a structural schema'],
  ['an untyped value', z.object({ a: z.unknown() }), '.a: every node of a structural schema needs a type'],
  ['a map of anything', z.object({ a: z.record(z.string(), z.unknown()) }), '.a: unconstrained map values need preserve-unknown-fields'],
])('generation fails on %s instead of emitting a schema the API server rejects', (_, schema, error) => {
  expect(() => structural(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema, '')).toThrow(error);
});

test('strict objects lose additionalProperties: false, which is implied and forbidden next to properties', () => {
  const out = structural(z.toJSONSchema(z.strictObject({ a: z.boolean() }), { io: 'input' }) as JsonSchema, '');
  expect(out).toEqual({ type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] });
});

test('every CEL rule names its field: a rule on the root points at one, since the root itself has no name', () => {
  const roots = crds.map((crd) => [crd.spec.names.kind, crd.spec.versions[0]!.schema.openAPIV3Schema as Node] as const);
  const unnamed = roots.flatMap(([kind, root]) => ((root['x-kubernetes-validations'] ?? []) as { rule: string; fieldPath?: string }[])
    .filter((r) => !r.fieldPath).map((r) => `${kind}: ${r.rule}`));
  expect(unnamed).toEqual([]);
});

test('metadata carries only rules on the name: the API server owns the rest', () => {
  const metadata = Object.fromEntries(nodes.filter(([at]) => /^\w+\.metadata/.test(at)).map(([at, n]) => [at, n]));
  expect(metadata).toEqual({
    'WorkerPool.metadata': { type: 'object' },
    'SyncTask.metadata': { type: 'object', properties: { name: expect.anything() } },
    'SyncTask.metadata.name': {
      type: 'string',
      'x-kubernetes-validations': [{
        rule: 'self.size() <= 52', message: 'SyncTask names are at most 52 characters: Job and CronJob names are derived from them',
      }],
    },
  });
});

test('a SyncTask root rule compares the spec with the old object only once it has a Job', () => {
  const root = crds.find((crd) => crd.spec.names.kind === 'SyncTask')!.spec.versions[0]!.schema.openAPIV3Schema as Node;
  const rules = root['x-kubernetes-validations'] as { rule: string; fieldPath: string }[];
  expect(rules.map((r) => r.fieldPath)).toEqual(['.spec.source', '.spec.syncType', '.spec.parameters', '.spec.parametersFrom']);
  for (const { rule } of rules) expect(rule).toMatch(/^!has\(oldSelf\.status\) \|\| !has\(oldSelf\.status\.jobName\) \|\| /);
});
