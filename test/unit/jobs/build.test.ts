import { parseWorkerPool } from '../../../src/api/parse.js';
import { buildJob, type JobInputs } from '../../../src/jobs/build.js';
import { LABEL_POOL, LABEL_TASK } from '../../../src/jobs/labels.js';

function inputs(over: Partial<JobInputs['pool']['spec']> = {}, task: Partial<JobInputs['task']['spec']> = {}): JobInputs {
  return {
    task: {
      namespace: 'crm', name: 'contacts-nightly', uid: 'uid-1', apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
      spec: { pool: 'crm-pool', source: 'hubspot', syncType: 'contacts', priority: 5, parameters: { since: '2026-01-01' }, ...task },
    },
    pool: { spec: { template: { image: 'registry.example/sync:1', env: [{ name: 'LOG', value: 'info' }] }, ...over } },
    attempt: 2,
    enqueuedAt: '2026-11-22T10:00:00.000Z',
    heartbeatUrl: 'http://syncpool.ops.svc:8080/api/v1/heartbeat',
  };
}

const env = (job: ReturnType<typeof buildJob>) =>
  Object.fromEntries(job.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));

test('one suspended Job per attempt, named after task and attempt, owned by the task', () => {
  const job = buildJob(inputs());
  expect(job.metadata!.name).toBe('contacts-nightly-2');
  expect(job.spec!.suspend).toBe(true);
  expect(job.spec!.backoffLimit).toBe(0);
  expect(job.metadata!.labels).toMatchObject({ [LABEL_POOL]: 'crm-pool', [LABEL_TASK]: 'contacts-nightly', 'syncpool.dev/attempt': '2' });
  expect(job.metadata!.annotations).toEqual({ 'syncpool.dev/priority': '5', 'syncpool.dev/enqueued-at': '2026-11-22T10:00:00.000Z' });
  expect(job.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'SyncTask', uid: 'uid-1', controller: true })]);
});

test('the worker contract reaches the container, after the template env and not shadowed by it', () => {
  const job = buildJob(inputs({ template: { image: 'x', env: [{ name: 'SYNCPOOL_TASK', value: 'spoofed' }, { name: 'LOG', value: 'debug' }] } }));
  expect(env(job)).toEqual({
    LOG: 'debug',
    SYNCPOOL_TASK: 'crm/contacts-nightly',
    SYNCPOOL_SOURCE: 'hubspot',
    SYNCPOOL_SYNC_TYPE: 'contacts',
    SYNCPOOL_ATTEMPT: '2',
    SYNCPOOL_PARAMETERS: '{"since":"2026-01-01"}',
    SYNCPOOL_HEARTBEAT_URL: 'http://syncpool.ops.svc:8080/api/v1/heartbeat',
    SYNCPOOL_TOKEN_FILE: '/var/run/secrets/syncpool/token',
  });
  const volume = job.spec!.template.spec!.volumes![0]!;
  expect(volume.projected!.sources![0]!.serviceAccountToken).toMatchObject({ audience: 'syncpool' });
});

test('security fields default to the restricted Pod Security Standard when the template is silent', () => {
  const pod = buildJob(inputs()).spec!.template.spec!;
  expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.containers[0]!.securityContext).toEqual({
    allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.automountServiceAccountToken).toBe(false);
  // The API server refuses a projected token without a named service account.
  expect(pod.serviceAccountName).toBe('default');
});

test('template security fields win, the missing ones are still defaulted', () => {
  const pod = buildJob(inputs({ template: { image: 'x', securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true } } })).spec!.template.spec!;
  expect(pod.containers[0]!.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
});

test('a syncTypes rule overrides the image and merges env for its (source, syncType)', () => {
  const job = buildJob(inputs({
    syncTypes: [{ source: 'hubspot', types: ['contacts'], template: { image: 'registry.example/hubspot:3', env: [{ name: 'LOG', value: 'warn' }] } }],
  }));
  expect(job.spec!.template.spec!.containers[0]!.image).toBe('registry.example/hubspot:3');
  expect(env(job).LOG).toBe('warn');
});

test('secret parameters arrive through envFrom with a prefix, never inline', () => {
  const job = buildJob(inputs({}, { parametersFrom: { secretRef: { name: 'hubspot-token' } } }));
  expect(job.spec!.template.spec!.containers[0]!.envFrom).toEqual([{ secretRef: { name: 'hubspot-token' }, prefix: 'SYNCPOOL_PARAM_' }]);
});

test('the pool template labels reach the pods, not the Job, and syncpool\'s own labels win', () => {
  const job = buildJob(inputs({ template: { image: 'x', labels: { team: 'data', [LABEL_POOL]: 'spoofed' } } }));
  expect(job.spec!.template.metadata!.labels).toEqual({ ...job.metadata!.labels, team: 'data' });
  expect(job.spec!.template.metadata!.labels![LABEL_POOL]).toBe('crm-pool');
  expect(job.metadata!.labels!.team).toBeUndefined();
});

test('every label syncpool puts on a pod is one a pool template may not set', () => {
  const own = Object.keys(buildJob(inputs()).spec!.template.metadata!.labels!);
  for (const key of own) {
    const parsed = parseWorkerPool({
      apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { name: 'crm', namespace: 'data' },
      spec: { maxWorkers: 1, template: { image: 'x', labels: { [key]: 'v' } } },
    });
    expect({ key, message: parsed.ok ? 'accepted' : parsed.message }).toEqual({ key, message: expect.stringContaining('key is reserved') });
  }
});

test('adding NET_BIND_SERVICE still drops every other capability', () => {
  const pod = buildJob(inputs({ template: { image: 'x', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } } })).spec!.template.spec!;
  expect(pod.containers[0]!.securityContext!.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
});
