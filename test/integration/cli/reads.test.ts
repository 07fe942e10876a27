// The read verbs against a live operator: list, queue (admission order and ETAs), describe
// (attempts, pods, exit codes, waits, Events), status across namespaces, and the one-line
// errors. Parameter values never appear; describe shows their keys.
import { parse as parseYaml } from 'yaml';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { buildCli, json, syncpool } from './cli.js';

let stage: SyncpoolStage;
const SECRET = 'sk-live-do-not-print';

beforeAll(async () => {
  buildCli();
  stage = await startSyncpool('cli-reads');
  const { api } = stage;
  await api.createPool('crm', { maxWorkers: 1 }, '600s');
  await api.createPool('eta', { maxWorkers: 1 }, '40s');
  await api.createPool('failing', {
    maxWorkers: 1, retry: { limit: 1, backoff: { initial: '1s' } },
    template: { image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/exit-code': '3' } },
  });
  await api.createTask('warmup', { pool: 'eta', syncType: 'warmup' }); // a run history for the ETAs, later
  await api.createTask('broken', { pool: 'failing' });
  await api.createTask('first', { pool: 'crm', source: 'hubspot', syncType: 'contacts', parameters: { apiToken: SECRET, since: '2026-01-01' } });
  await api.waitForPhase('first', 'Running');
  await api.createTask('low', { pool: 'crm', source: 'salesforce', syncType: 'accounts', priority: 0 });
  await api.createTask('high', { pool: 'crm', source: 'salesforce', syncType: 'leads', priority: 10 });
  await api.createTask('mid', { pool: 'crm', source: 'zendesk', syncType: 'tickets', priority: 5 });
  await api.waitForAll(['Running', 'Queued', 'Succeeded', 'Failed', 'Pending'], 6);
  for (const name of ['low', 'high', 'mid']) await api.waitForPhase(name, 'Queued');
});

afterAll(() => stage?.stop());

const inNs = () => ['-n', stage.ns];

test('list: tasks with their pool, sync and phase, filtered; never a parameter value', async () => {
  const { tasks } = await json<{ tasks: Record<string, unknown>[] }>(['list', ...inNs()]);
  expect(tasks.map((t) => t.name)).toEqual(['broken', 'first', 'high', 'low', 'mid', 'warmup']);
  expect(tasks.find((t) => t.name === 'first')).toMatchObject({
    namespace: stage.ns, pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 0, phase: 'Running', attempt: 1, jobName: 'first-1',
  });
  const queued = await json<{ tasks: { name: string }[] }>(['list', ...inNs(), '--pool', 'crm', '--phase', 'queued']);
  expect(queued.tasks.map((t) => t.name)).toEqual(['high', 'low', 'mid']);
  const salesforce = await json<{ tasks: { name: string }[] }>(['list', ...inNs(), '--source', 'salesforce']);
  expect(salesforce.tasks.map((t) => t.name)).toEqual(['high', 'low']);

  const table = await syncpool(['list', ...inNs(), '--pool', 'crm']);
  expect(table.code).toBe(0);
  expect(table.stdout.split('\n')[0]).toBe('NAME    POOL   SOURCE       TYPE       PRIORITY   PHASE     ATTEMPT   AGE');
  expect(table.stdout).toMatch(/^high    crm    salesforce   leads      10         Queued    1         \S+\n/m);
  for (const out of [JSON.stringify(tasks), table.stdout, (await syncpool(['list', ...inNs(), '-o', 'yaml'])).stdout]) {
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('apiToken');
  }
  const none = await syncpool(['list', ...inNs(), '--pool', 'nothing-here']);
  expect(none).toMatchObject({ code: 0, stdout: '', stderr: `No SyncTasks found in namespace ${stage.ns} that match.\n` });
});

test('queue: runs in the order they will start, with position and reason', async () => {
  const { pool, queue } = await json<{ pool: Record<string, unknown>; queue: Record<string, unknown>[] }>(['queue', 'crm', ...inNs()]);
  expect(pool).toMatchObject({ name: 'crm', state: 'Overloaded', active: 1, queued: 3 });
  expect(queue.map((q) => [q.position, q.task, q.priority, q.reason])).toEqual([
    [1, 'high', 10, 'PoolFull'], [2, 'mid', 5, 'PoolFull'], [3, 'low', 0, 'PoolFull'],
  ]);
  expect(queue[0]).toMatchObject({ job: 'high-1', source: 'salesforce', syncType: 'leads', jobCreated: true });
  // Nothing of this pool has finished yet: nobody can tell when a slot frees.
  expect(queue.every((q) => q.startsAt === undefined)).toBe(true);

  const table = await syncpool(['queue', 'crm', ...inNs()]);
  expect(table.stdout.split('\n').slice(0, 3)).toEqual([
    expect.stringMatching(/^Pool crm: Overloaded, 3 runs waiting/),
    'POSITION   TASK   JOB      SOURCE       TYPE       PRIORITY   WAITING   REASON     ETA',
    expect.stringMatching(/^1          high   high-1   salesforce   leads      10         \S+ +PoolFull   <unknown>$/),
  ]);
  expect(table.stdout).not.toContain(SECRET);
});

test('describe: a waiting task says where it waits and why; parameters by key only', async () => {
  const mid = await json<{ task: Record<string, unknown>; waiting: Record<string, unknown> }>(['describe', 'mid', ...inNs()]);
  expect(mid.task).toMatchObject({ name: 'mid', phase: 'Queued', pool: 'crm', priority: 5 });
  expect(mid.waiting).toEqual({ position: 2, of: 3, reason: 'PoolFull', why: 'the only slot of pool crm is busy' });

  const first = await syncpool(['describe', 'first', ...inNs()]);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^Parameters: +apiToken, since \(values not shown\)$/m);
  expect(first.stdout).not.toContain(SECRET);
  expect(first.stdout).toMatch(/^  #1 Job first-1: Running, started /m);
  expect(first.stdout).toMatch(/^ +first-1-\w+ +Running +kwok-node-0 +<none>/m);
  expect(first.stdout).toMatch(/Admitted +synctask\/first +running as Job first-1/);
});

test('describe: a failed task tells each attempt, its pod\'s exit code, and the Events', async () => {
  await stage.api.waitForPhase('broken', 'Failed', 90_000);
  const story = await eventually('the Failed Event', async () => {
    const s = await json<{ task: Record<string, unknown>; attempts: Record<string, unknown>[]; events: Record<string, unknown>[] }>(['describe', 'broken', ...inNs()]);
    return s.events.some((e) => e.reason === 'Failed' && e.object === 'synctask/broken') ? s : undefined;
  });
  expect(story.task).toMatchObject({ phase: 'Failed', attempt: 2, message: expect.stringMatching(/^Job broken-2 failed .* after 2 attempts$/) });
  expect(story.attempts).toEqual([
    expect.objectContaining({ job: 'broken-1', attempt: 1, state: 'Failed', reason: 'BackoffLimitExceeded', pods: [expect.objectContaining({ phase: 'Failed', exitCode: 3, reason: 'Error' })] }),
    expect.objectContaining({ job: 'broken-2', attempt: 2, state: 'Failed', pods: [expect.objectContaining({ exitCode: 3 })] }),
  ]);
  const reasons = story.events.map((e) => `${e.object} ${e.reason}`);
  expect(reasons).toEqual(expect.arrayContaining(['synctask/broken Admitted', 'synctask/broken Failed', 'job/broken-1 BackoffLimitExceeded']));
  expect(story).not.toHaveProperty('waiting');
});

test('queue: ETAs from the recent run durations of the pool, in queue order', async () => {
  const { api } = stage;
  await api.waitForPhase('warmup', 'Succeeded', 120_000);
  await api.createTask('e1', { pool: 'eta', syncType: 'e1' });
  await api.waitForPhase('e1', 'Running');
  await api.createTask('e2', { pool: 'eta', syncType: 'e2' });
  await api.createTask('e3', { pool: 'eta', syncType: 'e3' });
  await api.waitForPhase('e3', 'Queued');
  const now = Date.now();
  const { queue } = await json<{ queue: { task: string; startsAt?: string; startsInSeconds?: number }[] }>(['queue', 'eta', ...inNs()]);
  expect(queue.map((q) => q.task)).toEqual(['e2', 'e3']);
  const [e2, e3] = queue.map((q) => Date.parse(q.startsAt ?? 'none'));
  // warmup ran ~40 s: e2 starts when e1 has run as long, e3 one run later.
  expect(e2! - now).toBeGreaterThan(0);
  expect(e2! - now).toBeLessThan(45_000);
  expect(e3! - e2!).toBeGreaterThan(35_000);
  expect(e3! - e2!).toBeLessThan(50_000);
  const table = await syncpool(['queue', 'eta', ...inNs()]);
  expect(table.stdout).toMatch(/^2 +e3 .* PoolFull +in \S+$/m);
});

test('status -A: every namespace, with a NAMESPACE column', async () => {
  const all = await json<{ pools: { namespace: string; name: string }[] }>(['status', '-A']);
  expect(all.pools.filter((p) => p.namespace === stage.ns).map((p) => p.name)).toEqual(['crm', 'eta', 'failing']);
  const table = await syncpool(['status', '-A']);
  expect(table.stdout.split('\n')[0]).toMatch(/^NAMESPACE +NAME +MAX +ACTIVE +QUEUED +UTIL +STATE +MESSAGE$/);
  expect(table.stdout).toMatch(new RegExp(`^${stage.ns} +crm +1 +1 +3 +100% +Overloaded`, 'm'));
});

test('-o yaml: the same document as -o json, for every read verb', async () => {
  // Drops what moves between two runs a moment apart (ages, waits, ETAs in seconds).
  const still = (doc: unknown): unknown => JSON.parse(JSON.stringify(doc, (key, value: unknown) =>
    (/(age|waiting|startsIn)Seconds$/.test(key) ? undefined : value)));
  // Only what stands still here: crm's first run lasts 10 minutes, broken has failed (the
  // eta pool is still draining, and its changes would land between the two runs).
  for (const verb of [['status', 'crm'], ['list', '--pool', 'crm'], ['queue', 'crm'], ['describe', 'mid'], ['describe', 'broken']]) {
    const asYaml = await syncpool([...verb, ...inNs(), '-o', 'yaml']);
    expect(asYaml).toMatchObject({ code: 0, stderr: '' });
    expect(still(parseYaml(asYaml.stdout))).toEqual(still(await json([...verb, ...inNs()])));
  }
});

test('a missing task or pool is one line naming what exists, exit 1', async () => {
  const task = await syncpool(['describe', 'nope', ...inNs()]);
  expect(task).toMatchObject({ code: 1, stdout: '', stderr: `kubectl-syncpool: SyncTask nope not found in namespace ${stage.ns}\n` });
  const pool = await syncpool(['queue', 'crn', ...inNs()]);
  expect(pool).toMatchObject({ code: 1, stderr: `kubectl-syncpool: WorkerPool crn not found in namespace ${stage.ns}; pools there: crm, eta, failing\n` });
  const status = await syncpool(['status', 'crn', ...inNs()]);
  expect(status.code).toBe(1);
  const phase = await syncpool(['list', '--phase', 'Done', ...inNs()]);
  expect(phase.code).toBe(2);
});
