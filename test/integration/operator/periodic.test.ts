// Periodic SyncTasks on the real control plane: a CronJob owned by the task, whose runs
// queue under the pool's cap; Forbid skipping due times while a run is queued; an edit
// updating the same CronJob; bad schedules refused with the field named.
import type { V1CronJob } from '@kubernetes/client-node';
import { LABEL_TASK } from '../../../src/jobs/labels.js';
import { eventually, failure } from '../support/cluster.js';
import { triggerRun as triggerRunOf } from '../support/cronJobs.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('periodic');
});

afterAll(() => stage?.stop());

const NEVER = '0 0 1 1 *'; // midnight on New Year's Day: never during a test

/** The next midnight of January 1st in Berlin (UTC+1 in winter), as the API writes it. */
const nextBerlinNewYear = (now: Date): string => {
  const thisYear = Date.UTC(now.getUTCFullYear(), 11, 31, 23);
  const next = now.getTime() < thisYear ? thisYear : Date.UTC(now.getUTCFullYear() + 1, 11, 31, 23);
  return new Date(next).toISOString();
};

const cronJob = (name: string) => stage.kube.batch.readNamespacedCronJob({ namespace: stage.ns, name });

const triggerRun = (cj: V1CronJob, suffix: string) => triggerRunOf(stage.kube, stage.ns, cj, suffix);

const runsOf = async (task: string) =>
  (await stage.kube.batch.listNamespacedJob({ namespace: stage.ns, labelSelector: `${LABEL_TASK}=${task}` })).items;

test('a periodic task becomes one CronJob owned by it; its runs wait in the pool\'s queue, within the cap, and are counted', async () => {
  const { api, jobs } = stage;
  await api.createPool('nightly', { maxWorkers: 1 }, '2s');
  await api.createTask('contacts', { pool: 'nightly', schedule: NEVER, timeZone: 'Europe/Berlin' });
  const cj = await eventually('CronJob contacts', () => cronJob('contacts').catch(() => undefined));
  const task = await api.task('contacts');
  expect(cj.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'SyncTask', uid: task.metadata.uid, controller: true })]);
  expect(cj.spec).toMatchObject({ schedule: NEVER, timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', suspend: false });
  expect(cj.spec?.jobTemplate.spec?.suspend).toBe(true);
  expect(cj.spec?.jobTemplate.metadata?.labels).toMatchObject({ 'syncpool.dev/pool': 'nightly', 'syncpool.dev/task': 'contacts' });
  const scheduled = await api.waitForPhase('contacts', 'Scheduled');
  expect(scheduled.status?.nextScheduleTime).toBe(nextBerlinNewYear(new Date())); // New Year in Berlin, in UTC

  for (const n of ['a', 'b', 'c']) await triggerRun(cj, n);
  await eventually('three runs counted', async () => ((await api.task('contacts')).status?.runs?.succeeded === 3 ? true : undefined), { timeoutMs: 60_000 });
  const done = await api.task('contacts');
  expect(done.status?.phase).toBe('Scheduled');
  expect(done.status?.lastRun).toMatchObject({ phase: 'Succeeded', jobName: expect.stringMatching(/^contacts-manual-/) });
  expect(jobs.peak.get('nightly')).toBe(1);
  expect((await runsOf('contacts')).map((j) => j.metadata!.name).sort()).toEqual(['contacts-manual-a', 'contacts-manual-b', 'contacts-manual-c']);
});

test('editing the task updates the same CronJob in place', async () => {
  const { api } = stage;
  const before = await cronJob('contacts');
  await api.patchTask('contacts', { schedule: '30 2 * * 1', suspend: true });
  const after = await eventually('CronJob updated', async () => {
    const cj = await cronJob('contacts');
    return cj.spec?.schedule === '30 2 * * 1' ? cj : undefined;
  });
  expect(after.metadata?.uid).toBe(before.metadata?.uid);
  expect(after.spec?.suspend).toBe(true);
  const task = await eventually('suspended task', async () => {
    const t = await api.task('contacts');
    return t.status?.message?.startsWith('suspended') ? t : undefined;
  });
  expect(task.status?.nextScheduleTime).toBeUndefined();
  const cronJobs = await stage.kube.batch.listNamespacedCronJob({ namespace: stage.ns });
  expect(cronJobs.items.map((c) => c.metadata!.name)).toEqual(['contacts']);
});

test.each([
  ['every tuesday', {}, 'spec.schedule'],
  ['61 25 * * *', {}, 'spec.schedule'],
  ['0 0 * * * *', {}, 'spec.schedule'],
  ['TZ=UTC 0 * * * *', {}, 'spec.schedule'],
  ['0 * * * *', { timeZone: 'Mars/Olympus_Mons' }, 'spec.timeZone'],
])('schedule %j %j is refused, naming %s, and no CronJob is made', async (schedule, extra, field) => {
  const { api, kube, ns } = stage;
  const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
  // Refused at apply time when the CRD's shape rules catch it, else Rejected by the operator.
  const refused = await failure(api.createTask(name, { pool: 'nightly', schedule, ...extra })).catch(() => undefined);
  if (refused) {
    expect(refused.message).toContain(field);
  } else {
    const rejected = await api.waitForPhase(name, 'Rejected');
    expect(rejected.status?.message).toContain(field);
  }
  const cronJobs = await kube.batch.listNamespacedCronJob({ namespace: ns });
  expect(cronJobs.items.map((c) => c.metadata!.name)).not.toContain(name);
});

test('one real tick: a due run is made and queued; while it waits, Forbid skips the next due time', async () => {
  const { api } = stage;
  await api.createPool('busy', { maxWorkers: 1, paused: true }, '1s');
  await api.createTask('every-minute', { pool: 'busy', schedule: '* * * * *' });
  const first = await eventually('the first scheduled run', async () => (await runsOf('every-minute'))[0], { timeoutMs: 90_000, intervalMs: 500 });
  expect(first.spec?.suspend).toBe(true);
  await api.waitForPhase('every-minute', 'Queued');
  // The CronJob's own status (lastScheduleTime) may land a moment after its run.
  await eventually('lastScheduleTime shown', async () => ((await api.task('every-minute')).status?.lastScheduleTime ? true : undefined));
  // The next minute passes while the run waits in the paused pool's queue: no second run.
  const madeAt = new Date(first.metadata!.creationTimestamp!).getTime();
  const nextMinute = Math.ceil((madeAt + 1) / 60_000) * 60_000;
  await new Promise((r) => setTimeout(r, Math.max(0, nextMinute + 15_000 - Date.now())));
  expect((await runsOf('every-minute')).map((j) => j.metadata!.name)).toEqual([first.metadata!.name]);
  const cj = await cronJob('every-minute');
  expect(cj.status?.active?.map((a) => a.name)).toEqual([first.metadata!.name]);
  await api.patchPool('busy', { paused: false });
  await eventually('the run finishes', async () => ((await api.task('every-minute')).status?.runs?.succeeded === 1 ? true : undefined), { timeoutMs: 60_000 });
  await api.patchTask('every-minute', { cancel: true });
  await api.waitForPhase('every-minute', 'Cancelled');
}, 360_000); // up to two minutes of real ticks, on a machine that may be busy
