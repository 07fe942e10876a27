// Least privilege, proven by running under it. On a cluster of this file's own, the chart
// is installed (watching every namespace, its default), and syncpool-operator runs as
// the image runs it (dist/cmd/operator.js, package.json beside it) on a read-only root
// filesystem with only /tmp writable (what the chart's Deployment gives it), authenticated
// as the chart's ServiceAccount with a token from the TokenRequest API, as in its pod.
// Every request it makes passes a proxy that records the RBAC check the API server makes
// for it. A whole drain runs meanwhile: one-shot tasks, a periodic task (its CronJob made,
// run, edited, cancelled), an adopted CronJob, a heartbeat, a cancel, retention, a run a
// ResourceQuota refuses, Events, the status API. Then: no request was refused, every
// request was one the chart grants, and everything the chart grants was used, but for a
// short list of rare paths, each with the call that needs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/testbed/ports.js';
import { eventually, eventuallyGone } from '../support/cluster.js';
import { triggerRun } from '../support/cronJobs.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';
import { SyncpoolApi } from '../support/syncpool.js';
import { RecordingProxy } from './recordingProxy.js';
import {
  buildOperatorLikeImage, CHART, type Grant, grantKey, grants, helm, manifests, ok, type PrivateCluster, privateCluster, REPO,
  serviceAccountKubeconfig,
} from './support.js';

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };
const RELEASE_NS = 'syncpool-system';
const NS = 'data';
const REFUSED_NS = 'quota-data'; // a namespace whose ResourceQuota admits no pod
const NEVER = '0 0 1 1 *'; // never fires by itself during the test
const LEASE = 'syncpool';
const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

/**
 * Granted, and needed, but not on this run's path, or not as a request at all. Each names
 * the call that needs it; anything else granted and unused fails the test.
 */
const RARE: Record<string, string> = {
  'update synctasks/finalizers.syncpool.dev':
    'no request: the OwnerReferencesPermissionEnforcement admission plugin checks it when a Job or CronJob names its SyncTask with blockOwnerDeletion',
  'get jobs.batch': 'writers.getJob: a task cancelled before its new Job reached the cache',
  'get pods': 'runPods.readRunPod: a heartbeat that arrives before its pod reaches the cache',
  'get workerpools.syncpool.dev': 'writers.poolExists: a pool not in the cache, asked before a task or an adoption Event says it is missing',
  'patch events.events.k8s.io': "events.updateSeries: the same Event repeated 30 s or more after it was first written",
};

const POOLS = `
pools:
  crm:
    namespace: ${NS}
    spec:
      maxWorkers: 2
      sourceLimits: {hubspot: 1}
      template:
        image: registry.example/crm-sync:1
        annotations: {testbed.syncpool.dev/run-for: 1s}
  slow:
    namespace: ${NS}
    spec:
      maxWorkers: 1
      template:
        image: registry.example/scraper:1
        annotations: {testbed.syncpool.dev/run-for: 120s}
  brief:
    namespace: ${NS}
    spec:
      maxWorkers: 1
      retention: {succeeded: 0s}
      template: {image: registry.example/notify:1}
  refused:
    namespace: ${REFUSED_NS}
    spec:
      maxWorkers: 1
      startupTimeout: 4s
      template: {image: registry.example/crm-sync:1}
`;

let cluster: PrivateCluster;
let proxy: RecordingProxy;
let operator: ChildProcess;
let port: number;
let token: string;
let granted: Grant[];
let saDir: string | undefined;
let valuesDir: string | undefined;
const logs: string[] = [];
const api = () => new SyncpoolApi(cluster.kube, NS);

beforeAll(async () => {
  const app = buildOperatorLikeImage();
  cluster = await privateCluster();
  for (const name of [RELEASE_NS, NS, REFUSED_NS]) {
    await cluster.kube.core.createNamespace({ body: { metadata: { name, labels: RESTRICTED } } });
  }
  await cluster.kube.core.createNamespacedResourceQuota({ namespace: REFUSED_NS, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
  valuesDir = mkdtempSync(join(tmpdir(), 'syncpool-least-privilege-'));
  const values = join(valuesDir, 'pools.yaml');
  writeFileSync(values, POOLS);
  const install = ['syncpool', CHART, '-n', RELEASE_NS, '-f', values];
  granted = grants(manifests(ok(await helm(['template', ...install], { kubeconfig: cluster.kubeconfig }), 'helm template').stdout));
  ok(await helm(['install', ...install, '--wait', '--timeout', '3m'], { kubeconfig: cluster.kubeconfig }), 'helm install');
  await eventually('quota counted', async () =>
    ((await cluster.kube.core.readNamespacedResourceQuota({ namespace: REFUSED_NS, name: 'no-pods' })).status?.hard ? true : undefined));

  proxy = await RecordingProxy.start(cluster.state.server, join(cluster.state.dir, 'pki'));
  // Not under /tmp: the operator gets an empty /tmp of its own, as in its pod.
  saDir = join(app, '..', `sa-${process.pid}`);
  mkdirSync(saDir, { recursive: true });
  const sa = await serviceAccountKubeconfig(cluster.kube, cluster.kubeconfig, RELEASE_NS, 'syncpool', { server: proxy.url, dir: saDir });
  token = sa.token;
  port = await freePort();
  operator = startReadOnly(app, [
    '--kubeconfig', sa.file, '--identity', 'least-privilege-test', '--lease-name', LEASE,
    '--http-host', '127.0.0.1', '--http-port', String(port), '--heartbeat-url', `http://127.0.0.1:${port}/api/v1/heartbeat`,
    '--log-level', 'debug', '--lease-duration', '6', '--renew-deadline', '4', '--retry-period', '1',
  ], { POD_NAMESPACE: RELEASE_NS });
  await eventually('the operator leading with synced caches', async () => {
    if (operator.exitCode !== null) throw new Error(`operator exited ${operator.exitCode}:\n${logs.slice(-30).join('\n')}`);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    return res?.ok && (await res.text()).includes('leader') ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
}, 300_000);

afterAll(async () => {
  if (operator && operator.exitCode === null) {
    operator.kill('SIGKILL');
  }
  await proxy?.close();
  await cluster?.stop();
  for (const d of [saDir, valuesDir]) if (d) rmSync(d, { recursive: true, force: true });
});

/**
 * `node dist/cmd/operator.js` in a mount namespace where / is read-only and /tmp an empty
 * tmpfs: a write anywhere else fails with EROFS, as on the pod's read-only root.
 */
function startReadOnly(app: string, args: string[], env: Record<string, string>): ChildProcess {
  const script = 'mount -o remount,bind,ro / && mount -t tmpfs -o size=64m tmpfs /tmp && cd "$APP" && exec "$@"';
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', process.execPath, 'dist/cmd/operator.js', ...args], {
    env: { PATH: process.env.PATH, APP: app, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => { logs.push(...d.toString().split('\n').filter(Boolean)); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

test('the root filesystem really is read-only for it', async () => {
  // The same sandbox, a write attempt outside /tmp: refused, so the run below proves the operator writes nothing.
  const probe = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
    `mount -o remount,bind,ro / && mount -t tmpfs tmpfs /tmp && touch /tmp/ok && touch ${join(REPO, 'node_modules/.cache/rw-probe')}`]);
  let stderr = '';
  probe.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise((resolve) => probe.on('exit', resolve));
  expect(code).not.toBe(0);
  expect(stderr).toContain('Read-only file system');
});

test('a whole drain works as the chart ServiceAccount, on a read-only root', async () => {
  const a = api();
  const kube = cluster.kube;

  // One-shot tasks through a capped pool.
  for (const [name, priority] of [['contacts', 10], ['companies', 0], ['deals', 5]] as const) {
    await a.createTask(name, { pool: 'crm', source: 'salesforce', syncType: name, priority });
  }
  await a.createTask('hubspot-contacts', { pool: 'crm', source: 'hubspot', syncType: 'contacts' });

  // A periodic task: its CronJob is made, a run goes through the pool, an edit replaces
  // the CronJob, a cancel deletes it.
  await a.createTask('nightly', { pool: 'crm', source: 'salesforce', syncType: 'accounts', schedule: NEVER });
  const cj = await eventually('CronJob nightly', () => kube.batch.readNamespacedCronJob({ namespace: NS, name: 'nightly' }).catch(() => undefined));
  await triggerRun(kube, NS, cj, 'a');
  await eventually('the periodic run counted', async () => ((await a.task('nightly')).status?.runs?.succeeded === 1 ? true : undefined), { timeoutMs: 60_000 });
  await a.patchTask('nightly', { priority: 7 });
  await eventually('the CronJob updated', async () => {
    const now = await kube.batch.readNamespacedCronJob({ namespace: NS, name: 'nightly' });
    return now.spec?.jobTemplate.metadata?.annotations?.['syncpool.dev/priority'] === '7' ? true : undefined;
  });

  // A CronJob of someone else's, adopted into the pool by its label.
  await kube.batch.createNamespacedCronJob({
    namespace: NS,
    body: {
      metadata: { name: 'legacy-export', labels: { 'syncpool.dev/pool': 'crm' } },
      spec: {
        schedule: NEVER,
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'export', image: 'registry.example/export:1', securityContext: restrictedContainer }], securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } } } } },
      },
    },
  });
  await eventually('the CronJob adopted', async () => {
    const adopted = await kube.batch.readNamespacedCronJob({ namespace: NS, name: 'legacy-export' });
    return adopted.spec?.jobTemplate.spec?.suspend === true ? true : undefined;
  });

  // A long run: a heartbeat from its pod, then a cancel.
  await a.createTask('scrape', { pool: 'slow', source: 'web', syncType: 'prices' });
  const pod = await podOfTask(kube, NS, 'scrape');
  const beat = await sendHeartbeat(port, await mintPodToken(kube, pod), { progress: 0.5, message: 'halfway' });
  expect(beat).toMatchObject({ status: 200, body: { task: `${NS}/scrape`, attempt: 1 } });
  await eventually('the heartbeat on the task', async () => ((await a.task('scrape')).status?.progress === 0.5 ? true : undefined));
  await a.patchTask('scrape', { cancel: true });
  await a.waitForPhase('scrape', 'Cancelled');

  // Retention 0s: the finished task is deleted.
  await a.createTask('ping', { pool: 'brief', source: 'slack', syncType: 'notify' });
  await eventuallyGone('task ping (retention 0s)', () => a.task('ping'), { timeoutMs: 60_000, intervalMs: 250 });

  // A run the namespace's quota refuses: the reason comes from the Job's Events.
  const refused = new SyncpoolApi(kube, REFUSED_NS);
  await refused.createTask('blocked', { pool: 'refused' });
  const failed = await refused.waitForPhase('blocked', 'Failed', 60_000);
  expect(failed.status?.message).toMatch(/FailedCreate: .*exceeded quota: no-pods/);

  await a.patchTask('nightly', { cancel: true });
  await a.waitForPhase('nightly', 'Cancelled');
  await eventuallyGone('CronJob nightly', () => kube.batch.readNamespacedCronJob({ namespace: NS, name: 'nightly' }));
  const done = await a.waitForAll(['Succeeded', 'Cancelled'], 6);
  expect(done.map((t) => [t.metadata.name, t.status?.phase]).sort()).toEqual([
    ['companies', 'Succeeded'], ['contacts', 'Succeeded'], ['deals', 'Succeeded'], ['hubspot-contacts', 'Succeeded'],
    ['nightly', 'Cancelled'], ['scrape', 'Cancelled'],
  ]);

  // Events, written as the ServiceAccount.
  const events = await kube.events.listNamespacedEvent({ namespace: NS });
  expect(events.items.filter((e) => e.reportingController === 'syncpool.dev/operator').map((e) => e.reason)).toEqual(expect.arrayContaining(['Admitted', 'Cancelled']));

  // The status API checks its caller with a TokenReview and a SubjectAccessReview.
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/${NS}/pools`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { pools: { name: string }[] }).pools.map((p) => p.name).sort()).toEqual(['brief', 'crm', 'slow']);

  // A graceful stop releases the Lease (an update, as the ServiceAccount).
  operator.kill('SIGTERM');
  expect(await new Promise((resolve) => operator.on('exit', resolve))).toBe(0);
}, 240_000);

test('the API server refused it nothing, and it used nothing the chart does not grant', () => {
  const refused = proxy.requests.filter((r) => r.status === 401 || r.status === 403);
  expect(refused.map((r) => `${r.status} ${r.verb} ${r.path}`)).toEqual([]);
  expect(logs.filter((l) => /\b403\b|forbidden: User/i.test(l))).toEqual([]);

  const allowed = (r: { verb: string; group: string; resource: string; namespace: string }) => granted.some((g) =>
    g.verb === r.verb && g.group === r.group && g.resource === r.resource && (g.scope === 'cluster' || g.scope === r.namespace));
  expect(proxy.requests.filter((r) => !allowed(r)).map((r) => `${r.verb} ${r.path}`)).toEqual([]);
});

test('everything the chart grants was used, but for the rare paths named here', () => {
  const used = new Set(proxy.requests.map(grantKey));
  const unused = [...new Set(granted.map(grantKey))].filter((k) => !used.has(k)).sort();
  expect(unused).toEqual(Object.keys(RARE).filter((k) => !used.has(k)).sort());
  // A rare path named here must still be granted: the list follows the chart.
  for (const k of Object.keys(RARE)) expect(granted.map(grantKey)).toContain(k);
});
