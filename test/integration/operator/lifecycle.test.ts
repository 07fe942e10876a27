// A task's life beyond the happy path: cancelled while queued or running, deleted.
import { GROUP, VERSION } from '../../../src/api/common.js';
import { type KubeClients, mergePatch } from '../../../src/kube/client.js';
import { TASKS } from '../../../src/kube/writers.js';
import { eventually, eventuallyGone } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import type { JobWatcher } from '../support/jobWatcher.js';
import type { SyncpoolApi } from '../support/syncpool.js';

let stage: SyncpoolStage;
let kube: KubeClients;
let ns: string;
let api: SyncpoolApi;
let jobs: JobWatcher;

beforeAll(async () => {
  stage = await startSyncpool('lifecycle');
  ({ kube, ns, api, jobs } = stage);
  await api.createPool('slow', { maxWorkers: 1 }, '60s');
});

afterAll(() => stage?.stop());

const ref = () => ({ group: GROUP, version: VERSION, namespace: ns, plural: TASKS });
const cancel = (name: string) =>
  kube.custom.patchNamespacedCustomObject({ ...ref(), name, body: { spec: { cancel: true } } }, mergePatch);
// Owner-reference deletion is the garbage collector's: on a fresh cluster it learns a
// new CRD kind only at its next discovery refresh (every 30 s), hence the margin.
const jobGone = (name: string) =>
  eventuallyGone(`Job ${name}`, () => kube.batch.readNamespacedJob({ namespace: ns, name }), { timeoutMs: 90_000, intervalMs: 500 });

test('cancelling a running task terminates its Job and frees the slot for the next', async () => {
  // One at a time: with a free slot, whichever Job reaches the API server first starts.
  await api.createTask('long', { pool: 'slow', syncType: 'long' });
  await api.waitForPhase('long', 'Running');
  await api.createTask('next', { pool: 'slow', syncType: 'next' });
  await api.waitForPhase('next', 'Queued');
  await cancel('long');
  const cancelled = await api.waitForPhase('long', 'Cancelled');
  expect(cancelled.status?.message).toBe('cancelled by spec.cancel; the running Job was terminated');
  await jobGone('long-1');
  await api.waitForPhase('next', 'Running'); // the slot went to the queue's next task
});

test('cancelling a queued task drops it from the queue without running it', async () => {
  await api.createTask('waiting', { pool: 'slow', syncType: 'waiting' });
  await api.waitForPhase('waiting', 'Queued');
  await cancel('waiting');
  const cancelled = await api.waitForPhase('waiting', 'Cancelled');
  expect(cancelled.status?.message).toBe('cancelled by spec.cancel before it started');
  await jobGone('waiting-1');
  expect(jobs.admitted).not.toContain('waiting-1');
});

test('deleting a task deletes its Job (owner reference)', async () => {
  await api.createTask('doomed', { pool: 'slow', syncType: 'doomed' });
  await api.waitForPhase('doomed', 'Queued');
  await kube.custom.deleteNamespacedCustomObject({ ...ref(), name: 'doomed' });
  await jobGone('doomed-1');
});

test('deleting a running task removes its Job and its pod', async () => {
  await api.createPool('deletable', { maxWorkers: 1 }, '600s');
  await api.createTask('running-doomed', { pool: 'deletable' });
  await api.waitForPhase('running-doomed', 'Running');
  await kube.custom.deleteNamespacedCustomObject({ ...ref(), name: 'running-doomed' });
  await jobGone('running-doomed-1');
  await eventually('pods of running-doomed gone', async () => {
    const pods = await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'syncpool.dev/task=running-doomed' });
    return pods.items.length === 0 ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
});

test('a pool whose template makes an invalid Job says so itself; its task waits Pending; fixing the pool runs it', async () => {
  // Passes the CRD (valueFrom is free-form there) but not the Job's own validation.
  const bad = { image: 'x', env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nowhere' } } }] };
  await api.createPool('broken', { maxWorkers: 1, template: bad }, '0s');
  await api.createTask('victim', { pool: 'broken', syncType: 'victim' });
  const pool = await eventually('pool reports its template invalid', async () => {
    const p = await api.pool('broken');
    return p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') ? p : undefined;
  });
  const ready = pool.status!.conditions!.find((c) => c.type === 'Ready')!;
  expect(ready.reason).toBe('InvalidTemplate');
  expect(ready.message).toMatch(/^spec\.template makes a Job the API server refuses \(spec\.template\.spec\.containers\[0\]\.env\[0\]\.valueFrom\.fieldRef\.fieldPath\)/);
  const pending = await eventually('task explains it waits for the pool', async () => {
    const t = await api.task('victim');
    return t.status?.conditions?.some((c) => c.type === 'Accepted' && c.reason === 'PoolInvalid') ? t : undefined;
  });
  expect(pending.status?.phase).toBe('Pending');
  expect(pending.status?.message).toMatch(/^WorkerPool broken cannot run syncs until it is fixed: spec\.template makes a Job/);

  await api.patchPool('broken', { template: { image: 'x', env: [{ name: 'NODE', value: 'n' }] } });
  await api.waitForPhase('victim', 'Succeeded');
  const fixed = await api.pool('broken');
  expect(fixed.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
});

test('a task naming a Secret that cannot exist is refused at apply time with the field named; the pool is untouched', async () => {
  await api.createPool('fine', { maxWorkers: 1 }, '0s');
  const refused = await api.createTask('bad-secret', { pool: 'fine', syncType: 'bad-secret', parametersFrom: { secretRef: { name: 'Not_A_Valid_Name' } } })
    .then(() => undefined, (err: unknown) => String((err as { body?: unknown }).body ?? err));
  expect(refused).toMatch(/spec\.parametersFrom\.secretRef\.name/);
  await api.createTask('good-secret', { pool: 'fine', syncType: 'good-secret', parametersFrom: { secretRef: { name: 'crm-credentials' } } });
  await api.waitForPhase('good-secret', 'Succeeded'); // the fake node does not look the Secret up
  const pool = await eventually('pool ready', async () => {
    const p = await api.pool('fine');
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  });
  expect(pool.status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Admitting');
});

test('raising a queued task\'s priority moves it ahead in the queue', async () => {
  await api.createPool('rank', { maxWorkers: 1 }, '3s');
  await api.createTask('rank-first', { pool: 'rank', syncType: 'rank-first' });
  await api.waitForPhase('rank-first', 'Running');
  for (const name of ['rank-a', 'rank-b']) await api.createTask(name, { pool: 'rank', syncType: name });
  await api.waitForPhase('rank-b', 'Queued');
  await kube.custom.patchNamespacedCustomObject({ ...ref(), name: 'rank-b', body: { spec: { priority: 50 } } }, mergePatch);
  await eventually('rank-b-1 re-ranked', async () => {
    const job = await kube.batch.readNamespacedJob({ namespace: ns, name: 'rank-b-1' });
    return job.metadata?.annotations?.['syncpool.dev/priority'] === '50' ? true : undefined;
  });
  await api.waitForPhase('rank-a', 'Succeeded', 60_000);
  expect(jobs.admitted.filter((j) => j.startsWith('rank-'))).toEqual(['rank-first-1', 'rank-b-1', 'rank-a-1']);
});

test('deleting a pool: its running sync finishes, its queued task waits as Pending until the pool returns', async () => {
  await api.createPool('fleeting', { maxWorkers: 1 }, '6s');
  await api.createTask('fl-running', { pool: 'fleeting', syncType: 'running' });
  await api.waitForPhase('fl-running', 'Running');
  await api.createTask('fl-queued', { pool: 'fleeting', syncType: 'queued' });
  await api.waitForPhase('fl-queued', 'Queued');
  await kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'workerpools', name: 'fleeting' });

  const waiting = await api.waitForPhase('fl-queued', 'Pending');
  expect(waiting.status?.message).toMatch(/WorkerPool fleeting does not exist/);
  await api.waitForPhase('fl-running', 'Succeeded', 30_000); // never flipped to Pending
  expect(jobs.admitted).not.toContain('fl-queued-1');

  await api.createPool('fleeting', { maxWorkers: 1 }, '0s');
  await api.waitForPhase('fl-queued', 'Succeeded');
});
