// The pool's cap, order and limits, as a user sees them: SyncTasks applied, Jobs run
// on the fake node, an independent watch counting what ran at once.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { peakConcurrency } from '../support/intervals.js';
import type { JobWatcher } from '../support/jobWatcher.js';
import type { SyncpoolApi } from '../support/syncpool.js';

let stage: SyncpoolStage;
let api: SyncpoolApi;
let jobs: JobWatcher;

beforeAll(async () => {
  // Pod Security admission refuses any pod that breaks the "restricted" standard, so
  // every sync that succeeds here proves the Job's pod passes it.
  stage = await startSyncpool('admission', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  ({ api, jobs } = stage);
});

afterAll(() => stage?.stop());

const interval = (job: string): [number, number] => [jobs.admittedAt.get(job)!, jobs.finishedAt.get(job) ?? Date.now()];

test('20 tasks under maxWorkers 3: never more than 3 at once, all succeed, in priority then FIFO order (within an admission cycle, any order)', async () => {
  await api.createPool('drain', { maxWorkers: 3, paused: true }, '1s');
  const priorities = [0, 5, 0, 10, 5, 0, 10, 0, 5, 0, 0, 10, 5, 0, 0, 5, 0, 10, 0, 0];
  for (const [i, priority] of priorities.entries()) {
    await api.createTask(`drain-${String(i).padStart(2, '0')}`, { pool: 'drain', priority, syncType: `type-${i}` });
  }
  await api.waitForAll(['Queued'], 20);
  await api.patchPool('drain', { paused: false });

  const done = await api.waitForAll(['Succeeded'], 20, 180_000);
  expect(done).toHaveLength(20);
  expect(jobs.peak.get('drain')).toBe(3);

  // Expected: priority high to low, then creation order (FIFO) within a priority. One
  // admission cycle sends its writes together, so the Jobs of one cycle (at most 3 here)
  // may be seen unsuspended in any order among themselves, never behind a later cycle's.
  const expected = priorities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p || a.i - b.i)
    .map(({ i }) => `drain-${String(i).padStart(2, '0')}-1`);
  const admitted = jobs.admitted.filter((j) => j.startsWith('drain-'));
  expect([...admitted].sort()).toEqual([...expected].sort());
  expect(new Set(admitted.slice(0, 3))).toEqual(new Set(expected.slice(0, 3))); // the first cycle: the top three
  const late = expected.flatMap((ahead, rank) => expected.slice(rank + 1).map((behind) => ({ ahead, behind })))
    .filter(({ ahead, behind }) => admitted.indexOf(ahead) - admitted.indexOf(behind) >= 3)
    .map(({ ahead, behind }) => `${ahead} admitted ${admitted.indexOf(ahead) - admitted.indexOf(behind)} places after ${behind}`);
  expect(late).toEqual([]);
  // Who wrote what, as the API server records it (kubectl get --show-managed-fields): the
  // operator under its own name, for the task's status and for the Job it made.
  const managers = (meta: unknown) => (meta as V1ObjectMeta).managedFields?.map((f) => `${f.manager}${f.subresource ? `/${f.subresource}` : ''}`);
  expect(managers((await api.task('drain-00')).metadata)).toContain('syncpool-operator/status');
  expect(managers((await stage.kube.batch.readNamespacedJob({ namespace: stage.ns, name: 'drain-00-1' })).metadata)).toContain('syncpool-operator');
  // Counts alone are written at most once a second: the last ones land within it.
  const settled = await eventually('the pool status at rest', async () => {
    const { status } = await api.pool('drain');
    return status?.active === 0 ? status : undefined;
  }, { timeoutMs: 10_000 });
  expect(settled).toMatchObject({ active: 0, queued: 0, utilization: '0%' });
});

test('a high-priority task submitted while the pool is full starts next', async () => {
  await api.createPool('jump', { maxWorkers: 1 }, '3s');
  // The first takes the free slot; the rest queue behind it in FIFO order.
  await api.createTask('jump-low-a', { pool: 'jump', syncType: 'jump-low-a' });
  await api.waitForPhase('jump-low-a', 'Running');
  for (const name of ['jump-low-b', 'jump-low-c']) await api.createTask(name, { pool: 'jump', syncType: name });
  await api.waitForPhase('jump-low-c', 'Queued');
  await api.createTask('jump-urgent', { pool: 'jump', priority: 100, syncType: 'urgent' });
  await api.waitForPhase('jump-low-c', 'Succeeded', 60_000);
  expect(jobs.admitted.filter((j) => j.startsWith('jump-'))).toEqual(['jump-low-a-1', 'jump-urgent-1', 'jump-low-b-1', 'jump-low-c-1']);
});

test('raising maxWorkers admits at once; lowering it stops admission while running syncs finish', async () => {
  await api.createPool('grow', { maxWorkers: 1 }, '8s');
  for (let i = 0; i < 4; i++) await api.createTask(`grow-${i}`, { pool: 'grow', syncType: `t${i}` });
  await eventually('one running', async () => (jobs.runningIn('grow').length === 1 ? true : undefined));
  // Every task known to the pool before the raise (a task whose Job is not created yet
  // counts as queued too, so the pool's numbers hold either way).
  await eventually('all four grow tasks queued or running', async () => {
    const grow = (await api.tasks()).filter((t) => t.metadata.name.startsWith('grow-'));
    return grow.length === 4 && grow.every((t) => ['Queued', 'Running'].includes(t.status?.phase ?? '')) ? true : undefined;
  });
  const raisedAt = Date.now();
  await api.patchPool('grow', { maxWorkers: 3 });
  await eventually('three running', async () => (jobs.runningIn('grow').length === 3 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
  process.stderr.write(`raise → 3 running observed after ${Date.now() - raisedAt} ms\n`);
  const pool = await eventually('pool status caught up', async () => {
    const p = await api.pool('grow');
    return p.status?.active === 3 ? p : undefined;
  });
  expect(pool.status).toMatchObject({ active: 3, queued: 1, utilization: '100%' });
  expect(pool.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Saturated', status: 'True' })]));

  await api.patchPool('grow', { maxWorkers: 1 });
  const running = jobs.runningIn('grow');
  expect(running).toHaveLength(3); // nothing is killed to get under the new cap
  const fourth = [0, 1, 2, 3].map((i) => `grow-${i}`).find((t) => !running.includes(`${t}-1`))!;
  await api.waitForPhase(fourth, 'Succeeded', 60_000);
  // The fourth started only once all three had finished: below the lowered cap of 1.
  const lastOfThree = Math.max(...running.map((j) => jobs.finishedAt.get(j)!));
  expect(jobs.admittedAt.get(`${fourth}-1`)!).toBeGreaterThanOrEqual(lastOfThree);
});

test('a paused pool admits nothing, and says so', async () => {
  await api.createPool('held', { maxWorkers: 2, paused: true });
  await api.createTask('held-a', { pool: 'held', syncType: 'a' });
  await api.createTask('held-b', { pool: 'held', syncType: 'b' });
  await api.waitForPhase('held-a', 'Queued');
  await api.waitForPhase('held-b', 'Queued');
  await new Promise((r) => setTimeout(r, 3_000));
  expect(jobs.runningIn('held')).toEqual([]);
  expect(jobs.admitted.filter((j) => j.startsWith('held-'))).toEqual([]);
  const pool = await eventually('paused pool status', async () => {
    const p = await api.pool('held');
    return p.status?.queued === 2 ? p : undefined;
  });
  expect(pool.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', reason: 'Paused' })]));
});

test('sourceLimits cap one source while others use the free slots', async () => {
  await api.createPool('limits', { maxWorkers: 3, sourceLimits: { hubspot: 1 } }, '2s');
  for (const t of ['contacts', 'companies', 'deals']) await api.createTask(`limits-hs-${t}`, { pool: 'limits', source: 'hubspot', syncType: t });
  for (const t of ['accounts', 'leads']) await api.createTask(`limits-sf-${t}`, { pool: 'limits', source: 'salesforce', syncType: t });
  for (const t of ['contacts', 'companies', 'deals']) await api.waitForPhase(`limits-hs-${t}`, 'Succeeded', 90_000);
  const hubspot = ['contacts', 'companies', 'deals'].map((t) => interval(`limits-hs-${t}-1`));
  const all = [...hubspot, ...['accounts', 'leads'].map((t) => interval(`limits-sf-${t}-1`))];
  expect(peakConcurrency(hubspot)).toBe(1);
  expect(peakConcurrency(all)).toBeGreaterThan(1); // salesforce ran beside hubspot
});

test('overlap Forbid never runs the same (source, syncType) twice at once; Allow does', async () => {
  await api.createPool('forbid', { maxWorkers: 3 }, '2s');
  await api.createPool('allow', { maxWorkers: 3, overlap: 'Allow' }, '2s');
  for (const pool of ['forbid', 'allow']) {
    for (const n of ['x', 'y']) await api.createTask(`${pool}-${n}`, { pool, source: 'hubspot', syncType: 'contacts' });
  }
  for (const name of ['forbid-x', 'forbid-y', 'allow-x', 'allow-y']) await api.waitForPhase(name, 'Succeeded', 90_000);
  expect(peakConcurrency([interval('forbid-x-1'), interval('forbid-y-1')])).toBe(1);
  expect(peakConcurrency([interval('allow-x-1'), interval('allow-y-1')])).toBe(2);
});

test('an unknown sync type is Rejected with a message naming what the pool allows, and no Job is made', async () => {
  await api.createPool('strict', { maxWorkers: 1, syncTypes: [{ source: 'hubspot', types: ['contacts', 'companies'] }] });
  await api.createTask('strict-deals', { pool: 'strict', source: 'hubspot', syncType: 'deals' });
  const task = await api.waitForPhase('strict-deals', 'Rejected');
  expect(task.status?.message).toBe('sync hubspot/deals is not allowed by WorkerPool strict; it allows: hubspot/{contacts,companies}');
  expect([...jobs.seen.keys()].filter((j) => j.startsWith('strict-deals'))).toEqual([]);
});

test('a task created before its pool is Pending, then runs when the pool appears', async () => {
  await api.createTask('early', { pool: 'late-pool', syncType: 'early' });
  const pending = await api.waitForPhase('early', 'Pending');
  expect(pending.status?.conditions).toEqual(expect.arrayContaining([
    expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'PoolNotFound' }),
  ]));
  await api.createPool('late-pool', { maxWorkers: 1 });
  await api.waitForPhase('early', 'Succeeded');
});
