// Security, as an attacker or an auditor would probe it, in one namespace that enforces
// the restricted Pod Security Standard, with the operator running at debug level:
// - its HTTP surface: every route it registers (read from src/) refuses a request with
//   no token or a forged one, but health, readiness and metrics (and the status page's
//   static shell, which holds no data);
// - nothing secret is written where people read: task parameters, a Secret's data,
//   heartbeat tokens and status API tokens appear in no log line, Event or status;
// - the chart's Deployment pods and every sync pod, one-shot and periodic, are admitted
//   under "restricted" and run;
// - the chart's RBAC, rendered and applied: its ServiceAccount may do exactly what the
//   rules grant (each of them is used: helm/leastPrivilege.test.ts), no other verb on
//   those resources, and none of a list of escalation paths.
import type { V1Job } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { LABEL_TASK } from '../../src/jobs/labels.js';
import { HEARTBEAT_PATH } from '../../src/heartbeat/receiver.js';
import { PAGE_PATHS } from '../../src/web/page.js';
import { eventually } from '../integration/support/cluster.js';
import { triggerRun } from '../integration/support/cronJobs.js';
import { type SyncpoolStage, startSyncpool } from '../integration/support/fixture.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../integration/support/heartbeats.js';
import { answers, describeQuestion, type Question } from '../integration/helm/canI.js';
import { CHART, grants, helm, kubectl, type Manifest, manifests, ok, REPO } from '../integration/helm/support.js';
import { scanRoutes } from './httpRoutes.js';

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };
const NEVER = '0 0 1 1 *'; // a periodic task whose runs the test makes by hand

/** Distinctive values: if one shows up in a log line, it can only have come from here. */
const mark = randomBytes(4).toString('hex');
const SECRET = {
  apiKey: `sk_live_${mark}Qx7`,
  password: `hunter2-${mark}-pw`,
  periodicKey: `pk_${mark}_nightly`,
  rejectedKey: `rk_${mark}_oversize`,
  secretData: `sd_${mark}_from_secret`,
  forgedHeartbeat: `hb.${mark}.forged`,
  forgedStatus: `st.${mark}.forged`,
};

let stage: SyncpoolStage;
let rendered: Manifest[];
/** Tokens the API server really issued, sent to the operator during the test. */
const issued: string[] = [];

const url = (path: string) => `http://127.0.0.1:${stage.operator.port}${path}`;

beforeAll(async () => {
  stage = await startSyncpool('security', RESTRICTED);
  const { api, ns, kube } = stage;
  // The chart as a platform engineer renders it (every namespace watched), into this namespace.
  const chart = ok(await helm(['template', 'syncpool', CHART, '-n', ns]), 'helm template').stdout;
  rendered = manifests(chart);
  ok(await kubectl(['apply', '-f', '-'], { input: chart }), 'kubectl apply');

  await kube.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'crm-token' }, stringData: { token: SECRET.secretData } } });
  // "plain" leaves pod security to the operator's defaults; "tight" picks among what
  // the restricted standard allows (a UID, groups, a Localhost profile, a capability).
  await api.createPool('plain', { maxWorkers: 3 });
  await api.createPool('tight', {
    maxWorkers: 2,
    template: {
      image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/run-for': '1s' },
      securityContext: {
        runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/sync.json' },
      },
      podSecurityContext: { fsGroup: 2000, supplementalGroups: [3000], seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } },
    },
  });
  // Long enough to still run when the heartbeat is sent, on a busy machine.
  await api.createPool('slow', { maxWorkers: 1 }, '30s');

  await api.createTask('beating', { pool: 'slow', source: 'web', syncType: 'prices' });
  await api.createTask('leak-oneshot', { pool: 'plain', syncType: 'one', parameters: { apiKey: SECRET.apiKey, auth: { password: SECRET.password } } });
  await api.createTask('leak-from-secret', { pool: 'plain', syncType: 'two', parametersFrom: { secretRef: { name: 'crm-token' } } });
  const oversize = { apiKey: SECRET.rejectedKey, blob: 'x'.repeat(17_000) };
  await api.createTask('leak-rejected', { pool: 'plain', syncType: 'three', parameters: oversize });
  await api.createTask('nightly', { pool: 'plain', syncType: 'four', schedule: NEVER, parameters: { apiKey: SECRET.periodicKey } });
  for (const i of [1, 2, 3, 4]) await api.createTask(`tight-${i}`, { pool: 'tight', syncType: `type-${i}` });
}, 90_000);

afterAll(async () => {
  // Cluster-scoped objects outlive the namespace.
  const cluster = rendered?.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding') ?? [];
  for (const m of cluster) await kubectl(['delete', m.kind.toLowerCase(), m.metadata.name, '--ignore-not-found']);
  await stage?.stop();
});

describe('HTTP: only health, readiness and metrics answer without a token', () => {
  /** How each registration found in src/ is expected to answer a caller with no token. */
  const KNOWN: Record<string, { paths: string[]; access: 'public' | 'static page' | 'token' }> = {
    "'/healthz'": { paths: ['/healthz'], access: 'public' },
    "'/readyz'": { paths: ['/readyz'], access: 'public' },
    "'/metrics'": { paths: ['/metrics'], access: 'public' },
    // The status page's HTML and script, the same bytes for everyone: it asks the visitor
    // for a token and fetches everything it shows from the API below.
    PAGE_PATHS: { paths: PAGE_PATHS, access: 'static page' },
    HEARTBEAT_PATH: { paths: [HEARTBEAT_PATH], access: 'token' },
    "'/api/v1/pools'": { paths: ['/api/v1/pools'], access: 'token' },
    "'/api/v1/namespaces/:namespace/pools'": { paths: ['/api/v1/namespaces/:namespace/pools'], access: 'token' },
    "'/api/v1/namespaces/:namespace/pools/:name'": { paths: ['/api/v1/namespaces/:namespace/pools/:name'], access: 'token' },
  };
  const registrations = scanRoutes(REPO);

  test('every route registered in src/ is one this test knows how to probe', () => {
    expect(registrations.length).toBeGreaterThanOrEqual(Object.keys(KNOWN).length);
    const unknown = registrations.filter((r) => !KNOWN[r.path]).map((r) => `${r.where}: ${r.method}(${r.path}, …)`);
    // A new route: add it to KNOWN, as 'token' unless it must be public (and say why).
    expect(unknown).toEqual([]);
  });

  test('each refuses a caller with no token or a forged one, unless public', async () => {
    await eventually('the operator ready', async () => ((await fetch(url('/readyz'))).ok ? true : undefined));
    const wrong: string[] = [];
    for (const r of registrations) {
      const known = KNOWN[r.path]!;
      const method = r.method === 'post' ? 'POST' : 'GET';
      for (const template of known.paths) {
        const path = template.replace(':namespace', stage.ns).replace(':name', 'plain');
        for (const token of [undefined, SECRET.forgedStatus]) {
          const res = await fetch(url(path), {
            method, headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
            ...(method === 'POST' && { body: '{"progress":0.5}' }),
          });
          const body = await res.text();
          const what = `${method} ${path} ${token ? 'with a forged token' : 'with no token'}: ${res.status}`;
          if (known.access === 'token' && res.status !== 401) wrong.push(`${what}, expected 401`);
          if (known.access === 'token' && !/^Bearer/.test(res.headers.get('www-authenticate') ?? '')) wrong.push(`${what}, no WWW-Authenticate: Bearer`);
          if (known.access !== 'token' && res.status !== 200) wrong.push(`${what}, expected 200`);
          if (known.access === 'static page' && (body.includes(stage.ns) || body.includes('leak-oneshot'))) wrong.push(`${what}: the page carries data`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('secrets stay out of logs, Events and statuses', () => {
  test('a heartbeat with a real pod token, status API calls with a real and a forged token', async () => {
    const { kube, ns, operator } = stage;
    const pod = await podOfTask(kube, ns, 'beating');
    const podToken = await mintPodToken(kube, pod);
    issued.push(podToken);
    expect((await sendHeartbeat(operator.port, podToken, { progress: 0.5, message: 'halfway' })).status).toBe(200);
    expect((await sendHeartbeat(operator.port, SECRET.forgedHeartbeat, { progress: 0.6 })).status).toBe(401);

    const viewer = await kube.core.createNamespacedServiceAccountToken({ namespace: ns, name: 'default', body: { spec: { audiences: [] } } });
    issued.push(viewer.status!.token);
    const asViewer = await fetch(url('/api/v1/pools'), { headers: { authorization: `Bearer ${viewer.status!.token}` } });
    expect(asViewer.status).toBe(403); // authenticated, without the right to list synctasks
    expect((await fetch(url('/api/v1/pools'), { headers: { authorization: `Bearer ${SECRET.forgedStatus}` } })).status).toBe(401);
  });

  test('the parameters did reach their Jobs (the control), and the oversize task was Rejected', async () => {
    const { api, kube, ns } = stage;
    await api.waitForPhase('leak-oneshot', 'Succeeded');
    await api.waitForPhase('leak-from-secret', 'Succeeded');
    await api.waitForPhase('leak-rejected', 'Rejected');
    const job = await kube.batch.readNamespacedJob({ namespace: ns, name: 'leak-oneshot-1' });
    const env = job.spec!.template.spec!.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'SYNCPOOL_PARAMETERS')?.value).toContain(SECRET.apiKey);
  });

  test('none of them appears in the operator\'s debug log, in any Event, or in any status', async () => {
    const { api, kube, ns, operator } = stage;
    const cj = await eventually('CronJob nightly', () => kube.batch.readNamespacedCronJob({ namespace: ns, name: 'nightly' }).catch(() => undefined));
    await triggerRun(kube, ns, cj, 'a');
    await eventually('the periodic run counted', async () => ((await api.task('nightly')).status?.runs?.succeeded === 1 ? true : undefined), { timeoutMs: 60_000 });

    const logs = operator.logs.join('\n');
    // The control: the log does tell these tasks' stories, at debug level.
    for (const task of ['leak-oneshot', 'leak-from-secret', 'leak-rejected', 'nightly']) expect(logs).toContain(task);
    const coreEvents = await kube.core.listNamespacedEvent({ namespace: ns });
    const events = await kube.events.listNamespacedEvent({ namespace: ns });
    expect(coreEvents.items.length).toBeGreaterThan(0);
    const statuses = [...await api.tasks(), ...(await kube.custom.listNamespacedCustomObject({
      group: 'syncpool.dev', version: 'v1alpha1', namespace: ns, plural: 'workerpools',
    }) as { items: object[] }).items].map((o) => JSON.stringify((o as { status?: unknown }).status));
    const places = { log: logs, events: JSON.stringify([coreEvents.items, events.items]), statuses: statuses.join('\n') };
    // A JWT's signature is its unguessable part; the whole token is checked too.
    const values = [...Object.values(SECRET), ...issued, ...issued.map((t) => t.split('.')[2]!)];
    const found = Object.entries(places).flatMap(([where, text]) => values.filter((v) => text.includes(v)).map((v) => `${where}: ${v.slice(0, 24)}…`));
    expect(found).toEqual([]);
  });
});

test('Pod Security "restricted": the chart\'s operator pods and every sync pod were admitted and ran', async () => {
  const { api, kube, ns } = stage;
  const deployment = rendered.find((m) => m.kind === 'Deployment')!;
  const replicas = (deployment.spec as { replicas: number }).replicas;
  await eventually(`${replicas} operator pods Running`, async () => {
    const pods = await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=syncpool' });
    return pods.items.filter((p) => p.status?.phase === 'Running').length === replicas ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });

  for (const name of ['tight-1', 'tight-2', 'tight-3', 'tight-4', 'leak-oneshot', 'leak-from-secret']) {
    await api.waitForPhase(name, 'Succeeded', 90_000);
  }
  // Ran: its pod finished, or (the long "beating" run) runs now and is ready.
  const ran = (j: V1Job) => (j.status?.succeeded ?? 0) > 0 || (j.status?.ready ?? 0) > 0;
  let jobs: V1Job[] = [];
  await eventually('every Job ran', async () => {
    jobs = (await kube.batch.listNamespacedJob({ namespace: ns })).items;
    return jobs.every(ran) ? true : undefined;
  }, { timeoutMs: 30_000 }).catch(() => undefined); // reported below, by name
  expect(jobs.filter((j) => j.metadata?.labels?.[LABEL_TASK]).length).toBeGreaterThanOrEqual(8); // 7 one-shot runs and the periodic one
  expect(jobs.filter((j) => !ran(j)).map((j) => j.metadata!.name)).toEqual([]);
  // A pod the admission plugin refused leaves a FailedCreate Event on its Job or ReplicaSet.
  const events = await kube.core.listNamespacedEvent({ namespace: ns });
  expect(events.items.filter((e) => e.reason === 'FailedCreate').map((e) => `${e.involvedObject.name}: ${e.message}`)).toEqual([]);
}, 120_000);

describe('RBAC: the chart\'s ServiceAccount may do what its rules grant, and nothing more', () => {
  const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
  const resourceOf = (group: string, resource: string) => {
    const [plural, sub] = resource.split('/');
    return { resource: group ? `${plural}.${group}` : plural!, subresource: sub };
  };

  interface Rule { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[] }
  const CLUSTER_SCOPED = /review/; // the only cluster-scoped resources the chart grants: TokenReview, SubjectAccessReview

  /** Granted: every rule of the rendered Roles and ClusterRoles, where it holds (one object, if it names some). */
  function granted(ns: string): Question[] {
    const out: Question[] = [];
    for (const m of rendered.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
      for (const rule of (m.rules as Rule[] | undefined) ?? []) {
        for (const [group, resource, verb] of (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).flatMap((r) => rule.verbs.map((v) => [g, r, v] as const)))) {
          const r = resourceOf(group, resource);
          const places = CLUSTER_SCOPED.test(resource) ? [undefined]
            // A ClusterRole's rule holds in every namespace, and so in any one; a Role's in its own.
            : m.kind === 'ClusterRole' ? ['--all-namespaces', ns] : [m.metadata.namespace!];
          for (const namespace of places) {
            for (const name of rule.resourceNames ?? [undefined]) {
              out.push({ verb, resource: name ? `${r.resource}/${name}` : r.resource, subresource: r.subresource, namespace });
            }
          }
        }
      }
    }
    return out;
  }

  /** Refused: every other verb on the same resources, and the paths to more power. */
  function refused(ns: string): Question[] {
    const all = grants(rendered);
    const out: Question[] = [];
    const resources = new Set(all.map((g) => `${g.group}|${g.resource}`));
    for (const key of resources) {
      const [group, resource] = key.split('|') as [string, string];
      if (CLUSTER_SCOPED.test(resource)) continue; // create is the only verb reviews have
      const r = resourceOf(group, resource);
      const cluster = all.filter((g) => g.group === group && g.resource === resource && g.scope === 'cluster').map((g) => g.verb);
      const anywhere = all.filter((g) => g.group === group && g.resource === resource).map((g) => g.verb);
      for (const verb of VERBS.filter((v) => !anywhere.includes(v))) out.push({ verb, ...r, namespace: ns });
      // What a Role grants in the release namespace only (the Lease) holds in no other.
      for (const verb of anywhere.filter((v) => !cluster.includes(v))) out.push({ verb, ...r, namespace: 'kube-system' });
    }
    const own = (kind: string) => rendered.filter((m) => m.kind === kind).map((m) => m.metadata.name);
    const q = (verb: string, resource: string, namespace?: string, subresource?: string): Question => ({ verb, resource, namespace, subresource });
    out.push(
      // Secrets and what leads to them.
      ...['get', 'list', 'watch', 'create'].flatMap((v) => [q(v, 'secrets', ns), q(v, 'secrets', 'kube-system')]),
      q('get', 'configmaps', ns), q('create', 'configmaps', ns),
      q('create', 'pods', ns, 'exec'), q('create', 'pods', ns, 'attach'), q('create', 'pods', ns, 'portforward'), q('get', 'pods', ns, 'log'),
      q('patch', 'pods', ns, 'ephemeralcontainers'), q('create', 'pods', ns, 'eviction'),
      q('create', 'serviceaccounts', ns, 'token'), q('create', 'serviceaccounts', ns),
      q('impersonate', 'serviceaccounts', ns), q('impersonate', 'users'), q('impersonate', 'groups'),
      // The cluster itself.
      q('delete', 'namespaces'), q('create', 'namespaces'), q('get', 'namespaces'), q('patch', 'namespaces'),
      q('get', 'nodes'), q('patch', 'nodes'), q('delete', 'nodes'), q('get', 'nodes', undefined, 'proxy'),
      q('create', 'persistentvolumes'), q('create', 'daemonsets.apps', ns),
      q('update', 'customresourcedefinitions.apiextensions.k8s.io'), q('delete', 'customresourcedefinitions.apiextensions.k8s.io'),
      q('create', 'mutatingwebhookconfigurations.admissionregistration.k8s.io'),
      q('create', 'validatingwebhookconfigurations.admissionregistration.k8s.io'),
      q('create', 'certificatesigningrequests.certificates.k8s.io'), q('update', 'certificatesigningrequests.certificates.k8s.io', undefined, 'approval'),
      q('get', 'leases.coordination.k8s.io/kube-scheduler', 'kube-system'), q('update', 'leases.coordination.k8s.io/kube-controller-manager', 'kube-system'),
      // Its own powers and its own workload.
      ...own('ClusterRole').flatMap((name) => [q('update', `clusterroles.rbac.authorization.k8s.io/${name}`), q('escalate', `clusterroles.rbac.authorization.k8s.io/${name}`), q('bind', `clusterroles.rbac.authorization.k8s.io/${name}`)]),
      ...own('ClusterRoleBinding').flatMap((name) => [q('update', `clusterrolebindings.rbac.authorization.k8s.io/${name}`), q('delete', `clusterrolebindings.rbac.authorization.k8s.io/${name}`)]),
      ...own('Role').map((name) => q('patch', `roles.rbac.authorization.k8s.io/${name}`, ns)),
      q('create', 'clusterrolebindings.rbac.authorization.k8s.io'), q('create', 'rolebindings.rbac.authorization.k8s.io', ns),
      q('bind', 'clusterroles.rbac.authorization.k8s.io/cluster-admin'), q('escalate', 'roles.rbac.authorization.k8s.io', ns),
      ...own('Deployment').map((name) => q('patch', `deployments.apps/${name}`, ns)),
      q('patch', 'serviceaccounts/syncpool', ns),
      q('*', '*', '--all-namespaces'),
    );
    return out;
  }

  test('the matrix: granted is allowed, everything else asked is denied', async () => {
    const { ns } = stage;
    const sa = rendered.find((m) => m.kind === 'ServiceAccount')!.metadata.name;
    const user = `system:serviceaccount:${ns}:${sa}`;
    const yes = granted(ns);
    const no = refused(ns);
    const got = await answers(user, [...yes, ...no]);
    const wrong = [
      ...yes.filter((_, i) => !got[i]).map((x) => `denied, but the chart grants it: ${describeQuestion(x)}`),
      ...no.filter((_, i) => got[yes.length + i]).map((x) => `allowed: ${describeQuestion(x)}`),
    ];
    console.log(`RBAC can-i matrix for ${user}: ${yes.length} allowed, ${no.length} denied, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 90_000);
});
