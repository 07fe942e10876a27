// What `kubectl apply` refuses, on the real API server: each bad manifest of issue 7 is
// refused at once with the field named (and the operator's parser agrees), good ones
// are accepted, a task's sync is fixed once it has a Job, and the pods a pool's
// template makes carry its labels and pass a namespace that enforces the restricted
// Pod Security Standard.
import { API_VERSION, GROUP, VERSION } from '../../src/api/common.js';
import { applyCrds } from '../../src/api/install.js';
import { parseSyncTask, parseWorkerPool } from '../../src/api/parse.js';
import type { WorkerPool } from '../../src/api/types.js';
import { buildJob } from '../../src/jobs/build.js';
import { LABEL_TASK } from '../../src/jobs/labels.js';
import { type KubeClients, mergePatch } from '../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, failure, testClients } from './support/cluster.js';

let kube: KubeClients;
let ns: string;
let restricted: string;

beforeAll(async () => {
  kube = testClients();
  await applyCrds(kube);
  ns = await createTestNamespace(kube, 'validation');
  restricted = await createTestNamespace(kube, 'restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' });
});
afterAll(async () => {
  await deleteNamespace(kube, ns);
  await deleteNamespace(kube, restricted);
});

const ref = (plural: string) => ({ group: GROUP, version: VERSION, namespace: ns, plural });
// As kubectl apply does: unknown fields are errors, not silently pruned.
const create = (plural: string, body: object) => kube.custom.createNamespacedCustomObject({ ...ref(plural), body, fieldValidation: 'Strict' });
const patchTask = (name: string, spec: object) =>
  kube.custom.patchNamespacedCustomObject({ ...ref('synctasks'), name, body: { spec } }, mergePatch);
const patchTaskStatus = (name: string, status: object) =>
  kube.custom.patchNamespacedCustomObjectStatus({ ...ref('synctasks'), name, body: { status } }, mergePatch);

function pool(name: string, template: object = {}, spec: object = {}) {
  return {
    apiVersion: API_VERSION, kind: 'WorkerPool', metadata: { name },
    spec: { maxWorkers: 2, template: { image: 'registry.example/sync:1', ...template }, ...spec },
  };
}
function task(name: string, spec: object = {}) {
  return { apiVersion: API_VERSION, kind: 'SyncTask', metadata: { name }, spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts', ...spec } };
}

const WHY = 'sync pods follow the restricted Pod Security Standard';
let seq = 0;

// [what, template, spec, the field the error names, what the API server says about it]
test.each([
  ['a label value with a space', { labels: { team: 'data team!' } }, {}, 'spec.template.labels.team', 'should match'],
  ['a label key with a space', { labels: { 'my team': 'data' } }, {}, 'spec.template.labels', 'every key must be a qualified name'],
  ['a label key with a 254-character prefix', { labels: { [`${'p'.repeat(254)}/n`]: 'x' } }, {}, 'spec.template.labels', 'every key must be a qualified name'],
  ['the label syncpool.dev/pool', { labels: { 'syncpool.dev/pool': 'other' } }, {}, 'spec.template.labels',
    'Forbidden: must not use the keys syncpool or the Job controller sets on every pod (syncpool.dev/*'],
  ['the label app.kubernetes.io/managed-by', { labels: { 'app.kubernetes.io/managed-by': 'helm' } }, {}, 'spec.template.labels', 'Forbidden'],
  ['an annotation key with two slashes', { annotations: { 'a/b/c': 'x' } }, {}, 'spec.template.annotations', 'every key must be a qualified name'],
  ['a nodeSelector value with a space', { nodeSelector: { disk: 'fast ssd' } }, {}, 'spec.template.nodeSelector.disk', 'should match'],
  ['cpu: lots', { resources: { limits: { cpu: 'lots' } } }, {}, 'spec.template.resources.limits.cpu', 'should match'],
  ['memory: much in a syncTypes override', {}, { syncTypes: [{ source: 'hubspot', types: ['*'], template: { resources: { requests: { memory: 'much' } } } }] },
    'spec.syncTypes[0].template.resources.requests.memory', 'should match'],
  ['staleAfter that overflows', {}, { staleAfter: '9999999999999999999h' }, 'spec.staleAfter', 'should match'],
  ['staleAfter 0s', {}, { staleAfter: '0s' }, 'spec.staleAfter', 'must be longer than 0'],
  ['aging.interval 0m', {}, { aging: { interval: '0m' } }, 'spec.aging.interval', 'must be longer than 0'],
  ['a retry backoff that overflows', {}, { retry: { limit: 1, backoff: { initial: '9999999999999999999h' } } }, 'spec.retry.backoff.initial', 'should match'],
  ['a retention that overflows', {}, { retention: { failed: '99999999h' } }, 'spec.retention.failed', 'should match'],
  ['privileged: true', { securityContext: { privileged: true } }, {}, 'spec.template.securityContext.privileged', `Forbidden: must be false or unset: ${WHY}`],
  ['allowPrivilegeEscalation: true', { securityContext: { allowPrivilegeEscalation: true } }, {},
    'spec.template.securityContext.allowPrivilegeEscalation', 'Forbidden: must be false or unset'],
  ['runAsNonRoot: false', { securityContext: { runAsNonRoot: false } }, {}, 'spec.template.securityContext.runAsNonRoot', 'Forbidden: must be true or unset'],
  ['runAsUser: 0 in the container', { securityContext: { runAsUser: 0 } }, {}, 'spec.template.securityContext.runAsUser', 'Forbidden: must not be 0 (root)'],
  ['runAsUser: 0 in the pod', { podSecurityContext: { runAsUser: 0 } }, {}, 'spec.template.podSecurityContext.runAsUser', 'Forbidden: must not be 0 (root)'],
  ['an added SYS_ADMIN', { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }, {},
    'spec.template.securityContext.capabilities.add', 'Forbidden: may only add NET_BIND_SERVICE'],
  ['a drop list without ALL', { securityContext: { capabilities: { drop: ['NET_RAW'] } } }, {},
    'spec.template.securityContext.capabilities.drop', 'Forbidden: must include ALL'],
  ['seccomp Unconfined', { securityContext: { seccompProfile: { type: 'Unconfined' } } }, {},
    'spec.template.securityContext.seccompProfile.type', 'Forbidden: must be RuntimeDefault or Localhost'],
  ['seccomp Localhost without a profile', { podSecurityContext: { seccompProfile: { type: 'Localhost' } } }, {},
    'spec.template.podSecurityContext.seccompProfile.localhostProfile', 'Required value: type Localhost needs localhostProfile'],
  ['AppArmor Unconfined', { podSecurityContext: { appArmorProfile: { type: 'Unconfined' } } }, {},
    'spec.template.podSecurityContext.appArmorProfile.type', 'Forbidden: must be RuntimeDefault or Localhost'],
  ['procMount: Unmasked', { securityContext: { procMount: 'Unmasked' } }, {}, 'spec.template.securityContext.procMount', 'Forbidden: must be Default or unset'],
  ['a Windows host process', { podSecurityContext: { windowsOptions: { hostProcess: true } } }, {},
    'spec.template.podSecurityContext.windowsOptions.hostProcess', 'Forbidden: must be false or unset'],
  ['SELinux type spc_t', { securityContext: { seLinuxOptions: { type: 'spc_t' } } }, {}, 'spec.template.securityContext.seLinuxOptions.type', 'Forbidden: must be one of container_t'],
  ['an SELinux user', { securityContext: { seLinuxOptions: { user: 'system_u' } } }, {}, 'spec.template.securityContext.seLinuxOptions.user', 'Forbidden: must not be set'],
  ['sysctls', { podSecurityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } }, {},
    'spec.template.podSecurityContext.sysctls', 'Forbidden: must not be set'],
  ['a securityContext field outside the policy', { securityContext: { hostNetwork: true } }, {},
    'spec.template.securityContext.hostNetwork', 'unknown field'],
] as const)('a pool with %s is refused, naming the field', async (_, template, spec, field, says) => {
  const body = pool(`bad-${seq++}`, template, spec);
  const rejected = await failure(create('workerpools', body));
  // Strict field validation answers 400 (BadRequest), schema validation 422 (Invalid).
  expect(rejected.code).toBe(says === 'unknown field' ? 400 : 422);
  expect(rejected.message).toContain(field);
  expect(rejected.message).toContain(says);
  if (says === 'unknown field') return; // the parser drops what the API server would prune
  const parsed = parseWorkerPool({ ...body, metadata: { ...body.metadata, namespace: ns } });
  expect(parsed.ok ? 'accepted' : parsed.message).toMatch(/^spec\./);
});

const compliant = {
  labels: { team: 'data', 'app.kubernetes.io/name': 'crm-sync', empty: '' },
  annotations: { 'example.com/owner': 'data team!' },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  resources: { limits: { cpu: '500m', memory: '1Gi', 'example.com/widget': '2' }, requests: { cpu: '0.5', memory: '1e3' } },
  securityContext: {
    runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
    capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  },
  podSecurityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000], seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } },
};

test('a pool within the policy is accepted as written, and the parser reads it the same', async () => {
  const body = pool('crm', compliant, { staleAfter: '1h30m', aging: { interval: '0.5m' }, retention: { succeeded: '0s', failed: '999999h' } });
  await create('workerpools', body);
  const stored = await kube.custom.getNamespacedCustomObject({ ...ref('workerpools'), name: 'crm' }) as WorkerPool;
  expect(stored.spec.template).toEqual(body.spec.template);
  const parsed = parseWorkerPool(stored);
  expect(parsed.ok && parsed.value.spec).toEqual(stored.spec);
});

test('its Job runs in a namespace enforcing the restricted standard, and the pod carries the pool\'s labels', async () => {
  const stored = await kube.custom.getNamespacedCustomObject({ ...ref('workerpools'), name: 'crm' });
  const parsed = parseWorkerPool(stored);
  if (!parsed.ok) throw new Error(parsed.message);
  // The projected token needs the namespace's default ServiceAccount, made by its controller.
  await eventually('default ServiceAccount', () => kube.core.readNamespacedServiceAccount({ namespace: restricted, name: 'default' }));
  const job = buildJob({
    task: { namespace: restricted, name: 'labelled', uid: 'not-a-task', apiVersion: API_VERSION, kind: 'SyncTask',
      spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts' } },
    pool: parsed.value, attempt: 1, enqueuedAt: new Date().toISOString(), heartbeatUrl: 'http://127.0.0.1:9/',
  });
  delete job.metadata!.ownerReferences; // no such task: the garbage collector would delete the Job
  await kube.batch.createNamespacedJob({ namespace: restricted, body: { ...job, spec: { ...job.spec!, suspend: false } } });

  const pod = await eventually('a pod of the Job', async () => {
    const pods = await kube.core.listNamespacedPod({ namespace: restricted, labelSelector: `${LABEL_TASK}=labelled` });
    return pods.items[0];
  }, { timeoutMs: 60_000 });
  expect(pod.metadata!.labels).toMatchObject({ team: 'data', 'app.kubernetes.io/name': 'crm-sync', [LABEL_TASK]: 'labelled' });

  // The control: the namespace does refuse what the policy keeps out of pools.
  const privileged = { ...job.spec!.template.spec!, containers: [{ name: 'x', image: 'x', securityContext: { privileged: true } }] };
  const refused = await failure(kube.core.createNamespacedPod({ namespace: restricted, body: { metadata: { name: 'privileged' }, spec: privileged } }));
  expect(refused.code).toBe(403);
  expect(refused.message).toContain('violates PodSecurity "restricted');
});

test('a SyncTask name over 52 characters is refused, naming metadata.name', async () => {
  const rejected = await failure(create('synctasks', task('a'.repeat(53))));
  expect(rejected.code).toBe(422);
  expect(rejected.message).toContain('metadata.name: Invalid value');
  expect(rejected.message).toContain('SyncTask names are at most 52 characters');
});

test('parameters with more than 64 keys are refused at apply time', async () => {
  const parameters = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
  const rejected = await failure(create('synctasks', task('many', { parameters })));
  expect(rejected.code).toBe(422);
  expect(rejected.message).toContain('spec.parameters: Too many: 65');
  expect(parseSyncTask({ ...task('many', { parameters }), metadata: { name: 'many', namespace: ns } })).toMatchObject({ ok: false });
});

describe('a task\'s sync is fixed once it has a Job', () => {
  const name = 'fixed';
  const immutable = (field: string) => `spec.${field}: Forbidden: spec.${field} is immutable once the task has a Job (status.jobName); create a new SyncTask`;

  beforeAll(async () => {
    await create('synctasks', task(name, { parameters: { since: '2026-01-01', pages: [1, 2] }, parametersFrom: { secretRef: { name: 'token' } } }));
  });

  test('before it has a Job, source and parameters can still change', async () => {
    await patchTask(name, { source: 'salesforce', parameters: { since: '2026-02-01', pages: [1, 2] } });
    await patchTask(name, { source: 'hubspot' });
  });

  test('status is written through its subresource with the rule in place', async () => {
    await patchTaskStatus(name, { phase: 'Queued', attempt: 1, jobName: `${name}-1` });
    const read = await kube.custom.getNamespacedCustomObject({ ...ref('synctasks'), name });
    expect(read.status).toMatchObject({ phase: 'Queued', jobName: `${name}-1` });
  });

  test.each([
    ['source', { source: 'salesforce' }],
    ['syncType', { syncType: 'companies' }],
    ['parameters', { parameters: { since: '2027-01-01' } }], // a value changed
    ['parameters', { parameters: { extra: true } }], // a key added
    ['parameters', { parameters: null }], // removed
    ['parametersFrom', { parametersFrom: { secretRef: { name: 'other' } } }],
    ['parametersFrom', { parametersFrom: null }],
  ])('then %s cannot change: %j', async (field, spec) => {
    const rejected = await failure(patchTask(name, spec));
    expect(rejected.code).toBe(422);
    expect(rejected.message).toContain(immutable(field));
  });

  test('priority and cancel can still change, and status can still be written', async () => {
    await patchTask(name, { priority: 7 });
    await patchTask(name, { cancel: true });
    await patchTaskStatus(name, { phase: 'Cancelled' });
    const read = await kube.custom.getNamespacedCustomObject({ ...ref('synctasks'), name });
    expect(read.spec).toMatchObject({ priority: 7, cancel: true, source: 'hubspot', parameters: { since: '2026-02-01', pages: [1, 2] } });
    expect(read.status.phase).toBe('Cancelled');
  });
});
