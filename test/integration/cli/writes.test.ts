// The verbs that change things: submit (and --wait to the end), cancel, retry, scale,
// pause, resume, each as the built plugin against a live operator.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { SyncTask } from '../../../src/api/types.js';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { buildCli, json, syncpool } from './cli.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  buildCli();
  stage = await startSyncpool('cli-writes');
  const { api } = stage;
  await api.createPool('ok', { maxWorkers: 2, syncTypes: [{ source: 'hubspot', types: ['contacts', 'companies'] }] }, '2s');
  await api.createPool('bad', { maxWorkers: 2, template: { image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/exit-code': '3' } } });
  await api.createPool('slow', { maxWorkers: 1 }, '600s');
  // The periodic task submitted below gets its own pool: its runs come every five minutes
  // and must not land in the queues the other tests assert on.
  await api.createPool('timed', { maxWorkers: 1 });
});

afterAll(() => stage?.stop());

const inNs = () => ['-n', stage.ns];
const createdName = (stdout: string) => /^synctask\/(\S+) created/m.exec(stdout)?.[1];

test('submit creates a SyncTask with the given parameters, priority and schedule', async () => {
  const r = await syncpool(['submit', 'ok', 'hubspot', 'contacts', ...inNs(), '--param', 'since=2026-01-01', '--param', 'full=true', '--priority', '7']);
  expect(r.code).toBe(0);
  const name = createdName(r.stdout);
  expect(name).toMatch(/^hubspot-contacts-[a-z0-9]{5}$/);
  const task = await stage.api.task(name!);
  expect(task.spec).toMatchObject({ pool: 'ok', source: 'hubspot', syncType: 'contacts', priority: 7, parameters: { since: '2026-01-01', full: 'true' } });
  // The API server names the plugin as the writer of the spec (kubectl get --show-managed-fields), not "node-fetch".
  expect((task.metadata as V1ObjectMeta).managedFields!.find((f) => !f.subresource)?.manager).toBe('kubectl-syncpool');

  const periodic = await syncpool(['submit', 'timed', 'hubspot', 'companies', ...inNs(), '--name', 'every-5m', '--schedule', '*/5 * * * *', '--time-zone', 'Europe/Berlin']);
  expect(periodic).toMatchObject({ code: 0, stdout: 'synctask/every-5m created\n' });
  expect((await stage.api.task('every-5m')).spec).toMatchObject({ schedule: '*/5 * * * *', timeZone: 'Europe/Berlin' });
});

test('submit refuses, creating nothing, a pool that does not exist or a sync it does not allow', async () => {
  const before = (await stage.api.tasks()).length;
  const notAllowed = await syncpool(['submit', 'ok', 'hubspot', 'deals', ...inNs()]);
  expect(notAllowed).toMatchObject({
    code: 1, stdout: '',
    stderr: 'kubectl-syncpool: sync hubspot/deals is not allowed by WorkerPool ok; it allows: hubspot/{contacts,companies}; nothing created\n',
  });
  const typo = await syncpool(['submit', 'okk', 'hubspot', 'contacts', ...inNs()]);
  expect(typo).toMatchObject({ code: 1, stderr: `kubectl-syncpool: WorkerPool okk not found in namespace ${stage.ns}; pools there: bad, ok, slow, timed\n` });
  const refused = await syncpool(['submit', 'ok', 'hubspot', 'contacts', ...inNs(), '--schedule', 'every tuesday']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^kubectl-syncpool: SyncTask.* is invalid: spec.schedule: .*must be a cron schedule/);
  const usage = await syncpool(['submit', 'ok', 'hubspot', 'contacts', ...inNs(), '--schedule', '@hourly', '--wait']);
  expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/--wait follows a task to its end; a task with --schedule never ends/) });
  expect((await stage.api.tasks()).length).toBe(before);
});

test('submit --wait follows a task to Succeeded and exits 0', async () => {
  const r = await syncpool(['submit', 'ok', 'hubspot', 'contacts', ...inNs(), '--name', 'waited', '--wait', '--timeout', '2m']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('synctask/waited created');
  expect(lines).toContainEqual(expect.stringMatching(/^waited: Running, attempt 1 as Job waited-1$/));
  expect(lines.at(-1)).toBe('waited: Succeeded: Job waited-1 succeeded');
});

test('submit --wait on a sync that fails exits 1 with why, in one line', async () => {
  const r = await syncpool(['submit', 'bad', 'hubspot', 'contacts', ...inNs(), '--name', 'doomed', '--wait', '--timeout', '2m']);
  expect(r.code).toBe(1);
  expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^doomed: Failed: Job doomed-1 failed/);
  expect(r.stderr).toMatch(new RegExp(`^kubectl-syncpool: SyncTask doomed Failed: Job doomed-1 failed \\(BackoffLimitExceeded.*\\) \\(kubectl syncpool describe doomed -n ${stage.ns}\\)\\n$`));
});

test('cancel drops a queued run and ends a running one; a second cancel says it has ended', async () => {
  const { api } = stage;
  await api.createTask('running', { pool: 'slow', syncType: 'running' });
  await api.waitForPhase('running', 'Running');
  await api.createTask('waiting', { pool: 'slow', syncType: 'waiting' });
  await api.waitForPhase('waiting', 'Queued');

  expect(await syncpool(['cancel', 'waiting', ...inNs()])).toMatchObject({ code: 0, stdout: 'synctask/waiting cancel requested (was Queued)\n' });
  expect(await syncpool(['cancel', 'running', ...inNs()])).toMatchObject({ code: 0, stdout: 'synctask/running cancel requested (was Running)\n' });
  await api.waitForPhase('waiting', 'Cancelled');
  await api.waitForPhase('running', 'Cancelled', 90_000);
  expect(await syncpool(['cancel', 'running', ...inNs()])).toMatchObject({
    code: 1, stderr: 'kubectl-syncpool: SyncTask running already ended Cancelled; nothing to cancel\n',
  });
});

test('retry runs a Cancelled or Failed task again as a new task; an unfinished one is refused', async () => {
  const { api } = stage;
  const r = await syncpool(['retry', 'waiting', ...inNs()]);
  expect(r).toMatchObject({ code: 0, stdout: 'synctask/waiting-r1 created (retry of waiting)\n' });
  const retried = await api.task('waiting-r1');
  expect(retried.metadata.annotations).toMatchObject({ 'syncpool.dev/retry-of': 'waiting' });
  expect(retried.spec).toMatchObject({ pool: 'slow', source: 'hubspot', syncType: 'waiting', cancel: false });
  await api.waitForPhase('waiting-r1', 'Running');

  expect(await syncpool(['retry', 'waiting', ...inNs()])).toMatchObject({ code: 0, stdout: 'synctask/waiting-r2 created (retry of waiting)\n' });
  expect(await syncpool(['retry', 'doomed', ...inNs()])).toMatchObject({ code: 0, stdout: 'synctask/doomed-r1 created (retry of doomed)\n' });
  const running = await syncpool(['retry', 'waiting-r1', ...inNs()]);
  expect(running).toMatchObject({
    code: 1, stderr: 'kubectl-syncpool: SyncTask waiting-r1 is Running, not finished; only a Failed or Cancelled task can be retried\n',
  });
});

test('scale changes the cap live: raising it admits the queue at once', async () => {
  const { api } = stage;
  await api.createTask('another', { pool: 'slow', syncType: 'another' });
  await api.waitForPhase('another', 'Queued');
  await api.waitForPhase('waiting-r2', 'Queued');
  const queued = async () => (await json<{ queue: { task: string; reason: string }[] }>(['queue', 'slow', ...inNs()])).queue
    .map((q) => [q.task, q.reason]).sort();
  expect(await queued()).toEqual([['another', 'PoolFull'], ['waiting-r2', 'PoolFull']]);

  const r = await syncpool(['scale', 'slow', '--max-workers', '3', ...inNs()]);
  expect(r).toMatchObject({ code: 0, stdout: 'workerpool/slow scaled: maxWorkers 1 -> 3\n' });
  expect((await api.pool('slow')).spec.maxWorkers).toBe(3);
  await api.waitForPhase('another', 'Running');
  // A slot is still free, but waiting-r2 syncs what waiting-r1 is syncing: overlap holds it.
  expect(await queued()).toEqual([['waiting-r2', 'Overlap']]);
  expect(await syncpool(['scale', 'slow', '--max-workers', '3', ...inNs()])).toMatchObject({ code: 0, stdout: 'workerpool/slow already has maxWorkers 3\n' });
  expect((await syncpool(['scale', 'slow', ...inNs()])).code).toBe(2);
  expect((await syncpool(['scale', 'slow', '--max-workers', 'lots', ...inNs()])).code).toBe(2);
  expect((await syncpool(['scale', 'nope', '--max-workers', '3', ...inNs()])).code).toBe(1);
});

test('pause holds the queue while running syncs go on; resume admits again', async () => {
  const { api } = stage;
  expect(await syncpool(['pause', 'ok', ...inNs()])).toMatchObject({ code: 0, stdout: 'workerpool/ok paused: running syncs continue, queued ones wait\n' });
  expect((await syncpool(['pause', 'ok', ...inNs()])).stdout).toBe('workerpool/ok already paused\n');
  await api.createTask('held', { pool: 'ok', syncType: 'companies' });
  await api.waitForPhase('held', 'Queued');
  const paused = await eventually('the pool paused in status', async () => {
    const { pools } = await json<{ pools: { state: string; queued: number }[] }>(['status', 'ok', ...inNs()]);
    return pools[0]?.state === 'Paused' && pools[0].queued === 1 ? pools[0] : undefined;
  });
  expect(paused).toMatchObject({ state: 'Paused', queued: 1 });
  const { queue } = await json<{ queue: { task: string; reason: string }[] }>(['queue', 'ok', ...inNs()]);
  expect(queue).toEqual([expect.objectContaining({ task: 'held', reason: 'PoolPaused' })]);

  expect(await syncpool(['resume', 'ok', ...inNs()])).toMatchObject({ code: 0, stdout: 'workerpool/ok resumed\n' });
  expect((await syncpool(['resume', 'ok', ...inNs()])).stdout).toBe('workerpool/ok is not paused\n');
  const done: SyncTask = await api.waitForPhase('held', 'Succeeded');
  expect(done.status?.attempt).toBe(1);
});
