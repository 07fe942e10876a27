// `helm install` as a platform engineer runs it, on a cluster of this file's own (so that
// the CRDs are really created by the chart): CRDs, RBAC, the operator's Deployment with
// its pods running on the fake node under Pod Security "restricted", and the pools from
// values; `helm upgrade` changes a pool live; `helm uninstall` removes it all but the CRDs.
// Then what the ServiceAccount may and may not do, asked as `kubectl auth can-i` asks,
// for an installation watching every namespace and one watching a single namespace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRD_API } from '../../../src/api/install.js';
import { isNotFound } from '../../../src/kube/client.js';
import { eventually } from '../support/cluster.js';
import { canI as askAs, type Question } from './canI.js';
import { CHART, helm, kubectl, ok, type PrivateCluster, privateCluster } from './support.js';

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };
const CRDS = ['synctasks.syncpool.dev', 'workerpools.syncpool.dev'];
let cluster: PrivateCluster;
const dir = mkdtempSync(join(tmpdir(), 'syncpool-helm-install-'));

beforeAll(async () => {
  cluster = await privateCluster();
  for (const name of ['syncpool-system', 'data', 'team-a', 'team-a-data']) {
    await cluster.kube.core.createNamespace({ body: { metadata: { name, labels: RESTRICTED } } });
  }
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const h = (args: string[]) => helm(args, { kubeconfig: cluster.kubeconfig, timeoutMs: 240_000 });
const k = (args: string[]) => kubectl(args, { kubeconfig: cluster.kubeconfig });
const canI = (user: string, questions: Question[], expected = true) => askAs(user, questions, { expected, kubeconfig: cluster.kubeconfig });

function valuesFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const POOLS = valuesFile('pools.yaml', `
pools:
  crm:
    namespace: data
    spec:
      maxWorkers: 2
      sourceLimits: {hubspot: 1}
      template: {image: registry.example/crm-sync:1}
  scrapers:
    namespace: data
    spec:
      maxWorkers: 1
      template: {image: registry.example/scraper:1}
`);

async function crdsPresent(): Promise<string[]> {
  const present: string[] = [];
  for (const name of CRDS) {
    const found = await cluster.kube.custom.getClusterCustomObject({ ...CRD_API, name }).then(() => true, (err) => {
      if (isNotFound(err)) return false;
      throw err;
    });
    if (found) present.push(name);
  }
  return present;
}

const gone = async (args: string[]) => {
  const r = await k(['get', ...args, '--ignore-not-found', '-o', 'name']);
  return r.code === 0 && r.stdout.trim() === '' ? true : undefined;
};

describe('helm install, upgrade and uninstall (every namespace watched)', () => {
  test('install creates the CRDs, RBAC, two running replicas and the pools from values', async () => {
    expect(await crdsPresent()).toEqual([]);
    const install = ok(await h(['install', 'syncpool', CHART, '-n', 'syncpool-system', '-f', POOLS, '--wait', '--timeout', '3m']), 'helm install');
    expect(install.stdout).toContain('It watches every namespace');
    expect(install.stdout).toContain('data/crm  maxWorkers 2');

    expect(await crdsPresent()).toEqual(CRDS);
    // Both replicas run, on the fake node, in a namespace that enforces "restricted".
    const pods = await cluster.kube.core.listNamespacedPod({ namespace: 'syncpool-system', labelSelector: 'app.kubernetes.io/instance=syncpool' });
    expect(pods.items.map((p) => [p.status?.phase, p.spec?.nodeName, p.spec?.serviceAccountName]))
      .toEqual([['Running', 'kwok-node-0', 'syncpool'], ['Running', 'kwok-node-0', 'syncpool']]);
    const deployment = JSON.parse(ok(await k(['get', 'deployment', 'syncpool', '-n', 'syncpool-system', '-o', 'json']), 'kubectl get').stdout) as { status: { readyReplicas: number } };
    expect(deployment.status.readyReplicas).toBe(2);

    const pools = JSON.parse(ok(await k(['get', 'workerpools', '-n', 'data', '-o', 'json']), 'kubectl get').stdout) as { items: { metadata: { name: string }; spec: { maxWorkers: number } }[] };
    expect(pools.items.map((p) => [p.metadata.name, p.spec.maxWorkers])).toEqual([['crm', 2], ['scrapers', 1]]);
    for (const obj of ['serviceaccount/syncpool', 'service/syncpool', 'role/syncpool-leader-election', 'rolebinding/syncpool-leader-election']) {
      ok(await k(['get', '-n', 'syncpool-system', obj]), `kubectl get ${obj}`);
    }
    for (const obj of ['clusterrole/syncpool-system-syncpool', 'clusterrolebinding/syncpool-system-syncpool',
      'clusterrole/syncpool-system-syncpool-reviews', 'clusterrolebinding/syncpool-system-syncpool-reviews']) {
      ok(await k(['get', obj]), `kubectl get ${obj}`);
    }
  });

  test('the ServiceAccount may do what the operator needs, everywhere, and nothing else', async () => {
    const denied = await canI('system:serviceaccount:syncpool-system:syncpool', [
      ...operatorNeeds('data'), ...operatorNeeds('--all-namespaces'),
      ...leaseNeeds('syncpool-system', 'syncpool'),
    ]);
    expect(denied).toEqual([]);
    const allowed = await canI('system:serviceaccount:syncpool-system:syncpool', operatorMustNot('data', 'syncpool-system', 'syncpool'), false);
    expect(allowed).toEqual([]);
  });

  test('helm upgrade changes a pool in place', async () => {
    ok(await h(['upgrade', 'syncpool', CHART, '-n', 'syncpool-system', '-f', POOLS, '--set', 'pools.crm.spec.maxWorkers=5', '--wait', '--timeout', '3m']), 'helm upgrade');
    const crm = JSON.parse(ok(await k(['get', 'workerpool', 'crm', '-n', 'data', '-o', 'json']), 'kubectl get').stdout) as { spec: { maxWorkers: number; sourceLimits: object } };
    expect(crm.spec).toMatchObject({ maxWorkers: 5, sourceLimits: { hubspot: 1 } });
  });

  test('uninstall removes everything but the CRDs (deleting those would delete every SyncTask)', async () => {
    ok(await h(['uninstall', 'syncpool', '-n', 'syncpool-system', '--wait', '--timeout', '3m']), 'helm uninstall');
    for (const what of [
      ['-n', 'syncpool-system', 'deployment,serviceaccount,service,role,rolebinding,poddisruptionbudget', '-l', 'app.kubernetes.io/instance=syncpool'],
      ['-n', 'data', 'workerpools'],
      ['clusterrole,clusterrolebinding', '-l', 'app.kubernetes.io/instance=syncpool'],
    ]) {
      await eventually(`${what.join(' ')} gone`, () => gone(what), { timeoutMs: 60_000, intervalMs: 500 });
    }
    await eventually('the operator pods gone', () => gone(['pods', '-n', 'syncpool-system']), { timeoutMs: 90_000, intervalMs: 500 });
    expect(await crdsPresent()).toEqual(CRDS);
  });
});

describe('one namespace watched', () => {
  const SA = 'system:serviceaccount:team-a:team-syncpool';
  beforeAll(async () => {
    ok(await h(['install', 'team', CHART, '-n', 'team-a', '--set', 'watchNamespace=team-a-data', '--set', 'replicaCount=1', '-f', valuesFile('team.yaml', `
pools:
  reports:
    spec: {maxWorkers: 1, template: {image: registry.example/reports:1}}
`), '--wait', '--timeout', '3m']), 'helm install');
  }, 240_000);
  afterAll(async () => {
    await h(['uninstall', 'team', '-n', 'team-a', '--wait']);
  });

  test('the pools go to the watched namespace', async () => {
    ok(await k(['get', 'workerpool', 'reports', '-n', 'team-a-data']), 'kubectl get workerpool');
  });

  test('the ServiceAccount may do what the operator needs there, and nothing in any other namespace', async () => {
    expect(await canI(SA, [...operatorNeeds('team-a-data'), ...leaseNeeds('team-a', 'team-syncpool')])).toEqual([]);
    const elsewhere = [...operatorNeeds('data'), ...operatorNeeds('--all-namespaces')]
      .filter((q) => !q.resource.includes('review'));
    expect(await canI(SA, elsewhere, false)).toEqual([]);
    expect(await canI(SA, operatorMustNot('team-a-data', 'team-a', 'team-syncpool'), false)).toEqual([]);
  });
});

/** What the operator does in a namespace ('--all-namespaces': across all of them). */
function operatorNeeds(namespace: string): Question[] {
  const q = (verb: string, resource: string, subresource?: string): Question => ({ verb, resource, subresource, namespace });
  return [
    ...['list', 'watch', 'delete'].map((v) => q(v, 'synctasks.syncpool.dev')),
    ...['get', 'list', 'watch'].map((v) => q(v, 'workerpools.syncpool.dev')),
    q('patch', 'synctasks.syncpool.dev', 'status'), q('patch', 'workerpools.syncpool.dev', 'status'),
    ...['get', 'list', 'watch', 'create', 'patch', 'delete'].map((v) => q(v, 'jobs.batch')),
    ...['list', 'watch', 'create', 'update', 'patch', 'delete'].map((v) => q(v, 'cronjobs.batch')),
    ...['get', 'list', 'watch'].map((v) => q(v, 'pods')),
    q('list', 'events'), q('create', 'events.events.k8s.io'), q('patch', 'events.events.k8s.io'),
    { verb: 'create', resource: 'tokenreviews.authentication.k8s.io' },
    { verb: 'create', resource: 'subjectaccessreviews.authorization.k8s.io' },
  ];
}

function leaseNeeds(namespace: string, lease: string): Question[] {
  return [
    { verb: 'create', resource: 'leases.coordination.k8s.io', namespace },
    { verb: 'get', resource: `leases.coordination.k8s.io/${lease}`, namespace },
    { verb: 'update', resource: `leases.coordination.k8s.io/${lease}`, namespace },
  ];
}

/** What it must never do: read Secrets, change what users own, grant itself anything. */
function operatorMustNot(watched: string, release: string, lease: string): Question[] {
  const q = (verb: string, resource: string, namespace?: string, subresource?: string): Question => ({ verb, resource, namespace, subresource });
  return [
    ...['get', 'list', 'watch'].flatMap((v) => [q(v, 'secrets', watched), q(v, 'secrets', release), q(v, 'secrets', '--all-namespaces')]),
    q('create', 'synctasks.syncpool.dev', watched), q('update', 'synctasks.syncpool.dev', watched), q('patch', 'synctasks.syncpool.dev', watched),
    q('create', 'workerpools.syncpool.dev', watched), q('patch', 'workerpools.syncpool.dev', watched), q('delete', 'workerpools.syncpool.dev', watched),
    q('get', 'synctasks.syncpool.dev', watched), // the caches answer reads
    q('create', 'pods', watched), q('delete', 'pods', watched), q('create', 'pods', watched, 'exec'),
    q('get', 'configmaps', watched), q('create', 'serviceaccounts', watched, 'token'),
    q('create', 'customresourcedefinitions.apiextensions.k8s.io'), q('delete', 'customresourcedefinitions.apiextensions.k8s.io'),
    q('create', 'rolebindings.rbac.authorization.k8s.io', watched), q('create', 'clusterroles.rbac.authorization.k8s.io'),
    q('impersonate', 'serviceaccounts', watched),
    q('get', 'leases.coordination.k8s.io/kube-scheduler', 'kube-system'), q('update', `leases.coordination.k8s.io/not-${lease}`, release),
    q('delete', `leases.coordination.k8s.io/${lease}`, release),
    q('list', 'namespaces'), q('list', 'nodes'),
    q('*', '*', '--all-namespaces'),
  ];
}
