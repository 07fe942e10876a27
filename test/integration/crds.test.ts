// The CRDs generated from src/api, against the real API server: they install as
// structural schemas, fill in defaults, reject bad input with a message naming the
// field (and the operator's parser agrees), and feed `kubectl get` its columns.
import { setHeaderOptions } from '@kubernetes/client-node';
import { API_VERSION, GROUP, VERSION } from '../../src/api/common.js';
import { buildCrds, type Crd } from '../../src/api/crd.js';
import { applyCrds, CRD_API } from '../../src/api/install.js';
import { parseSyncTask, parseWorkerPool } from '../../src/api/parse.js';
import { type KubeClients, mergePatch } from '../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, failure, testClients } from './support/cluster.js';

let kube: KubeClients;
let ns: string;

beforeAll(async () => {
  kube = testClients();
  await applyCrds(kube);
  ns = await createTestNamespace(kube, 'crds');
});
afterAll(() => deleteNamespace(kube, ns));

const pools = () => ({ group: GROUP, version: VERSION, namespace: ns, plural: 'workerpools' });
const tasks = () => ({ group: GROUP, version: VERSION, namespace: ns, plural: 'synctasks' });

function pool(name: string, spec: object = {}) {
  return {
    apiVersion: API_VERSION, kind: 'WorkerPool', metadata: { name, namespace: ns },
    spec: { maxWorkers: 2, template: { image: 'example.invalid/sync:1' }, ...spec },
  };
}
function task(name: string, spec: object = {}) {
  return {
    apiVersion: API_VERSION, kind: 'SyncTask', metadata: { name, namespace: ns },
    spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts', ...spec },
  };
}

test('both CRDs are accepted as structural schemas, stored as generated, and Established', async () => {
  for (const crd of buildCrds()) {
    type Stored = Crd & { status: { conditions: { type: string; status: string }[] } };
    const stored = await kube.custom.getClusterCustomObject({ ...CRD_API, name: crd.metadata.name }) as Stored;
    const conditions = Object.fromEntries(stored.status.conditions.map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ NamesAccepted: 'True', Established: 'True' }); // no NonStructuralSchema
    expect(stored.spec.versions[0]!.schema).toEqual(crd.spec.versions[0]!.schema);
  }
});

test('a valid WorkerPool and SyncTasks are accepted, with the defaults filled in', async () => {
  await kube.custom.createNamespacedCustomObject({ ...pools(), body: pool('crm', { sourceLimits: { hubspot: 1 } }) });
  const readPool = await kube.custom.getNamespacedCustomObject({ ...pools(), name: 'crm' });
  expect(readPool.spec).toMatchObject({ overlap: 'Forbid', staleAfter: '30m', heartbeat: 'Required', paused: false });

  await kube.custom.createNamespacedCustomObject({ ...tasks(), body: task('once') });
  const once = await kube.custom.getNamespacedCustomObject({ ...tasks(), name: 'once' });
  expect(once.spec).toMatchObject({ priority: 0, cancel: false });
  expect(once.spec.concurrencyPolicy).toBeUndefined();

  const periodic = task('nightly', {
    schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 300,
    suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
  });
  await kube.custom.createNamespacedCustomObject({ ...tasks(), body: periodic });

  // The operator's parser agrees with the API server, defaults included.
  for (const [parse, obj] of [[parseWorkerPool, readPool], [parseSyncTask, once]] as const) {
    const parsed = parse(obj);
    expect(parsed).toMatchObject({ ok: true });
    expect(parsed.ok && parsed.value.spec).toEqual(obj.spec);
  }
});

test('status is written through its subresource, times and conditions as the operator writes them', async () => {
  const now = new Date().toISOString();
  const status = {
    phase: 'Queued', attempt: 1, queuedAt: now, progress: 0.5,
    conditions: [{ type: 'Admitted', status: 'False', reason: 'PoolFull', message: 'waiting for a slot', lastTransitionTime: now }],
  };
  await kube.custom.patchNamespacedCustomObjectStatus({ ...tasks(), name: 'once', body: { status } }, mergePatch);
  const read = await kube.custom.getNamespacedCustomObject({ ...tasks(), name: 'once' });
  expect(read.status).toEqual(status);
  expect(parseSyncTask(read)).toMatchObject({ ok: true });
});

// Bodies are built lazily: the namespace exists only once beforeAll has run.
test.each([
  ['maxWorkers -1', 'pool', () => pool('negative', { maxWorkers: -1 }), 'spec.maxWorkers', 'spec.maxWorkers'],
  ['a source key that is not a DNS label', 'pool', () => pool('limits', { sourceLimits: { HubSpot: 1 } }), 'spec.sourceLimits', 'spec.sourceLimits.HubSpot'],
  ['source "HubSpot"', 'task', () => task('capital', { source: 'HubSpot' }), 'spec.source', 'spec.source'],
  ['a 60-character name', 'task', () => task('a'.repeat(60)), 'metadata.name: Invalid value: "string": SyncTask names are at most 52 characters',
    'metadata.name'],
  ['timeZone without schedule', 'task', () => task('zoned', { timeZone: 'Europe/Berlin' }), 'spec.timeZone', 'spec.timeZone'],
] as const)('%s is rejected with 422 and a message naming the field, by the API server and the parser', async (_, kind, body, apiText, parsePath) => {
  const ref = kind === 'pool' ? pools() : tasks();
  const rejected = await failure(kube.custom.createNamespacedCustomObject({ ...ref, body: body() }));
  expect(rejected.code).toBe(422);
  expect(rejected.message).toContain(apiText);

  const parsed = kind === 'pool' ? parseWorkerPool(body()) : parseSyncTask(body());
  expect(parsed.ok).toBe(false);
  expect(!parsed.ok && parsed.message).toMatch(new RegExp(`^${parsePath.replace(/\./g, '\\.')}: `));
});

test('spec.pool cannot be changed', async () => {
  await kube.custom.createNamespacedCustomObject({ ...tasks(), body: task('moving') });
  const rejected = await failure(kube.custom.patchNamespacedCustomObject(
    { ...tasks(), name: 'moving', body: { spec: { pool: 'elsewhere' } } }, mergePatch,
  ));
  expect(rejected.code).toBe(422);
  expect(rejected.message).toContain('spec.pool is immutable; create a new SyncTask to use another pool');
});

test('kubectl get shows the columns of DESIGN.md, and a periodic task\'s schedule', async () => {
  const asTable = setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io');
  type Table = { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };

  const poolTable = await kube.custom.listNamespacedCustomObject(pools(), asTable) as Table;
  expect(poolTable.kind).toBe('Table');
  expect(poolTable.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'MAX', 'ACTIVE', 'QUEUED', 'UTIL', 'PAUSED', 'AGE']);
  expect(poolTable.rows.map((r) => r.cells.slice(0, 2))).toEqual([['crm', 2]]);

  const taskTable = await kube.custom.listNamespacedCustomObject(tasks(), asTable) as Table;
  expect(taskTable.columnDefinitions.map((c) => c.name)).toEqual([
    'Name', 'POOL', 'SOURCE', 'TYPE', 'PRIORITY', 'PHASE', 'ATTEMPT', 'SCHEDULE', 'LAST-RUN', 'NEXT-RUN', 'AGE',
  ]);
  const once = taskTable.rows.find((r) => r.cells[0] === 'once');
  expect(once?.cells.slice(0, 7)).toEqual(['once', 'crm', 'hubspot', 'contacts', 0, 'Queued', 1]);
});
