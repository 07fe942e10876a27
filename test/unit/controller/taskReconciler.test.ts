// TaskReconciler against a fake API server, lagging caches and a fake clock: a world
// goes in; the writes it makes and the status it reports come out.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Cache, WriteThroughCache } from '../../../src/controller/cache.js';
import { LABEL_POOL } from '../../../src/jobs/labels.js';
import { apiError } from './sim/cluster.js';
import { Harness } from './sim/harness.js';
import type { PoolSpecInput, TaskSpecInput } from './sim/objects.js';

/** A pool, a task in it, and every cache caught up. */
function world(task: Partial<TaskSpecInput> = {}, pool: PoolSpecInput = { maxWorkers: 1 }): Harness {
  const h = new Harness();
  h.cluster.applyPool('p', pool);
  h.cluster.createTask('t', { pool: 'p', ...task });
  h.deliverAll();
  return h;
}

const status = (h: Harness, name = 't') => (h.task(name)?.status ?? {}) as {
  phase?: string; message?: string; jobName?: string; conditions?: { type: string; status: string; reason: string; message: string }[];
};
const condition = (h: Harness, type: string) => status(h).conditions?.find((c) => c.type === type);

test('a new task gets its attempt\'s Job, suspended, owned by the task, and is Queued', async () => {
  const h = world({ priority: 7 });
  await h.reconcile('task', 't');
  const job = h.job('t-1')!;
  expect(job.spec?.suspend).toBe(true);
  expect(job.metadata?.ownerReferences).toEqual([expect.objectContaining({ uid: h.task('t')!.metadata.uid, controller: true })]);
  expect(job.metadata?.labels?.[LABEL_POOL]).toBe('p');
  expect(status(h)).toMatchObject({ phase: 'Queued', jobName: 't-1' });
  // Entering the queue is no Event: the status says it.
  expect(h.events).toEqual([]);
});

test('a task whose pool does not exist yet waits Pending, and is queued once the pool appears', async () => {
  const h = new Harness();
  h.cluster.createTask('t', { pool: 'later' });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Pending', message: expect.stringContaining('WorkerPool later does not exist') });
  h.cluster.applyPool('later', { maxWorkers: 1 });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h).phase).toBe('Queued');
});

test('a pool applied with its task but not yet in the cache is no PoolNotFound: nothing is written until the cache has it', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1 });
  h.cluster.createTask('t', { pool: 'p' });
  h.op.caches.tasks.deliver(); // the pool's watch is behind the task's

  const { result } = await h.reconcile('task', 't');
  expect(h.writes()).toEqual(['get pool p → land']);
  expect(status(h).phase).toBeUndefined();
  expect(h.events).toEqual([]);
  expect(result).toEqual({ requeueAfterMs: 1_000 });

  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Queued', jobName: 't-1' });
  expect(h.events).toEqual([]);
  // Asked once: with the pool in the cache there is nothing to confirm.
  expect(h.writes().filter((w) => w.startsWith('get pool'))).toHaveLength(1);
});

test('a task whose pool is missing asks the API server once, not at every reconcile', async () => {
  const h = new Harness();
  h.cluster.createTask('t', { pool: 'nowhere' });
  h.deliverAll();
  await h.reconcile('task', 't');
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Pending', message: expect.stringContaining('WorkerPool nowhere does not exist') });
  expect(h.writes().filter((w) => w.startsWith('get pool'))).toEqual(['get pool nowhere → land']);
  expect(h.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'PoolNotFound' })]);
});

test('a Job of the same name owned by an earlier task of that name is not this task\'s: its outcome is not taken, it is deleted with its uid as precondition', async () => {
  const h = world();
  await h.reconcile('task', 't');
  const oldUid = h.job('t-1')!.metadata!.uid!;
  // The old run finished; then the task is deleted and applied again before garbage collection.
  h.cluster.updateJob({ ...h.job('t-1')!, spec: { ...h.job('t-1')!.spec!, suspend: false } });
  h.cluster.updateJob({ ...h.job('t-1')!, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } });
  h.cluster.deleteTask('t');
  h.cluster.createTask('t', { pool: 'p' });
  h.deliverAll();

  const { result } = await h.reconcile('task', 't');
  expect(h.writes()).toContain(`delete Job t-1 (${oldUid}) → land`);
  expect(status(h)).toMatchObject({ phase: 'Queued', message: expect.stringContaining('left by an earlier SyncTask') });
  expect(result).toEqual({ requeueAfterMs: 1_000 });

  h.runJobs(); // the old Job goes
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(h.job('t-1')?.metadata?.ownerReferences?.[0]?.uid).toBe(h.task('t')!.metadata.uid);
  expect(status(h).phase).toBe('Queued');
});

describe('cancel', () => {
  test('of a queued task deletes its Job with the uid precondition and reports Cancelled', async () => {
    const h = world();
    await h.reconcile('task', 't');
    h.deliverAll();
    const uid = h.job('t-1')!.metadata!.uid!;
    h.cluster.updateTaskSpec('t', { cancel: true });
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(h.writes()).toContain(`delete Job t-1 (${uid}) → land`);
    expect(h.job('t-1')?.metadata?.deletionTimestamp).toBeDefined(); // foreground: gone once its pods are
    expect(status(h)).toMatchObject({ phase: 'Cancelled', message: 'cancelled by spec.cancel before it started' });
  });

  test('of a running task terminates it and says so', async () => {
    const h = world();
    await h.reconcile('task', 't');
    h.deliverAll();
    await h.reconcile('pool', 'p');
    h.cluster.updateJob({ ...h.job('t-1')!, status: { active: 1, startTime: h.clock.iso() as never } });
    h.cluster.updateTaskSpec('t', { cancel: true });
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(h.job('t-1')?.metadata?.deletionTimestamp).toBeDefined();
    expect(status(h)).toMatchObject({ phase: 'Cancelled', message: 'cancelled by spec.cancel; the running Job was terminated' });
  });

  test('that comes before the cache shows the task\'s new Job still removes that Job (no queued Job left behind)', async () => {
    const h = world();
    await h.reconcile('task', 't'); // t-1 created; the Job cache does not show it yet
    h.op.caches.tasks.deliver();
    h.cluster.updateTaskSpec('t', { cancel: true });
    h.op.caches.tasks.deliver();
    await h.reconcile('task', 't');
    expect(status(h).phase).toBe('Cancelled');

    // The Job's add event comes later and brings the task back to the reconciler.
    h.deliverAll();
    await h.reconcile('task', 't');
    expect(h.job('t-1')?.metadata?.deletionTimestamp).toBeDefined();
  });

  test('whose task status never said which Job was made (the status write lost a conflict) still removes that Job', async () => {
    // Seed 624: the Job is created, the Queued status write then fails its resourceVersion
    // precondition because the cancel landed in between, so status.jobName is not set;
    // the next reconcile sees cancel, no Job in its cache, and nothing that says to look.
    const h = world();
    h.hold = true;
    await h.start('task', 't');
    await h.settle(/create Job t-1/);
    h.cluster.updateTaskSpec('t', { cancel: true });
    await h.settle(/status task t → Queued/); // 409: the task changed since it was read
    expect(status(h).jobName).toBeUndefined();
    h.hold = false;
    h.op.caches.tasks.deliver(); // the Job cache does not show t-1 yet
    await h.reconcile('task', 't');
    expect(status(h).phase).toBe('Cancelled');

    h.deliverAll(); // t-1's add event brings the task back to the reconciler
    await h.reconcile('task', 't');
    expect(h.job('t-1')?.metadata?.deletionTimestamp).toBeDefined();
  });
});

describe('a Job the API server refuses', () => {
  const refuse = (h: Harness, field: string) => {
    h.cluster.refuseJob = (job) => (job.metadata?.name === 't-1'
      ? apiError(422, 'Invalid', `Job.batch "t-1" is invalid: ${field}: Invalid value`, [{ field, reason: 'FieldValueInvalid', message: 'Invalid value' }])
      : undefined);
  };
  const pool: PoolSpecInput = { maxWorkers: 1, template: { image: 'sync:1', envFrom: [{ configMapRef: { name: 'common' } }] } };

  test('for the task\'s own secret (envFrom after the template\'s) rejects the task, naming spec.parametersFrom.secretRef.name', async () => {
    const h = world({ parametersFrom: { secretRef: { name: 'Not_A_Name' } } }, pool);
    refuse(h, 'spec.template.spec.containers[0].envFrom[1].secretRef.name');
    await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Rejected', message: expect.stringMatching(/^spec\.parametersFrom\.secretRef\.name: /) });
    expect(condition(h, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  test.each([
    ['the template\'s own envFrom entry', 'spec.template.spec.containers[0].envFrom[0].configMapRef.name'],
    ['the template\'s resources', 'spec.template.spec.containers[0].resources.limits[cpu]'],
  ])('for %s leaves the task Pending, blaming the pool', async (_, field) => {
    const h = world({ parametersFrom: { secretRef: { name: 'creds' } } }, pool);
    refuse(h, field);
    await h.reconcile('task', 't');
    expect(status(h)).toMatchObject({ phase: 'Pending', message: expect.stringContaining("WorkerPool p's template makes an invalid Job") });
    expect(condition(h, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidTemplate' });
  });
});

test('a priority changed while queued re-ranks the Job (uid precondition)', async () => {
  const h = world({ priority: 1 });
  await h.reconcile('task', 't');
  h.deliverAll();
  h.cluster.updateTaskSpec('t', { priority: 9 });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(h.writes()).toContain(`priority of Job t-1 (${h.job('t-1')!.metadata!.uid}) → 9 → land`);
  expect(h.job('t-1')?.metadata?.annotations?.['syncpool.dev/priority']).toBe('9');
});

test('a Running task whose Job someone deleted fails as JobDeleted', async () => {
  const h = world();
  await h.reconcile('task', 't');
  h.deliverAll();
  await h.reconcile('pool', 'p');
  h.cluster.updateJob({ ...h.job('t-1')!, status: { active: 1, startTime: h.clock.iso() as never } });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h).phase).toBe('Running');
  h.cluster.removeJob(h.job('t-1')!);
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Failed', message: 'Job t-1 was deleted while the sync ran' });
});

test('a status computed for a task that was deleted and applied again meanwhile does not land on the new one', async () => {
  // The reconcile reads t from a cache that has not seen the delete yet; its status write
  // carries no uid precondition, so it lands on the new SyncTask of the same name.
  const h = world();
  await h.reconcile('task', 't');
  h.deliverAll();
  await h.reconcile('pool', 'p');
  h.runJobs(); // t-1 runs and succeeds
  h.op.caches.jobs.deliver();
  h.hold = true;
  await h.start('task', 't'); // computes Succeeded; its status write is in flight
  h.cluster.deleteTask('t');
  const again = h.cluster.createTask('t', { pool: 'p' });
  await h.settle(/status task t → Succeeded/);
  expect(h.task('t')!.metadata.uid).toBe(again.metadata.uid);
  expect(status(h).phase).toBeUndefined(); // the new task has not run anything
});

describe('WriteThroughCache', () => {
  type Obj = KubernetesObject & { status?: string };
  const obj = (rv: string, s: string): Obj => ({ metadata: { namespace: 'ns', name: 't', resourceVersion: rv }, status: s });
  const informer = (o: Obj): Cache<Obj> => ({ get: () => o, list: () => [o] });

  test('forgets our write once the informer delivers that version or a newer one, or the deletion', () => {
    const cache = new WriteThroughCache(informer(obj('10', 'Queued')));
    cache.remember(obj('12', 'Rejected'));
    cache.observed(obj('11', 'older'));
    expect(cache.size).toBe(1); // an older event: ours is still the newest
    cache.observed(obj('12', 'Rejected'));
    expect(cache.size).toBe(0);
    cache.remember(obj('13', 'x'));
    cache.observed(obj('10', 'x'), true);
    expect(cache.size).toBe(0);
  });

  test('a write whose answer comes after the watch already delivered that version is not kept', () => {
    // The watch event and the HTTP answer race. When the event wins, observed() has run
    // before remember(), and no later event will come for an object nobody writes again
    // (a Rejected task): the entry would stay until the next get, that is forever.
    const cache = new WriteThroughCache(informer(obj('12', 'Rejected')));
    cache.observed(obj('12', 'Rejected'));
    cache.remember(obj('12', 'Rejected'));
    expect(cache.size).toBe(0);
  });

  test('a Rejected task, never reconciled again, is not kept once its status event arrives', async () => {
    const h = world({ source: 'nope' }, { maxWorkers: 1, syncTypes: [{ source: 'hubspot', types: ['*'] }] });
    await h.reconcile('task', 't');
    expect(status(h).phase).toBe('Rejected');
    expect(h.op.taskCache.size).toBe(1);
    h.deliverAll(); // the manager's update handler calls observed()
    expect(h.op.taskCache.size).toBe(0);
  });
});
