// A run's lifecycle in the task reconciler, against the fake cluster and a fake clock:
// retries with backoff, stale and never-started runs ended, cancel during a backoff,
// retention, and a Rejected task judged again when its pool changes.
import { ApiException } from '@kubernetes/client-node';
import { MemoryHeartbeatStore } from '../../../src/heartbeat/memoryStore.js';
import { Harness } from './sim/harness.js';
import type { PoolSpecInput, TaskSpecInput } from './sim/objects.js';

const MIN = 60_000;

/** What the API server answers a write with a stale resourceVersion. */
const conflict = () => new ApiException(409, 'Conflict', {}, {});

function world(task: Partial<TaskSpecInput> = {}, pool: PoolSpecInput = {}): Harness {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1, staleAfter: '5m', startupTimeout: '2m', ...pool });
  h.cluster.createTask('t', { pool: 'p', ...task });
  h.deliverAll();
  return h;
}

type Status = { phase?: string; attempt?: number; jobName?: string; message?: string; nextRetryAt?: string; queuedAt?: string; finishedAt?: string;
  conditions?: { type: string; status: string; reason: string }[] };
const status = (h: Harness) => (h.task('t')?.status ?? {}) as Status;

/** Reconciles the task and its pool until the attempt's Job runs. */
async function runAttempt(h: Harness): Promise<void> {
  await h.reconcile('task', 't');
  h.deliverAll();
  await h.reconcile('pool', 'p');
  h.stepJobs({ finishChance: 0 }); // the pod starts and keeps running
  h.deliverAll();
  await h.reconcile('task', 't');
  h.deliverAll();
}

/** The running attempt's pod exits non-zero; the Job controller fails the Job. */
async function failAttempt(h: Harness): Promise<void> {
  h.stepJobs({ finishChance: 1, failShare: 1 }); // FailureTarget, pod terminating
  h.stepJobs(); // Failed, pod gone
  h.deliverAll();
}

describe('retries', () => {
  test('a failed attempt with retries left waits its backoff, then the next attempt queues as a new Job', async () => {
    const h = world({ retry: { limit: 2, backoff: { initial: '60s', factor: 2, max: '1h' } } });
    await runAttempt(h);
    expect(status(h)).toMatchObject({ phase: 'Running', attempt: 1 });
    await failAttempt(h);
    const failedAt = h.clock.now();

    const { result } = await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Pending', attempt: 1, nextRetryAt: new Date(Math.floor(failedAt / 1000) * 1000 + MIN).toISOString() });
    expect(status(h).conditions?.find((c) => c.type === 'Admitted')).toMatchObject({ status: 'False', reason: 'RetryBackoff' });
    expect(status(h).message).toMatch(/attempt 1 failed .*attempt 2 enters the queue at .* \(2 retries left\)/);
    expect(h.job('t-2')).toBeUndefined();
    expect((result as { requeueAfterMs: number }).requeueAfterMs).toBeGreaterThan(58_000);

    h.clock.advance(30_000);
    await h.reconcile('task', 't');
    expect(h.job('t-2')).toBeUndefined(); // not before its time

    h.clock.advance(31_000);
    await h.reconcile('task', 't');
    expect(h.job('t-2')?.spec?.suspend).toBe(true); // queued, not running: the pool admits it
    expect(status(h)).toMatchObject({ phase: 'Queued', attempt: 2, jobName: 't-2' });
    expect(status(h).nextRetryAt).toBeUndefined();
  });

  test('the delays grow by the factor, and the last failure is final, with its reason, kept for inspection', async () => {
    const h = world({ retry: { limit: 2, backoff: { initial: '60s', factor: 2, max: '1h' } } });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await runAttempt(h);
      expect(status(h)).toMatchObject({ phase: 'Running', attempt });
      await failAttempt(h);
      const { result } = await h.reconcile('task', 't');
      h.deliverAll();
      if (attempt < 3) {
        waits.push(Date.parse(status(h).nextRetryAt!) - Math.floor(h.clock.now() / 1000) * 1000);
        h.clock.advance((result as { requeueAfterMs: number }).requeueAfterMs);
      }
    }
    expect(waits).toEqual([60_000, 120_000]);
    expect(status(h)).toMatchObject({ phase: 'Failed', attempt: 3, jobName: 't-3' });
    expect(status(h).message).toMatch(/Job t-3 failed \(BackoffLimitExceeded.*\) after 3 attempts/);
    expect(['t-1', 't-2', 't-3'].map((j) => h.job(j) !== undefined)).toEqual([true, true, true]);
  });

  test('no next attempt while the failed one still has a pod terminating', async () => {
    const h = world({ retry: { limit: 1, backoff: { initial: '1s' } } });
    await runAttempt(h);
    h.stepJobs({ finishChance: 1, failShare: 1 }); // FailureTarget: the pod is still terminating
    h.deliverAll();
    h.clock.advance(10 * MIN);
    await h.reconcile('task', 't');
    expect(h.job('t-2')).toBeUndefined();
    expect(status(h).phase).toBe('Running');
  });

  test('cancel during the backoff ends the task Cancelled without another attempt', async () => {
    const h = world({ retry: { limit: 3 } });
    await runAttempt(h);
    await failAttempt(h);
    await h.reconcile('task', 't');
    h.cluster.updateTaskSpec('t', { cancel: true });
    h.deliverAll();
    h.clock.advance(10 * MIN);
    await h.reconcile('task', 't');
    expect(status(h).phase).toBe('Cancelled');
    expect(h.job('t-2')).toBeUndefined();
  });

  test('a next attempt\'s Job whose status write was lost is removed when the task ends Cancelled (found by sim seed 3766)', async () => {
    const h = world({ retry: { limit: 3, backoff: { initial: '60s' } } });
    await runAttempt(h);
    await failAttempt(h);
    await h.reconcile('task', 't');
    h.clock.advance(2 * MIN);
    // The leader makes attempt 2's Job, but the status write naming it is refused.
    h.script.push({ match: /^status task t /, fate: { refuse: conflict() } });
    await h.reconcile('task', 't');
    expect(h.job('t-2')?.spec?.suspend).toBe(true);
    expect(status(h).attempt).toBe(1);
    h.cluster.updateTaskSpec('t', { cancel: true });
    h.deliverAll();
    // Judged from attempt 1's Job (failed) and the cancel: Cancelled, and attempt 2's Job goes too.
    await h.reconcile('task', 't');
    h.runJobs();
    expect(status(h).phase).toBe('Cancelled');
    expect(h.job('t-2')).toBeUndefined();
  });
});

describe('stale runs', () => {
  test('a running attempt with no heartbeat for staleAfter is ended with HeartbeatTimeout, and fails with that reason', async () => {
    const h = world();
    await runAttempt(h);
    const { result } = await h.reconcile('task', 't');
    expect((result as { requeueAfterMs: number }).requeueAfterMs).toBeLessThanOrEqual(5 * MIN);
    h.clock.advance(5 * MIN);
    await h.reconcile('task', 't');
    expect(h.writes().some((w) => /terminate Job t-1 .*HeartbeatTimeout → land/.test(w))).toBe(true);
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Running', message: expect.stringMatching(/^stopping Job t-1: HeartbeatTimeout: no heartbeat for 5m/) });

    h.stepJobs(); // the Job controller acts on the deadline: FailureTarget
    h.stepJobs(); // Failed
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Failed', message: expect.stringContaining('HeartbeatTimeout') });
    expect(status(h).conditions?.find((c) => c.type === 'Finished')?.reason).toBe('HeartbeatTimeout');
  });

  test('heartbeats keep it alive, judged by when they were received', async () => {
    const h = world();
    await runAttempt(h);
    const job = h.job('t-1')!;
    for (let i = 0; i < 6; i++) {
      h.clock.advance(2 * MIN);
      await h.heartbeats.record(job.metadata!.uid!, h.clock.now());
      await h.reconcile('task', 't');
    }
    h.clock.advance(4 * MIN);
    await h.reconcile('task', 't');
    expect(h.writes().filter((w) => w.startsWith('terminate'))).toEqual([]);
    h.clock.advance(MIN);
    await h.reconcile('task', 't');
    expect(h.writes().filter((w) => w.startsWith('terminate'))).toHaveLength(1);
  });

  test('after a gap in the heartbeat store (an operator restart with the memory store), nothing is stale before staleAfter has passed again', async () => {
    const h = world();
    await runAttempt(h);
    h.clock.advance(4 * MIN);
    h.heartbeats = new MemoryHeartbeatStore({ now: () => h.clock.now() });
    h.restart();
    h.deliverAll();
    h.clock.advance(2 * MIN); // 6 min since the run started, 2 since the restart
    await h.reconcile('task', 't');
    expect(h.writes().filter((w) => w.startsWith('terminate'))).toEqual([]);
    h.clock.advance(3 * MIN); // 5 since the restart
    await h.reconcile('task', 't');
    expect(h.writes().filter((w) => w.startsWith('terminate'))).toHaveLength(1);
  });

  test('heartbeat: Optional never ends a run that never sent a heartbeat', async () => {
    const h = world({}, { heartbeat: 'Optional' });
    await runAttempt(h);
    h.clock.advance(60 * MIN);
    await h.reconcile('task', 't');
    expect(h.writes().filter((w) => w.startsWith('terminate'))).toEqual([]);
  });
});

describe('runs that never start', () => {
  test('an admitted Job whose pod is not running within startupTimeout is ended with StartupTimeout and Kubernetes\' reason', async () => {
    const h = world();
    await runAttempt(h);
    const pod = h.cluster.pods.list()[0]!;
    h.cluster.putPod({ ...pod, status: { phase: 'Pending', containerStatuses: [{
      name: 'sync', image: 'x', imageID: '', ready: false, restartCount: 0,
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
    }] } });
    h.deliverAll();
    h.clock.advance(2 * MIN);
    await h.reconcile('task', 't');
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(status(h).message).toMatch(/StartupTimeout: no pod running 2m.* after admission \(startupTimeout 2m\): ImagePullBackOff: Back-off pulling image "x"/);
  });
});

describe('retention', () => {
  test('a finished task is deleted once its pool\'s retention has passed, not before', async () => {
    const h = world({}, { retention: { succeeded: '1h', failed: '2h' } });
    await runAttempt(h);
    h.stepJobs({ finishChance: 1, failShare: 0 });
    h.stepJobs();
    h.deliverAll();
    const { result } = await h.reconcile('task', 't');
    expect(status(h).phase).toBe('Succeeded');
    expect((result as { requeueAfterMs: number }).requeueAfterMs).toBeGreaterThan(59 * MIN);
    h.deliverAll();
    h.clock.advance(30 * MIN);
    await h.reconcile('task', 't');
    expect(h.task('t')).toBeDefined();
    h.clock.advance(31 * MIN);
    await h.reconcile('task', 't');
    expect(h.task('t')).toBeUndefined();
    expect(h.writes()).toContainEqual(expect.stringMatching(/^delete task t .* → land$/));
  });
});

describe('Rejected', () => {
  test('a task its pool\'s syncTypes did not allow proceeds once the pool allows it', async () => {
    const h = world({ source: 'hubspot', syncType: 'deals' }, { syncTypes: [{ source: 'hubspot', types: ['contacts'] }] });
    await h.reconcile('task', 't');
    h.deliverAll();
    expect(status(h).phase).toBe('Rejected');
    h.cluster.applyPool('p', { syncTypes: [{ source: 'hubspot', types: ['contacts', 'deals'] }] });
    h.deliverAll();
    expect(h.op.queues.task.len()).toBeGreaterThan(0); // the pool's change brings its Rejected task back
    await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Queued', jobName: 't-1' });
    expect(status(h).finishedAt).toBeUndefined();
    expect(status(h).conditions?.find((c) => c.type === 'Finished')).toBeUndefined();
  });
});
