// A run's lifecycle on the real control plane: failed attempts retried with their
// backoff and never two at once, runs that never start failed after startupTimeout
// with Kubernetes' reason, retention, and a Rejected task its pool comes to allow.
import type { V1Job } from '@kubernetes/client-node';
import { eventually, eventuallyGone } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('runs');
});

afterAll(() => stage?.stop());

const template = (annotations: Record<string, string>, extra: object = {}) => ({ image: 'registry.example/sync:1', annotations, ...extra });
const seconds = (d: Date | string | undefined) => new Date(d ?? 0).getTime() / 1000;
const failedAt = (job: V1Job) => seconds(job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True')?.lastTransitionTime);

test('a failing sync is retried with the configured spacing, never two attempts at once, and ends Failed after the limit', async () => {
  const { api, jobs } = stage;
  await api.createPool('flaky', {
    maxWorkers: 2, template: template({ 'testbed.syncpool.dev/exit-code': '3' }),
    retry: { limit: 2, backoff: { initial: '3s', factor: 2, max: '1h' } },
  });
  await api.createTask('flaky', { pool: 'flaky' });
  const failed = await api.waitForPhase('flaky', 'Failed', 90_000);
  expect(failed.status).toMatchObject({ attempt: 3, jobName: 'flaky-3' });
  expect(failed.status?.message).toMatch(/^Job flaky-3 failed \(BackoffLimitExceeded.*\) after 3 attempts$/);

  const attempts = ['flaky-1', 'flaky-2', 'flaky-3'].map((n) => jobs.seen.get(n)!);
  expect(attempts.every(Boolean)).toBe(true);
  // Each attempt's Job was made only after the previous one had failed (all its pods
  // gone), and after its backoff: 3 s, then 6 s. Timestamps are whole seconds.
  const gaps = [1, 2].map((i) => seconds(attempts[i]!.metadata!.creationTimestamp) - failedAt(attempts[i - 1]!));
  expect(gaps[0]).toBeGreaterThanOrEqual(3 - 1);
  expect(gaps[1]).toBeGreaterThanOrEqual(6 - 1);
  expect(gaps[1]! - gaps[0]!).toBeGreaterThanOrEqual(3 - 2); // the second wait is the longer one
  expect(jobs.peak.get('flaky')).toBe(1);
});

test('a run whose pod cannot be scheduled fails after startupTimeout with the scheduler\'s words, and the queue behind it moves', async () => {
  const { api, jobs } = stage;
  await api.createPool('stuck', {
    maxWorkers: 1, startupTimeout: '4s',
    template: template({ 'testbed.syncpool.dev/run-for': '1s' }, { nodeSelector: { 'syncpool.dev/no-such-node': 'true' } }),
  });
  await api.createTask('unschedulable', { pool: 'stuck', priority: 10 });
  await api.waitForPhase('unschedulable', 'Running');
  await api.createTask('behind', { pool: 'stuck' });
  await api.waitForPhase('behind', 'Queued');
  const failed = await api.waitForPhase('unschedulable', 'Failed', 60_000);
  expect(failed.status?.conditions?.find((c) => c.type === 'Finished')?.reason).toBe('StartupTimeout');
  expect(failed.status?.message).toMatch(/StartupTimeout: no pod running \d+s after admission \(startupTimeout 4s\): Unschedulable: 0\/1 nodes are available/);
  // The slot it held goes to the next in line (which cannot be scheduled either).
  await api.waitForPhase('behind', 'Running');
  expect(jobs.peak.get('stuck')).toBe(1);
});

test('a run whose pods a ResourceQuota refuses fails after startupTimeout with the quota\'s message', async () => {
  const { api, kube, ns } = stage;
  await kube.core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
  try {
    // The quota admits everything until the quota controller has counted the namespace.
    await eventually('quota counted', async () =>
      ((await kube.core.readNamespacedResourceQuota({ namespace: ns, name: 'no-pods' })).status?.hard ? true : undefined));
    await api.createPool('quota', { maxWorkers: 1, startupTimeout: '4s', template: template({ 'testbed.syncpool.dev/run-for': '1s' }) });
    await api.createTask('refused', { pool: 'quota' });
    const failed = await api.waitForPhase('refused', 'Failed', 60_000);
    expect(failed.status?.conditions?.find((c) => c.type === 'Finished')?.reason).toBe('StartupTimeout');
    expect(failed.status?.message).toMatch(/FailedCreate: .*exceeded quota: no-pods/);
  } finally {
    await kube.core.deleteNamespacedResourceQuota({ namespace: ns, name: 'no-pods' });
  }
});

test('retention removes a finished task and its Job', async () => {
  const { api, kube, ns } = stage;
  await api.createPool('brief', { maxWorkers: 1, retention: { succeeded: '3s' } });
  await api.createTask('done', { pool: 'brief' });
  await api.waitForPhase('done', 'Succeeded');
  await eventuallyGone('task done', () => api.task('done'), { timeoutMs: 30_000, intervalMs: 500 });
  // The garbage collector learns a new kind at its next discovery refresh (30 s).
  await eventuallyGone('Job done-1', () => kube.batch.readNamespacedJob({ namespace: ns, name: 'done-1' }), { timeoutMs: 90_000, intervalMs: 500 });
});

test('a task Rejected by its pool\'s syncTypes runs once the pool allows it', async () => {
  const { api } = stage;
  await api.createPool('picky', { maxWorkers: 1, syncTypes: [{ source: 'hubspot', types: ['contacts'] }] });
  await api.createTask('deals', { pool: 'picky', syncType: 'deals' });
  const rejected = await api.waitForPhase('deals', 'Rejected');
  expect(rejected.status?.message).toContain('allowed');
  await api.patchPool('picky', { syncTypes: [{ source: 'hubspot', types: ['contacts', 'deals'] }] });
  const done = await api.waitForPhase('deals', 'Succeeded');
  expect(done.status?.finishedAt).toBeDefined();
  expect(done.status?.conditions?.find((c) => c.type === 'Accepted')?.status).toBe('True');
});
