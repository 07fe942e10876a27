// The chart as a platform engineer meets it before installing: `helm lint` passes with the
// defaults and with every option set, bad values are refused naming the value, and what
// `helm template` renders is accepted by the real API server (server-side dry run, Pod
// Security "restricted" enforced) and grants no wildcards and no Secrets.
import { join } from 'node:path';
import { applyCrds } from '../../../src/api/install.js';
import { createTestNamespace, deleteNamespace, testClients } from '../support/cluster.js';
import { CHART, grants, helm, kubectl, type Manifest, manifests, ok } from './support.js';
import { ensureMonitoringKinds } from './monitoringKinds.js';

const FULL = join(CHART, 'ci/full-values.yaml');
const NAMESPACED = join(CHART, 'ci/namespaced-values.yaml');
const kube = testClients();
const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };

describe('helm lint', () => {
  test.each([
    ['the default values', []],
    ['every option set (ci/full-values.yaml)', ['-f', FULL]],
    ['one namespace watched (ci/namespaced-values.yaml)', ['-f', NAMESPACED]],
  ])('passes with %s', async (_, args) => {
    const r = ok(await helm(['lint', '--strict', CHART, ...args]), 'helm lint');
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  test.each([
    ['a misspelt pool field, which the API server would drop silently', ['--set', 'pools.crm.spec.maxWorkers=2', '--set', 'pools.crm.spec.template.image=x', '--set', 'pools.crm.spec.sourceLimit.hubspot=1'],
      'pools.crm.spec: Additional property sourceLimit is not allowed'],
    ['a pool without maxWorkers', ['--set', 'pools.crm.spec.template.image=x'], 'pools.crm.spec: maxWorkers is required'],
    ['a writable root filesystem', ['--set', 'securityContext.readOnlyRootFilesystem=false'], 'securityContext.readOnlyRootFilesystem'],
    ['privilege escalation', ['--set', 'securityContext.allowPrivilegeEscalation=true'], 'securityContext.allowPrivilegeEscalation'],
    ['a misspelt top-level value', ['--set', 'replicas=3'], 'Additional property replicas is not allowed'],
    ['a watch namespace that is no namespace name', ['--set', 'watchNamespace=Data_Team'], 'watchNamespace'],
  ])('refuses %s, naming it', async (_, args, message) => {
    const r = await helm(['lint', CHART, ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(message);
  });
});

describe('helm template', () => {
  test('refuses contradictory Redis settings with a message saying what to write', async () => {
    const both = await helm(['template', 't', CHART, '--set', 'redis.url=redis://r:6379', '--set', 'redis.existingSecret.name=s']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('redis: set url or existingSecret.name, not both');
    const unused = await helm(['template', 't', CHART, '--set', 'redis.url=redis://r:6379', '--set', 'redis.passwordSecret.name=redis']);
    expect(unused.stderr).toContain('redis://:$(SYNCPOOL_REDIS_PASSWORD)@');
  });

  test('refuses a pool in a namespace the operator does not watch', async () => {
    const pool = ['--set', 'pools.crm.spec.maxWorkers=2', '--set', 'pools.crm.spec.template.image=x'];
    const outside = await helm(['template', 't', CHART, '--set', 'watchNamespace=data', ...pool, '--set', 'pools.crm.namespace=other']);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('pools.crm.namespace: other is not watched; the operator watches only data');
    // The watched namespace itself, named or left to the default, is fine.
    for (const where of [['--set', 'pools.crm.namespace=data'], []]) {
      const inside = ok(await helm(['template', 't', CHART, '--set', 'watchNamespace=data', ...pool, ...where]), 'helm template');
      expect(find(manifests(inside.stdout), 'WorkerPool').metadata.namespace).toBe('data');
    }
  });

  test('the default install: two replicas with probes, requests, a restricted read-only container, and its own Service for heartbeats', async () => {
    const out = manifests(ok(await helm(['template', 'prod', CHART, '-n', 'syncpool-system']), 'helm template').stdout);
    const deployment = find(out, 'Deployment') as Manifest & { spec: { replicas: number; template: { spec: PodSpec } } };
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env.SYNCPOOL_HEARTBEAT_URL).toBe('http://prod-syncpool.syncpool-system.svc:8080/api/v1/heartbeat');
    expect(env.SYNCPOOL_LEASE_NAME).toBe('prod-syncpool');
    expect(env.SYNCPOOL_NAMESPACE).toBeUndefined(); // every namespace
    expect(find(out, 'Service').metadata.name).toBe('prod-syncpool');
    expect(out.filter((m) => m.kind === 'WorkerPool')).toEqual([]);
    expect(out.map((m) => m.kind)).not.toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']));
  });

  test.each([
    ['the default values', [] as string[]],
    ['every option set', ['-f', FULL]],
    ['one namespace watched', ['-f', NAMESPACED]],
  ])('RBAC with %s has no wildcard and no access to Secrets', async (_, args) => {
    const out = manifests(ok(await helm(['template', 't', CHART, ...args]), 'helm template').stdout);
    const granted = grants(out);
    expect(granted.length).toBeGreaterThan(10);
    for (const g of granted) {
      expect([g.group, g.resource, g.verb]).not.toContain('*');
      expect(g.resource).not.toMatch(/^secrets/);
      // Nothing that would let the operator grant itself more.
      expect(['escalate', 'bind', 'impersonate']).not.toContain(g.verb);
    }
    for (const m of out.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
      expect(JSON.stringify(m)).not.toContain('"*"');
    }
  });
});

describe('server-side dry run of the rendered chart', () => {
  let ns: string;
  let watched: string;
  beforeAll(async () => {
    await applyCrds(kube);
    await ensureMonitoringKinds(kube);
    ns = await createTestNamespace(kube, 'helm-dry', RESTRICTED);
    watched = await createTestNamespace(kube, 'helm-dry-data', RESTRICTED);
  });
  afterAll(async () => {
    await deleteNamespace(kube, ns);
    await deleteNamespace(kube, watched);
  });

  test.each([
    ['the default values', () => [] as string[]],
    ['every option set', () => ['-f', FULL]],
    ['one namespace watched', () => ['-f', NAMESPACED, '--set', `watchNamespace=${watched}`]],
  ])('accepts everything %s renders, with no Pod Security warning', async (_, args) => {
    const rendered = ok(await helm(['template', 'dry', CHART, '-n', ns, ...args()]), 'helm template').stdout;
    // --validate=strict: a field the API server does not know is an error, not a silent drop.
    const r = ok(await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { input: rendered }), 'kubectl apply --dry-run=server');
    for (const m of manifests(rendered)) {
      expect(r.stdout).toContain(`${m.metadata.name} created (server dry run)`);
    }
    expect(r.stderr).not.toMatch(/PodSecurity|would violate/);
    expect(r.stderr).not.toMatch(/unknown field/i);
  });
});

type PodSpec = {
  securityContext: object;
  containers: { securityContext: object; livenessProbe: object; readinessProbe: object; resources: { requests: object }; env: { name: string; value?: string }[] }[];
};

function find(out: Manifest[], kind: string): Manifest {
  const m = out.find((x) => x.kind === kind);
  if (!m) throw new Error(`no ${kind} rendered; got ${out.map((x) => x.kind).join(', ')}`);
  return m;
}
