// The cap and identity invariants where they used to break: a Job of the same name
// from an earlier task, an admission aimed at a Job that was replaced, a slot freed
// while its pod still terminated, and tasks the operator knew of before their Jobs.
import type { V1Pod } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/api/common.js';
import { apiStatus, isDefiniteRefusal, type KubeClients, mergePatch } from '../../../src/kube/client.js';
import { TASKS, Writers } from '../../../src/kube/writers.js';
import { eventually, eventuallyGone } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import type { JobWatcher } from '../support/jobWatcher.js';
import { OperatorProcess } from '../support/operator.js';
import type { SyncpoolApi } from '../support/syncpool.js';

let stage: SyncpoolStage;
let kube: KubeClients;
let ns: string;
let api: SyncpoolApi;
let jobs: JobWatcher;

beforeAll(async () => {
  stage = await startSyncpool('invariants');
  ({ kube, ns, api, jobs } = stage);
});

afterAll(() => stage?.stop());

const taskRef = () => ({ group: GROUP, version: VERSION, namespace: ns, plural: TASKS });

test('a task re-applied under the name of a deleted one does not inherit the old Job\'s outcome', async () => {
  await api.createPool('reuse', { maxWorkers: 1 }, '0s');
  await api.createTask('same', { pool: 'reuse', syncType: 'same' });
  await api.waitForPhase('same', 'Succeeded');
  const old = await kube.batch.readNamespacedJob({ namespace: ns, name: 'same-1' });
  // Orphan: the old Job stays behind for good, as it would while garbage collection lags.
  await kube.custom.deleteNamespacedCustomObject({ ...taskRef(), name: 'same', propagationPolicy: 'Orphan' });
  await eventuallyGone('task same', () => api.task('same'));

  await api.createTask('same', { pool: 'reuse', syncType: 'same', priority: 3 });
  const fresh = await api.task('same');
  const done = await api.waitForPhase('same', 'Succeeded', 60_000);
  const job = await kube.batch.readNamespacedJob({ namespace: ns, name: 'same-1' });
  expect(job.metadata?.uid).not.toBe(old.metadata?.uid); // a run of its own…
  expect(job.metadata?.ownerReferences?.[0]?.uid).toBe(fresh.metadata?.uid); // …owned by the new task
  expect(job.metadata?.annotations?.['syncpool.dev/priority']).toBe('3');
  expect(done.status?.startedAt).toBeDefined();
});

test('an admission aimed at a Job that was replaced under the same name is refused and unsuspends nothing', async () => {
  const writes = new Writers(kube);
  const body = (name: string) => ({
    metadata: { name, labels: { app: 'precondition-test' } },
    spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
  });
  const first = await kube.batch.createNamespacedJob({ namespace: ns, body: body('replaced') });
  await kube.batch.deleteNamespacedJob({ namespace: ns, name: 'replaced', propagationPolicy: 'Background' });
  await eventuallyGone('Job replaced', () => kube.batch.readNamespacedJob({ namespace: ns, name: 'replaced' }));
  await kube.batch.createNamespacedJob({ namespace: ns, body: body('replaced') });

  // The API server answers 422 (metadata.uid is immutable): a definite refusal, nothing written.
  const refused = await writes.admitJob({ namespace: ns, name: 'replaced', uid: first.metadata!.uid! }).then(() => undefined, (err: unknown) => err);
  expect(apiStatus(refused)).toBe(422);
  expect(isDefiniteRefusal(refused)).toBe(true);
  const second = await kube.batch.readNamespacedJob({ namespace: ns, name: 'replaced' });
  expect(second.spec?.suspend).toBe(true);
  // And the right incarnation is admitted.
  await writes.admitJob({ namespace: ns, name: 'replaced', uid: second.metadata!.uid! });
  expect((await kube.batch.readNamespacedJob({ namespace: ns, name: 'replaced' })).spec?.suspend).toBe(false);
});

/** Records when each Job's pods left the API server, through a watch of our own. */
async function watchPods() {
  const gone = new Map<string, number>();
  const seen = new Set<string>();
  const req = await new Watch(kube.config).watch(`/api/v1/namespaces/${ns}/pods`, {}, (type, pod: V1Pod) => {
    const job = pod.metadata?.labels?.['job-name'];
    if (!job) return;
    if (type === 'DELETED') gone.set(job, Date.now());
    else seen.add(job);
  }, () => undefined);
  return { gone, seen, stop: () => req.abort() };
}

const GRACE_TEMPLATE = {
  image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/run-for': '120s', 'testbed.syncpool.dev/terminate-for': '6s' },
};

test.each([
  ['cancelled', async (task: string) => {
    await kube.custom.patchNamespacedCustomObject({ ...taskRef(), name: task, body: { spec: { cancel: true } } }, mergePatch);
    await api.waitForPhase(task, 'Cancelled');
  }],
  // Garbage collection deletes the task's Job in the background: the pod outlives it.
  ['deleted', (task: string) => kube.custom.deleteNamespacedCustomObject({ ...taskRef(), name: task })],
])('a %s run holds its slot until its pod has terminated (long grace period)', async (how, end) => {
  const pool = `grace-${how}`;
  await api.createPool(pool, { maxWorkers: 1, template: GRACE_TEMPLATE });
  const pods = await watchPods();
  try {
    await api.createTask(`${pool}-a`, { pool, syncType: 'a' });
    await api.waitForPhase(`${pool}-a`, 'Running');
    await eventually('first pod exists', async () => (pods.seen.has(`${pool}-a-1`) ? true : undefined));
    await api.createTask(`${pool}-b`, { pool, syncType: 'b' });
    await api.waitForPhase(`${pool}-b`, 'Queued');

    await end(`${pool}-a`);
    // Generous: right after a CRD is installed the garbage collector needs up to 30 s to act.
    await api.waitForPhase(`${pool}-b`, 'Running', 120_000);
    // The next run started only once the ended run's pod was gone: never two alive.
    expect(pods.gone.get(`${pool}-a-1`)).toBeDefined();
    expect(jobs.admittedAt.get(`${pool}-b-1`)!).toBeGreaterThanOrEqual(pods.gone.get(`${pool}-a-1`)!);
  } finally {
    pods.stop();
  }
});

test('tasks applied while no operator ran are admitted in priority order after it starts', async () => {
  await stage.operator.stop();
  await api.createPool('restart', { maxWorkers: 1 }, '1s');
  const priorities = [0, 7, 3, 0, 9, 1];
  // Sync types differ so overlap rules play no part; names sort against priority.
  for (const [i, priority] of priorities.entries()) await api.createTask(`restart-${i}`, { pool: 'restart', priority, syncType: `r${i}` });
  stage.operator = await OperatorProcess.start({ namespace: ns, identity: 'invariants-op-2' });
  for (let i = 0; i < priorities.length; i++) await api.waitForPhase(`restart-${i}`, 'Succeeded', 90_000);
  const expected = priorities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p || a.i - b.i).map(({ i }) => `restart-${i}-1`);
  expect(jobs.admitted.filter((j) => j.startsWith('restart-'))).toEqual(expected);
});

test('a queued task whose parameters changed under the CRD\'s guard gets a Job that runs what it shows', async () => {
  await api.createPool('drift', { maxWorkers: 1, paused: true });
  await api.createTask('drifty', { pool: 'drift', syncType: 'drifty', parameters: { since: '2026-01-01' } });
  await api.waitForPhase('drifty', 'Queued');
  const before = await kube.batch.readNamespacedJob({ namespace: ns, name: 'drifty-1' });
  // CEL compares free-form objects by key count and shared keys: a renamed key slips through.
  // (A JSON patch, so the old key is replaced rather than merged.)
  await kube.custom.patchNamespacedCustomObject({
    ...taskRef(), name: 'drifty', body: [{ op: 'replace', path: '/spec/parameters', value: { until: '2026-01-01' } }],
  });
  const after = await eventually('Job made again with the new parameters', async () => {
    const job = await kube.batch.readNamespacedJob({ namespace: ns, name: 'drifty-1' }).catch(() => undefined);
    return job && job.metadata?.uid !== before.metadata?.uid ? job : undefined;
  });
  const env = after.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'SYNCPOOL_PARAMETERS');
  expect(env?.value).toBe('{"until":"2026-01-01"}');
  await api.patchPool('drift', { paused: false });
  await api.waitForPhase('drifty', 'Succeeded');
});
