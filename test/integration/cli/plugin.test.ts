// kubectl finds the built kubectl-syncpool on PATH as a plugin and hands it kubectl's own
// conventions: `kubectl syncpool status` is the real kubectl running the real artifact.
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { buildCli, kubectlRun } from './cli.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  buildCli();
  stage = await startSyncpool('cli-plugin');
  await stage.api.createPool('crm', { maxWorkers: 2, sourceLimits: { hubspot: 1 } }, '120s');
  await stage.api.createPool('exports', { maxWorkers: 1, paused: true });
});

afterAll(() => stage?.stop());

test('kubectl plugin list finds kubectl-syncpool on PATH', async () => {
  const r = await kubectlRun(['plugin', 'list']);
  expect(r.stdout).toMatch(/\/kubectl-syncpool$/m);
  expect(r.stderr).not.toMatch(/warning: .*kubectl-syncpool/);
});

test('kubectl syncpool status -o json: each pool\'s numbers and state, through plugin discovery', async () => {
  const { api, ns } = stage;
  await api.createTask('a', { pool: 'crm', source: 'hubspot', syncType: 'contacts' });
  await api.waitForPhase('a', 'Running');
  await api.createTask('b', { pool: 'crm', source: 'hubspot', syncType: 'companies' });
  await api.waitForPhase('b', 'Queued');

  const r = await kubectlRun(['syncpool', 'status', '-n', ns, '-o', 'json']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const { pools } = JSON.parse(r.stdout) as { pools: Record<string, unknown>[] };
  expect(pools).toEqual([
    expect.objectContaining({
      namespace: ns, name: 'crm', maxWorkers: 2, active: 1, queued: 1, utilization: 0.5, paused: false, state: 'Busy',
      message: expect.stringContaining("1 run waiting for their source's limit"),
    }),
    expect.objectContaining({ name: 'exports', maxWorkers: 1, active: 0, queued: 0, paused: true, state: 'Paused' }),
  ]);
});

test('kubectl syncpool status: a table in kubectl\'s style, --kubeconfig and --context as kubectl takes them', async () => {
  const r = await kubectlRun(['syncpool', 'status', 'crm', '--namespace', stage.ns, '--kubeconfig', process.env.SYNCPOOL_TEST_KUBECONFIG!],
    { KUBECONFIG: '/nonexistent' });
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')).toEqual([
    'NAME   MAX   ACTIVE   QUEUED   UTIL   STATE   MESSAGE',
    expect.stringMatching(/^crm    2     1        1        50%    Busy    1 run waiting/),
    '',
  ]);
  const noContext = await kubectlRun(['syncpool', 'status', '-n', stage.ns, '--context', 'nowhere']);
  expect(noContext).toMatchObject({ code: 1, stdout: '' });
  expect(noContext.stderr).toMatch(/^kubectl-syncpool: cannot load the kubeconfig \(.*\): kubeconfig has no context "nowhere"\n$/);
});

test('kubectl syncpool --help lists the verbs; a wrong command line exits 2 with one line', async () => {
  const help = await kubectlRun(['syncpool', '--help']);
  expect(help.code).toBe(0);
  for (const verb of ['status', 'list', 'queue', 'submit', 'cancel', 'retry', 'scale', 'pause', 'resume', 'watch', 'describe', 'doctor', 'heartbeat']) {
    expect(help.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
  }
  const wrong = await kubectlRun(['syncpool', 'status', '-o', 'wide', '-n', stage.ns]);
  expect(wrong).toMatchObject({ code: 2, stdout: '' });
  expect(wrong.stderr).toBe('kubectl-syncpool: status: -o must be one of table, json, yaml, got "wide" (see kubectl syncpool status --help)\n');
  const unknown = await kubectlRun(['syncpool', 'frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^kubectl-syncpool: unknown verb "frobnicate"; verbs: status, /);
});
