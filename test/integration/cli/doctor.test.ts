// kubectl syncpool doctor against real installations: a healthy one, one with broken
// pools and tasks, no operator where it looks, Redis going away under the operator, and
// users whose RBAC allows less; plus the one-line answer such a user gets from any verb.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { OperatorProcess } from '../support/operator.js';
import { RedisServer } from '../support/redis.js';
import { buildCli, syncpool } from './cli.js';

type Check = { name: string; verdict: 'pass' | 'fail' | 'skip'; message: string; fix?: string };
type Report = { ok: boolean; checks: Check[] };

let stage: SyncpoolStage;
let dir: string;

beforeAll(async () => {
  buildCli();
  stage = await startSyncpool('cli-doctor');
  dir = await mkdtemp(join(tmpdir(), 'syncpool-doctor-'));
  await stage.api.createPool('crm', { maxWorkers: 2, syncTypes: [{ source: 'hubspot', types: ['contacts'] }] });
  await stage.api.createTask('fine', { pool: 'crm', syncType: 'contacts' });
  await stage.api.waitForPhase('fine', 'Succeeded');
});

afterAll(async () => {
  await stage?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function doctor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await syncpool(['doctor', ...args, '-o', 'json'], env);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const verdicts = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.name, c.verdict]));
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!;
const operatorUrl = () => `http://127.0.0.1:${stage.operator.port}`;

test('a healthy installation passes every check, exit 0', async () => {
  const r = await syncpool(['doctor', '-n', stage.ns, '--operator-url', operatorUrl()]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const lines = r.stdout.trim().split('\n');
  expect(lines.map((l) => l.split(/ +/).slice(0, 2).join(' '))).toEqual([
    'PASS crds', 'PASS operator', 'PASS pools', 'PASS task-pools', 'PASS task-sync-types', 'PASS redis', 'PASS rbac',
  ]);
  expect(r.stdout).toContain('serving v1alpha1 with this plugin\'s schema');
  expect(r.stdout).toMatch(new RegExp(`running; leader cli-doctor-op \\(Lease ${stage.ns}/syncpool-operator renewed \\d+s ago\\)`));
});

test('broken pools and tasks fail, each naming what is wrong and how to fix it, exit 1', async () => {
  const { api, ns } = stage;
  // The API server takes it; the Job it makes would be refused (requests above limits).
  await api.createPool('greedy', { maxWorkers: 1, template: { image: 'i', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } } });
  await api.createTask('orphan', { pool: 'crmm', syncType: 'contacts' });
  await api.createTask('phantom', { pool: 'crm', syncType: 'deals' });
  await api.waitForPhase('phantom', 'Rejected');
  const { code, report, stderr } = await eventually('the pool judged invalid', async () => {
    const d = await doctor(['-n', ns, '--operator-url', operatorUrl()]);
    return d.report.checks.find((c) => c.name === 'pools')?.verdict === 'fail' ? d : undefined;
  }, { timeoutMs: 60_000, intervalMs: 1_000 });
  expect(code).toBe(1);
  expect(stderr).toBe('kubectl-syncpool: doctor: 3 of 7 checks failed\n');
  expect(verdicts(report)).toEqual({
    crds: 'pass', operator: 'pass', pools: 'fail', 'task-pools': 'fail', 'task-sync-types': 'fail', redis: 'pass', rbac: 'pass',
  });
  expect(report.ok).toBe(false);
  expect(check(report, 'pools').message).toMatch(new RegExp(`^1 pool cannot be used: ${ns}/greedy: InvalidTemplate: .*must be less than or equal to cpu limit`));
  expect(check(report, 'task-pools')).toMatchObject({ message: `1 task names a missing pool and waits Pending: ${ns}/orphan -> crmm`, fix: expect.stringContaining('create that WorkerPool') });
  expect(check(report, 'task-sync-types').message)
    .toBe(`1 task asks for a sync its pool does not allow (Rejected): ${ns}/phantom: sync hubspot/deals is not allowed by WorkerPool crm; it allows: hubspot/contacts`);
});

test('no operator where doctor looks: it says which Lease it looked for', async () => {
  const { code, report } = await doctor(['-n', stage.ns, '--operator-namespace', 'no-operator-here', '--operator-url', operatorUrl()]);
  expect(code).toBe(1);
  expect(check(report, 'operator')).toMatchObject({
    verdict: 'fail', message: 'no Lease no-operator-here/syncpool-operator: no operator has led from this namespace',
    fix: expect.stringContaining('--operator-namespace'),
  });
  const unreachable = await doctor(['-n', stage.ns, '--operator-url', 'http://127.0.0.1:9']);
  expect(check(unreachable.report, 'redis')).toMatchObject({ verdict: 'skip', fix: expect.stringContaining('port-forward') });
});

test('Redis: passes while the operator reaches it, fails with the operator\'s words once it is gone', async () => {
  const redis = await RedisServer.start('doctor-secret-pw');
  const ns = await createTestNamespace(stage.kube, 'cli-doctor-redis');
  const operator = await OperatorProcess.start({ namespace: ns, identity: 'redis-op', args: ['--redis-url', redis.url] });
  try {
    const url = `http://127.0.0.1:${operator.port}`;
    const up = await eventually('Redis connected', async () => {
      const d = await doctor(['-n', ns, '--operator-url', url]);
      return check(d.report, 'redis').verdict === 'pass' ? d : undefined;
    });
    expect(check(up.report, 'redis').message).toMatch(/^the operator reports no Redis trouble \(readyz 200: /);
    await redis.stop();
    const down = await eventually('Redis trouble reported', async () => {
      const d = await doctor(['-n', ns, '--operator-url', url]);
      return check(d.report, 'redis').verdict === 'fail' ? d : undefined;
    });
    expect(down.code).toBe(1);
    expect(check(down.report, 'redis')).toMatchObject({
      message: expect.stringMatching(/^the operator says: Redis unreachable at 127\.0\.0\.1:\d+: heartbeats held in memory$/),
      fix: expect.stringContaining('--redis-url'),
    });
    expect(JSON.stringify(down.report)).not.toContain('doctor-secret-pw');
  } finally {
    await operator.stop();
    await redis.dispose();
    await deleteNamespace(stage.kube, ns);
  }
});

/** A kubeconfig for a ServiceAccount of the test namespace (its context's namespace), with only what `rules` grant. */
async function userKubeconfig(name: string, rules: object[]): Promise<string> {
  const { kube, ns } = stage;
  await kube.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  if (rules.length > 0) {
    await kube.custom.createNamespacedCustomObject({
      group: 'rbac.authorization.k8s.io', version: 'v1', namespace: ns, plural: 'roles', body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules },
    });
    await kube.custom.createNamespacedCustomObject({
      group: 'rbac.authorization.k8s.io', version: 'v1', namespace: ns, plural: 'rolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    });
  }
  const token = (await kube.core.createNamespacedServiceAccountToken({ namespace: ns, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status!.token;
  const cluster = loadKubeConfig(process.env.SYNCPOOL_TEST_KUBECONFIG!).getCurrentCluster()!;
  const ca = cluster.caData ?? readFileSync(cluster.caFile!).toString('base64');
  const file = join(dir, `${name}.kubeconfig`);
  await writeFile(file, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: 'test', user: name, namespace: ns } }],
  }));
  return file;
}

test('a read-only user: doctor says what they cannot do, and a write is refused in one line', async () => {
  const kubeconfig = await userKubeconfig('viewer', [
    { apiGroups: ['syncpool.dev'], resources: ['workerpools', 'synctasks'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods', 'events'], verbs: ['get', 'list', 'watch'] },
  ]);
  const env = { KUBECONFIG: kubeconfig };
  // No -n: the context's namespace, as kubectl does.
  const { report } = await doctor(['--operator-url', operatorUrl()], env);
  expect(check(report, 'rbac')).toEqual({
    name: 'rbac', verdict: 'pass',
    message: `in namespace ${stage.ns} you can read pools, tasks, Jobs, pods and Events; read-only: you cannot create synctasks (submit, retry); `
      + 'patch synctasks (cancel); patch workerpools (scale, pause, resume)',
  });
  // Cluster-scoped CRDs and the Lease are not theirs to read: judged from what they can see.
  expect(check(report, 'crds')).toMatchObject({ verdict: 'pass', message: expect.stringMatching(/^syncpool.dev\/v1alpha1 is served \(the CRDs themselves: cannot read them: .*forbidden/) });
  expect(check(report, 'operator')).toMatchObject({ verdict: 'skip', message: expect.stringMatching(/forbidden/) });

  expect((await syncpool(['status', '-o', 'json'], env)).code).toBe(0);
  const submit = await syncpool(['submit', 'crm', 'hubspot', 'contacts'], env);
  expect(submit.code).toBe(1);
  expect(submit.stderr).toBe(`kubectl-syncpool: synctasks.syncpool.dev is forbidden: User "system:serviceaccount:${stage.ns}:viewer" cannot create resource `
    + `"synctasks" in API group "syncpool.dev" in the namespace "${stage.ns}" (ask for access; kubectl syncpool doctor lists what you may do)\n`);
});

test('a user with no access: every verb answers in one line, doctor fails the rbac check', async () => {
  const env = { KUBECONFIG: await userKubeconfig('nobody', []) };
  const status = await syncpool(['status'], env);
  expect(status).toMatchObject({ code: 1, stdout: '' });
  expect(status.stderr).toMatch(/^kubectl-syncpool: workerpools.syncpool.dev is forbidden: User "system:serviceaccount:.*:nobody" cannot list resource "workerpools" .*\(ask for access; kubectl syncpool doctor lists what you may do\)\n$/);
  const { code, report } = await doctor([], env);
  expect(code).toBe(1);
  expect(check(report, 'rbac')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^in namespace \S+ you cannot list workerpools \(status, queue, watch\); list synctasks/) });
  expect(check(report, 'pools')).toMatchObject({ verdict: 'skip', message: expect.stringMatching(/^cannot list pools and tasks: .*forbidden/) });
});
