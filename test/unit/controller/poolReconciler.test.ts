// PoolReconciler against a fake API server, lagging caches and a fake clock, in the
// style of the Kubernetes CronJob controller's tests: a world (pools, tasks, Jobs, the
// time) goes in; the writes it makes and the status it reports come out.
import type { Condition } from '../../../src/api/types.js';
import { buildJob } from '../../../src/jobs/build.js';
import { apiError } from './sim/cluster.js';
import { Harness, NS } from './sim/harness.js';
import type { PoolSpecInput, TaskSpecInput } from './sim/objects.js';
import { TimeoutError } from './sim/writes.js';

type TaskInput = Omit<TaskSpecInput, 'pool'> & { name: string };

/** A pool and its tasks, each task's Job created, and every cache caught up. */
async function world(pool: PoolSpecInput, tasks: TaskInput[] = []): Promise<Harness> {
  const h = new Harness();
  h.cluster.applyPool('p', pool);
  for (const { name, ...spec } of tasks) h.cluster.createTask(name, { pool: 'p', syncType: name, ...spec });
  h.deliverAll();
  for (const { name } of tasks) await h.reconcile('task', name);
  h.deliverAll();
  return h;
}

const admitted = (h: Harness) => h.writes().filter((w) => w.startsWith('admit')).map((w) => w.split(' ')[2]);
const poolStatus = (h: Harness) => (h.pool('p')?.status ?? {}) as { active?: number; queued?: number; utilization?: string; conditions?: Condition[] };
const condition = (h: Harness, type: string) => poolStatus(h).conditions?.find((c) => c.type === type);

describe('one admission cycle', () => {
  const cases: { name: string; pool: PoolSpecInput; tasks: TaskInput[]; admits: string[]; active: number; queued: number; ready?: string; saturated?: string }[] = [
    {
      name: 'admits the head of the queue up to the cap, highest priority first',
      pool: { maxWorkers: 2 }, tasks: [{ name: 'a', priority: 0 }, { name: 'b', priority: 5 }, { name: 'c', priority: 1 }],
      admits: ['b-1', 'c-1'], active: 2, queued: 1, ready: 'Admitting', saturated: 'True',
    },
    {
      name: 'a paused pool admits nothing and says so',
      pool: { maxWorkers: 2, paused: true }, tasks: [{ name: 'a' }],
      admits: [], active: 0, queued: 1, ready: 'Paused', saturated: 'False',
    },
    {
      name: 'maxWorkers 0 admits nothing',
      pool: { maxWorkers: 0 }, tasks: [{ name: 'a' }],
      admits: [], active: 0, queued: 1, saturated: 'True',
    },
    {
      name: 'a run held by its source limit does not block the runs behind it',
      pool: { maxWorkers: 3, sourceLimits: { hubspot: 1 } },
      tasks: [{ name: 'a', priority: 5 }, { name: 'b', priority: 4 }, { name: 'c', source: 'stripe' }],
      admits: ['a-1', 'c-1'], active: 2, queued: 1, saturated: 'False',
    },
    {
      name: 'overlap Forbid: a second run of the same sync waits for the first',
      pool: { maxWorkers: 3 }, tasks: [{ name: 'a', syncType: 'contacts' }, { name: 'b', syncType: 'contacts' }],
      admits: ['a-1'], active: 1, queued: 1,
    },
    {
      name: 'overlap Allow: both run',
      pool: { maxWorkers: 3, overlap: 'Allow' }, tasks: [{ name: 'a', syncType: 'contacts' }, { name: 'b', syncType: 'contacts' }],
      admits: ['a-1', 'b-1'], active: 2, queued: 0,
    },
  ];

  test.each(cases)('$name', async ({ pool, tasks, admits, active, queued, ready, saturated }) => {
    const h = await world(pool, tasks);
    const { error } = await h.reconcile('pool', 'p');
    expect(error).toBeUndefined();
    expect(admitted(h)).toEqual(admits);
    expect(poolStatus(h)).toMatchObject({ active, queued });
    if (ready) expect(condition(h, 'Ready')).toMatchObject({ status: 'True', reason: ready });
    if (saturated) expect(condition(h, 'Saturated')).toMatchObject({ status: saturated });
  });
});

test('aging: a run that has waited long enough overtakes a newer one of higher priority (the clock decides)', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1, aging: { interval: '1m' } });
  h.cluster.createTask('old', { pool: 'p', syncType: 'old', priority: 0 });
  h.clock.advance(10 * 60_000); // 10 intervals: effective priority 10
  h.cluster.createTask('new', { pool: 'p', syncType: 'new', priority: 5 });
  h.deliverAll();
  await h.reconcile('task', 'old');
  await h.reconcile('task', 'new');
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual(['old-1']);
});

test('lowering maxWorkers below the running count kills nothing and admits nothing', async () => {
  const h = await world({ maxWorkers: 2 }, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  await h.reconcile('pool', 'p');
  h.cluster.applyPool('p', { maxWorkers: 1 });
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual(['a-1', 'b-1']);
  expect(h.writes().filter((w) => w.startsWith('delete'))).toEqual([]);
  expect(poolStatus(h)).toMatchObject({ active: 2, queued: 1, utilization: '200%' });
});

describe('an invalid spec', () => {
  // Passes the CRD's old pattern, overflows a safe integer of milliseconds.
  const overflowing: PoolSpecInput = { maxWorkers: 2, aging: { interval: '9999999999999999999h' } };

  test('says so in Ready=False/InvalidSpec naming the field, without throwing (no hot retry), and admits nothing', async () => {
    const h = await world(overflowing, [{ name: 'a' }]);
    const first = await h.reconcile('pool', 'p');
    expect(first).toEqual({ result: undefined }); // no error to retry with backoff, no requeue
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringContaining('spec.aging.interval') });
    expect(admitted(h)).toEqual([]);
    expect(h.events.filter((e) => e.reason === 'InvalidSpec')).toEqual([expect.objectContaining({ type: 'Warning' })]);

    h.deliverAll();
    const before = h.writes().length;
    await h.reconcile('pool', 'p');
    expect(h.writes().slice(before)).toEqual([]); // the same verdict is not written again
  });

  test('its tasks wait and say why', async () => {
    const h = await world(overflowing);
    await h.reconcile('pool', 'p');
    h.cluster.createTask('a', { pool: 'p' });
    h.deliverAll();
    await h.reconcile('task', 'a');
    expect(h.task('a')?.status).toMatchObject({ phase: 'Pending', message: expect.stringContaining('spec.aging.interval') });
    expect(h.job('a-1')).toBeUndefined();
  });
});

describe('an admission write', () => {
  test('whose outcome is unknown (it landed, the answer was lost) keeps its slot and is sent again next cycle', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x', priority: 5 }, { name: 'y' }]);
    h.script.push({ match: /^admit Job x-1/, fate: 'landThenTimeout' });
    const { error } = await h.reconcile('pool', 'p');
    expect(error).toBeInstanceOf(TimeoutError); // the controller retries the key with backoff
    expect(h.job('x-1')?.spec?.suspend).toBe(false);

    // Next cycle, the Job cache still shows x-1 suspended: x-1 keeps the only slot.
    await h.reconcile('pool', 'p');
    expect(admitted(h)).toEqual(['x-1', 'x-1']);
    expect(h.op.expectations.size('sim/p')).toBe(1);

    h.deliverAll();
    await h.reconcile('pool', 'p');
    expect(admitted(h)).toEqual(['x-1', 'x-1']);
    expect(h.op.expectations.size()).toBe(0);
    expect(h.cluster.violations).toEqual([]);
  });

  test('that failed without landing (503) is sent again and lands', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x', priority: 5 }, { name: 'y' }]);
    h.script.push({ match: /^admit Job x-1/, fate: { refuse: apiError(503, 'ServiceUnavailable', 'etcd is slow') } });
    expect((await h.reconcile('pool', 'p')).error).toMatchObject({ code: 503 });
    expect(h.job('x-1')?.spec?.suspend).toBe(true);
    await h.reconcile('pool', 'p');
    expect(h.job('x-1')?.spec?.suspend).toBe(false);
    expect(h.job('y-1')?.spec?.suspend).toBe(true);
  });

  test('whose outcome is unknown holds the slot even when its task is cancelled before the cache catches up', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x', priority: 5 }, { name: 'y' }]);
    h.script.push({ match: /^admit Job x-1/, fate: 'landThenTimeout' });
    await h.reconcile('pool', 'p');
    h.cluster.updateTaskSpec('x', { cancel: true });
    h.op.caches.tasks.deliver(); // the Job cache still shows x-1 suspended
    await h.reconcile('pool', 'p');
    expect(h.job('y-1')?.spec?.suspend).toBe(true);
    expect(h.cluster.violations).toEqual([]);
  });

  test('whose outcome is unknown keeps its slot when the write sent again is refused for now (429): the first may have landed', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x', priority: 5 }, { name: 'y' }]);
    h.script.push({ match: /^admit Job x-1/, fate: 'landThenTimeout' });
    h.script.push({ match: /^admit Job x-1/, fate: { refuse: apiError(429, 'TooManyRequests', 'too many requests, please try again later') } });
    await h.reconcile('pool', 'p');
    h.cluster.updateTaskSpec('x', { cancel: true });
    h.op.caches.tasks.deliver(); // the Job cache still shows x-1 suspended
    expect((await h.reconcile('pool', 'p')).error).toMatchObject({ code: 429 });
    expect(h.job('y-1')?.spec?.suspend).toBe(true);
    expect(h.op.expectations.size('sim/p')).toBe(1);
    expect(h.cluster.violations).toEqual([]);
  });

  test('refused for now (429: the API server throttles) is retried, not dropped', async () => {
    // Only "gone" (404) and "another incarnation" (422 on the uid) mean the admission is
    // moot. A throttled write must bring the pool back, or its queue stalls until some
    // unrelated event comes.
    const h = await world({ maxWorkers: 1 }, [{ name: 'x' }]);
    h.script.push({ match: /^admit Job x-1/, fate: { refuse: apiError(429, 'TooManyRequests', 'too many requests, please try again later') } });
    const first = await h.reconcile('pool', 'p');
    expect(first.error ?? first.result).toBeDefined(); // an error (retried with backoff) or a requeue
    await h.reconcile('pool', 'p');
    expect(h.job('x-1')?.spec?.suspend).toBe(false);
  });

  test('refused with 404 (the Job is gone) is rolled back: the slot is free for the next cycle', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x', priority: 5 }, { name: 'y' }]);
    h.cluster.deleteTask('x');
    h.cluster.removeJob(h.job('x-1')!); // gone from the truth; the caches still show both
    const { error } = await h.reconcile('pool', 'p');
    expect(error).toBeUndefined();
    expect(h.op.writes.calls.find((c) => c.what.startsWith('admit Job x-1'))?.fate).toMatch(/404/);
    expect(h.op.expectations.size()).toBe(0);
    h.deliverAll();
    await h.reconcile('pool', 'p');
    expect(h.job('y-1')?.spec?.suspend).toBe(false);
  });

  test('refused because the Job of that name is another incarnation (uid precondition) is rolled back', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'x' }]);
    // x is deleted and applied again; its new Job x-1 replaces the old one, unseen by the cache.
    h.cluster.deleteTask('x');
    h.cluster.removeJob(h.job('x-1')!);
    const task = h.cluster.createTask('x', { pool: 'p', syncType: 'x' });
    h.cluster.createJob(buildJob({
      task: { namespace: 'sim', name: 'x', uid: task.metadata.uid!, apiVersion: task.apiVersion, kind: task.kind, spec: task.spec },
      pool: h.pool('p')!, attempt: 1, enqueuedAt: h.clock.iso(), heartbeatUrl: 'http://heartbeat',
    }));
    await h.reconcile('pool', 'p');
    expect(h.op.writes.calls.find((c) => c.what.startsWith('admit Job x-1'))?.fate).toMatch(/422/);
    expect(h.job('x-1')?.spec?.suspend).toBe(true); // the new incarnation was not admitted by a decision about the old one
    expect(h.op.expectations.size()).toBe(0);
  });
});

test('a task applied before its Job exists holds its place: a lower-priority Job created first is not admitted (no priority inversion)', async () => {
  const h = await world({ maxWorkers: 1 }, [{ name: 'low', priority: 0 }]);
  h.cluster.createTask('high', { pool: 'p', syncType: 'high', priority: 10 });
  h.deliverAll(); // the pool sees the task, but its Job is not made yet
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual([]);
  expect(poolStatus(h)).toMatchObject({ active: 0, queued: 1 }); // status counts Jobs; the reservation is not one yet

  // Its turn has come: the task claims the slot held for it and creates its Job admitted.
  await h.reconcile('task', 'high');
  expect(h.job('high-1')?.spec?.suspend).toBe(false);
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual([]);
  expect(h.job('low-1')?.spec?.suspend).toBe(true);
  expect(h.cluster.violations).toEqual([]);
});

test('an expectation is dropped as soon as the cache shows the Job unsuspended', async () => {
  const h = await world({ maxWorkers: 2 }, [{ name: 'a' }]);
  await h.reconcile('pool', 'p');
  expect(h.op.expectations.size('sim/p')).toBe(1);
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(h.op.expectations.size()).toBe(0);
});

test('a deleted task\'s pod holds its slot until it is gone, though its Job was already deleted (the cap promises pods)', async () => {
  // kubectl deletes a SyncTask in the background by default: the garbage collector then
  // deletes its Job in the background too, so the Job object is gone while its pod still
  // terminates. The pool must not start another sync in that slot meanwhile.
  const h = await world({ maxWorkers: 1 }, [{ name: 'a' }, { name: 'b' }]);
  await h.reconcile('pool', 'p');
  h.stepJobs({ finishChance: 0 }); // a-1's pod runs
  h.cluster.deleteTask('a');
  h.stepJobs({ finishChance: 0 }); // the garbage collector deletes a-1; its pod lingers
  expect(h.job('a-1')).toBeUndefined();
  expect(h.cluster.orphanPods('p')).toHaveLength(1);
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual(['a-1']);

  while (h.cluster.orphanPods('p').length > 0) h.stepJobs({ finishChance: 0 }); // terminating, then gone
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual(['a-1', 'b-1']);
  expect(h.cluster.violations).toEqual([]);
});

test('a lingering pod of a deleted Job counts even when a new Job of the same name exists (pods belong to a Job by uid)', async () => {
  // Seed 418: task a is deleted and applied again; the garbage collector deletes the old
  // a-1 while its pod still terminates, and the new a gets a new a-1. Matching pods to
  // Jobs by name takes the old pod for the new Job's, and the slot it holds is given away.
  const h = await world({ maxWorkers: 1 }, [{ name: 'a' }, { name: 'b' }]);
  await h.reconcile('pool', 'p');
  h.stepJobs({ finishChance: 0 }); // a-1's pod runs
  h.cluster.deleteTask('a');
  h.stepJobs({ finishChance: 0 }); // the garbage collector deletes a-1; its pod lingers
  h.cluster.createTask('a', { pool: 'p', syncType: 'a' });
  h.deliverAll();
  await h.reconcile('task', 'a'); // the new a-1, queued
  h.deliverAll();
  expect(h.cluster.orphanPods('p')).toHaveLength(1);
  await h.reconcile('pool', 'p');
  expect(admitted(h)).toEqual(['a-1']); // nothing more while the old pod is alive
  expect(h.cluster.violations).toEqual([]);
});

test('a busy pool\'s counts are written at most once a second, the last change always; a change of state at once', async () => {
  const h = await world({ maxWorkers: 1, overlap: 'Allow' }, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  const statusWrites = () => h.writes().filter((w) => w.startsWith('status pool')).length;
  await h.reconcile('pool', 'p'); // admits a-1: active 1, queued 2, written
  expect(poolStatus(h)).toMatchObject({ active: 1, queued: 2 });
  const written = statusWrites();

  h.runJobs(); // a-1 finishes
  h.deliverAll();
  const early = await h.reconcile('pool', 'p'); // admits b-1: only the queue shrank
  expect(admitted(h)).toEqual(['a-1', 'b-1']);
  expect(statusWrites()).toBe(written);
  expect(early.result).toEqual({ requeueAfterMs: expect.any(Number) });
  expect((early.result as { requeueAfterMs: number }).requeueAfterMs).toBeLessThanOrEqual(1000);

  h.clock.advance(1000); // the pool is looked at again: the last counts land
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(statusWrites()).toBe(written + 1);
  expect(poolStatus(h)).toMatchObject({ active: 1, queued: 1 });

  h.cluster.applyPool('p', { maxWorkers: 1, overlap: 'Allow', paused: true }); // a change of state
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(statusWrites()).toBe(written + 2);
  expect(condition(h, 'Ready')).toMatchObject({ reason: 'Paused' });
});

describe('a task event on a pool with no slot free', () => {
  /** Takes every key the pool queue has ready, as workers would. */
  async function drainPoolQueue(h: Harness): Promise<void> {
    while (h.op.queues.pool.len() > 0) h.op.queues.pool.done((await h.op.queues.pool.get())!);
  }

  test('(or a queued Job\'s) waits for the status interval instead of running a cycle at once; a slot coming free runs one at once', async () => {
    // At 10,000 queued, a cycle per task event (each reading the whole queue) made queueing quadratic.
    const h = await world({ maxWorkers: 1 }, [{ name: 'a' }]);
    await h.reconcile('pool', 'p'); // a-1 admitted: the pool is full
    h.deliverAll();
    await drainPoolQueue(h);

    h.cluster.createTask('b', { pool: 'p', syncType: 'b' });
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(0);
    await h.reconcile('task', 'b'); // no slot to claim: b-1 is made queued, and only waits
    h.deliverAll();
    expect(h.job('b-1')?.spec?.suspend).toBe(true);
    expect(h.op.queues.pool.len()).toBe(0);
    h.clock.advance(999);
    expect(h.op.queues.pool.len()).toBe(0);
    h.clock.advance(1);
    expect(h.op.queues.pool.len()).toBe(1); // the queued count is brought up to date
    await drainPoolQueue(h);

    h.runJobs(); // a-1 finishes: its Job's event runs the cycle at once
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(1);
  });

  test('a pool with a free slot runs its cycle at once; so does a deleted task on a full pool (it may free a slot held for it)', async () => {
    const h = await world({ maxWorkers: 2 }, [{ name: 'a' }]);
    await h.reconcile('pool', 'p');
    h.deliverAll();
    await drainPoolQueue(h);
    h.cluster.createTask('b', { pool: 'p', syncType: 'b' });
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(1);

    const full = await world({ maxWorkers: 1 }, [{ name: 'a' }, { name: 'b' }]);
    await full.reconcile('pool', 'p');
    full.deliverAll();
    await drainPoolQueue(full);
    full.cluster.deleteTask('b');
    full.deliverAll();
    expect(full.op.queues.pool.len()).toBe(1);
  });

  test('a running Job\'s own updates and its pod starting wait too; its pod ending and the Job finishing run the cycle at once', async () => {
    // While 10,000 queued runs drained, a running Job's status updates ran most cycles.
    const h = await world({ maxWorkers: 1 }, [{ name: 'a' }, { name: 'b' }]);
    await h.reconcile('pool', 'p'); // a-1 admitted: the pool is full, b-1 waits
    h.deliverAll();
    await drainPoolQueue(h);

    h.stepJobs({ finishChance: 0 }); // a-1's pod made; its Job says so (running before and after)
    h.deliverAll();
    expect(h.job('a-1')?.status?.active).toBe(1);
    expect(h.op.queues.pool.len()).toBe(0);
    const pod = h.cluster.pods.list()[0]!;
    h.cluster.putPod({ ...pod, status: { phase: 'Pending' } });
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(0); // a pod that is not over fills no slot it did not hold
    h.clock.advance(1000);
    expect(h.op.queues.pool.len()).toBe(1); // the counts are brought up to date in the interval
    await drainPoolQueue(h);

    h.cluster.putPod({ ...pod, status: { phase: 'Succeeded' } });
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(1); // a pod over may free the slot of a Job gone
    await drainPoolQueue(h);
    h.runJobs(); // a-1 finishes
    h.deliverAll();
    expect(h.op.queues.pool.len()).toBe(1);
  });

  test('a Job relabelled into another pool wakes the pool it left', async () => {
    const h = await world({ maxWorkers: 1 }, [{ name: 'a' }, { name: 'b' }]);
    h.cluster.applyPool('q', { maxWorkers: 1 });
    await h.reconcile('pool', 'p');
    h.deliverAll();
    await drainPoolQueue(h);
    const job = h.job('a-1')!;
    h.cluster.updateJob({ ...job, metadata: { ...job.metadata, labels: { ...job.metadata!.labels, 'syncpool.dev/pool': 'q' } } });
    h.deliverAll();
    const woken: string[] = [];
    while (h.op.queues.pool.len() > 0) {
      const key = (await h.op.queues.pool.get())!;
      woken.push(key);
      h.op.queues.pool.done(key);
    }
    expect(woken.sort()).toEqual([`${NS}/p`, `${NS}/q`]);
  });

  test('a paused pool counts a new task within the interval', async () => {
    const h = await world({ maxWorkers: 2, paused: true }, [{ name: 'a' }]);
    await h.reconcile('pool', 'p');
    h.deliverAll();
    await drainPoolQueue(h);
    h.cluster.createTask('b', { pool: 'p', syncType: 'b' });
    h.deliverAll();
    await h.reconcile('task', 'b'); // b-1 made, queued
    h.deliverAll();
    h.clock.advance(1000);
    while (h.op.queues.pool.len() > 0) {
      const key = (await h.op.queues.pool.get())!;
      await h.reconcile('pool', 'p');
      h.op.queues.pool.done(key);
    }
    expect(poolStatus(h)).toMatchObject({ active: 0, queued: 2 });
  });
});
