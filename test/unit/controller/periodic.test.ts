// A periodic task in the task reconciler, against the fake cluster and a fake clock: its
// CronJob made and kept in place, its runs admitted by the pool and read back into
// status, cancel, and schedules refused with the field named.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { Harness } from './sim/harness.js';
import type { TaskSpecInput } from './sim/objects.js';

function world(task: Partial<TaskSpecInput> = {}): Harness {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1 });
  h.cluster.createTask('t', { pool: 'p', schedule: '*/15 * * * *', ...task });
  h.deliverAll();
  return h;
}

type Status = {
  phase?: string; message?: string; nextScheduleTime?: string; lastRun?: { jobName?: string; phase?: string };
  runs?: { succeeded?: number; failed?: number };
};
const status = (h: Harness) => (h.task('t')?.status ?? {}) as Status;
const cronJob = (h: Harness) => h.cluster.cronJobs.get('t');

/** A run as the CronJob controller makes one from the template. */
function makeRun(h: Harness, cj: V1CronJob, name: string): V1Job {
  const t = cj.spec!.jobTemplate;
  h.cluster.createJob({
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name, namespace: cj.metadata!.namespace, labels: t.metadata?.labels, annotations: t.metadata?.annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata!.name!, uid: cj.metadata!.uid!, controller: true }],
    },
    spec: t.spec,
  });
  h.deliverAll();
  return h.job(name)!;
}

test('a periodic task gets one CronJob, owned by it, with a suspended Job template in the pool; it waits Scheduled', async () => {
  const h = world({ timeZone: 'Europe/Berlin', priority: 4 });
  await h.reconcile('task', 't');
  const cj = cronJob(h)!;
  expect(cj.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'SyncTask', uid: h.task('t')!.metadata.uid, controller: true });
  expect(cj.spec).toMatchObject({ schedule: '*/15 * * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', suspend: false });
  expect(cj.spec?.jobTemplate.spec?.suspend).toBe(true);
  expect(cj.spec?.jobTemplate.metadata?.labels?.['syncpool.dev/pool']).toBe('p');
  expect(cj.spec?.jobTemplate.metadata?.annotations?.['syncpool.dev/priority']).toBe('4');
  expect(status(h)).toMatchObject({ phase: 'Scheduled', nextScheduleTime: '2026-03-02T09:15:00.000Z' });
  expect(h.job('t-1')).toBeUndefined(); // no one-shot Job: runs are the CronJob's
});

test('an edit replaces the same CronJob\'s spec; an unchanged task writes nothing', async () => {
  const h = world();
  await h.reconcile('task', 't');
  h.deliverAll();
  const uid = cronJob(h)!.metadata!.uid;
  const writes = h.writes().length;
  await h.reconcile('task', 't');
  expect(h.writes().slice(writes).filter((w) => w.includes('CronJob'))).toEqual([]);
  h.cluster.updateTaskSpec('t', { schedule: '0 3 * * *', suspend: true });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(cronJob(h)).toMatchObject({ metadata: { uid }, spec: { schedule: '0 3 * * *', suspend: true } });
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h).message).toMatch(/^suspended/);
  expect(status(h).nextScheduleTime).toBeUndefined();
});

test('its runs are admitted by the pool like any queued Job, and each finished run is counted once', async () => {
  const h = world();
  await h.reconcile('task', 't');
  h.deliverAll();
  const cj = cronJob(h)!;
  makeRun(h, cj, 't-29000000');
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Queued', message: expect.stringContaining('t-29000000') });
  await h.reconcile('pool', 'p');
  expect(h.job('t-29000000')?.spec?.suspend).toBe(false);
  h.runJobs();
  h.deliverAll();
  await h.reconcile('task', 't');
  h.deliverAll();
  await h.reconcile('task', 't'); // again: the same run is not counted twice
  expect(status(h)).toMatchObject({ phase: 'Scheduled', runs: { succeeded: 1 }, lastRun: { jobName: 't-29000000', phase: 'Succeeded' } });
});

test('a run of a deleted or cancelled periodic task is not admitted', async () => {
  const h = world();
  await h.reconcile('task', 't');
  h.deliverAll();
  makeRun(h, cronJob(h)!, 't-29000001');
  h.cluster.updateTaskSpec('t', { cancel: true });
  h.deliverAll();
  await h.reconcile('pool', 'p');
  expect(h.job('t-29000001')?.spec?.suspend).toBe(true);
  await h.reconcile('task', 't');
  expect(status(h).phase).toBe('Cancelled');
  expect(cronJob(h)).toBeUndefined();
  expect(h.job('t-29000001')?.metadata?.deletionTimestamp).toBeDefined();
});

test.each([
  ['61 * * * *', {}, /^spec\.schedule: .*61/],
  ['0 * * * *', { timeZone: 'Mars/Olympus_Mons' }, /^spec\.timeZone: .*Mars\/Olympus_Mons/],
])('schedule %j %j: Rejected naming the field, no CronJob', async (schedule, extra, message) => {
  const h = world({ schedule, ...extra });
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Rejected', message: expect.stringMatching(message) });
  expect(cronJob(h)).toBeUndefined();
});

test('a failed periodic run with retries left gets its next attempt after the backoff, counted once as the run\'s outcome', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1, retry: { limit: 1, backoff: { initial: '30s' } } });
  h.cluster.createTask('t', { pool: 'p', schedule: '*/15 * * * *' });
  h.deliverAll();
  await h.reconcile('task', 't');
  h.deliverAll();
  makeRun(h, cronJob(h)!, 't-29000002');
  await h.reconcile('pool', 'p');
  h.stepJobs({ finishChance: 0 });
  h.stepJobs({ finishChance: 1, failShare: 1 });
  h.stepJobs();
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Scheduled', message: expect.stringMatching(/^run t-29000002 failed \(BackoffLimitExceeded\); attempt 2 enters the queue at/) });
  expect(status(h).runs).toBeUndefined(); // not the run's outcome yet
  h.clock.advance(31_000);
  await h.reconcile('task', 't');
  h.deliverAll();
  const retry = h.job('t-29000002-r2')!;
  expect(retry.spec?.suspend).toBe(true);
  expect(retry.metadata?.labels?.['syncpool.dev/attempt']).toBe('2');
  expect(retry.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'SyncTask', uid: h.task('t')!.metadata.uid });
  expect(h.job('t-29000002')?.metadata?.annotations?.['syncpool.dev/retried-by']).toBe('t-29000002-r2');
  await h.reconcile('task', 't');
  expect(status(h).phase).toBe('Queued');
  await h.reconcile('pool', 'p');
  h.runJobs();
  h.deliverAll();
  await h.reconcile('task', 't');
  expect(status(h)).toMatchObject({ phase: 'Scheduled', runs: { succeeded: 1 }, lastRun: { jobName: 't-29000002-r2', phase: 'Succeeded' } });
  expect(status(h).runs?.failed).toBeUndefined();
});
