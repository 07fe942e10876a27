// kubectl syncpool doctor: one PASS / FAIL / SKIP line per check, each failure with its
// fix: the CRDs and their versions, the operator's leader, the pools, tasks naming a
// missing pool or a sync their pool does not allow, Redis as the operator sees it, and
// what the caller's RBAC allows. Exit 1 if any check fails.
import { VERSION } from '../api/common.js';
import { buildCrds } from '../api/crd.js';
import { CRD_API } from '../api/install.js';
import { apiStatus, isNotFound } from '../kube/client.js';
import { POOLS, TASKS } from '../kube/writers.js';
import type { PoolObject, TaskObject } from '../views/index.js';
import { listPools, listTasks } from './cluster.js';
import {
  type Check, judgeAccess, judgeCrds, judgeLease, judgePools, judgeRedis, judgeServedApi, judgeTaskPools, judgeTaskSyncTypes,
  type Need, type ReadyzAnswer, type StoredCrd,
} from './doctorChecks.js';
import { explain } from './errors.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println, render } from './output.js';
import { connect, scopeWords, type Session } from './session.js';

/** The operator's default (src/operator/config.ts, --lease-name). */
export const DEFAULT_LEASE_NAME = 'syncpool-operator';
/** The Service the Helm chart puts before the operator, and its port. */
const DEFAULT_SERVICE = 'syncpool:8080';

export const spec: VerbSpec = {
  name: 'doctor',
  args: [],
  summary: 'check the installation: CRDs, operator leader, pools, tasks, Redis, your RBAC',
  allNamespaces: true,
  output: true,
  flags: {
    'operator-namespace': { type: 'string', value: 'NS', help: "where the operator's Lease is (default: the namespace)" },
    'lease-name': { type: 'string', value: 'NAME', help: `the operator's Lease (default ${DEFAULT_LEASE_NAME})` },
    'operator-url': { type: 'string', value: 'URL', help: "the operator's HTTP address, e.g. http://127.0.0.1:8080 after a port-forward" },
    'operator-service': { type: 'string', value: 'NAME:PORT', help: `else asked through the API server's proxy to this Service (default ${DEFAULT_SERVICE})` },
  },
};

export async function run({ common, values }: Parsed, io: Io): Promise<number> {
  const s = connect(common);
  const operatorNamespace = (values['operator-namespace'] as string | undefined) ?? s.namespace;
  const lease = { namespace: operatorNamespace, name: (values['lease-name'] as string | undefined) ?? DEFAULT_LEASE_NAME };
  const scope = scopeWords(s);
  const [crds, operator, objects, redis, rbac] = await Promise.all([
    checkCrds(s),
    checkLease(s, lease),
    listPools(s).then(async (pools) => ({ pools, tasks: await listTasks(s) }), (err: unknown) => err),
    readyz(s, operatorNamespace, values['operator-url'] as string | undefined, (values['operator-service'] as string | undefined) ?? DEFAULT_SERVICE)
      .then(judgeRedis),
    checkAccess(s).then((results) => judgeAccess(results, scope), (err: unknown): Check => ({
      name: 'rbac', verdict: 'skip', message: `cannot ask the API server what you may do: ${explain(err)}`,
    })),
  ]);
  const checks: Check[] = [crds, operator, ...objectChecks(objects, scope), redis, rbac];
  const failed = checks.filter((c) => c.verdict === 'fail').length;
  println(io.out, render(common.output, { ok: failed === 0, checks }, () => doctorText(checks)));
  if (failed > 0) println(io.err, `kubectl-syncpool: doctor: ${failed} of ${checks.length} checks failed`);
  return failed > 0 ? 1 : 0;
}

export function doctorText(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${c.verdict.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.message}${c.verdict !== 'pass' && c.fix ? ` -- fix: ${c.fix}` : ''}`).join('\n');
}

function objectChecks(objects: { pools: PoolObject[]; tasks: TaskObject[] } | unknown, scope: string): Check[] {
  if (objects && typeof objects === 'object' && 'pools' in objects) {
    const { pools, tasks } = objects as { pools: PoolObject[]; tasks: TaskObject[] };
    return [judgePools(pools, scope), judgeTaskPools(tasks, pools), judgeTaskSyncTypes(tasks, pools)];
  }
  const why = explain(objects);
  return ['pools', 'task-pools', 'task-sync-types'].map((name) => ({ name, verdict: 'skip' as const, message: `cannot list pools and tasks: ${why}` }));
}

async function checkCrds(s: Session): Promise<Check> {
  const crds = buildCrds();
  const expected = new Map(crds.map((c) => [c.metadata.name, c.spec.versions.find((v) => v.name === VERSION)?.schema as unknown]));
  try {
    const found = await Promise.all(crds.map(async (c) => ({
      name: c.metadata.name,
      stored: await s.kube.custom.getClusterCustomObject({ ...CRD_API, name: c.metadata.name })
        .then((o) => o as StoredCrd, (err: unknown) => { if (isNotFound(err)) return undefined; throw err; }),
    })));
    return judgeCrds(found, expected);
  } catch (err) {
    // Reading CRDs is often not granted to users; whether our API answers says most of it.
    const served = await listPools({ ...s, allNamespaces: false }).then(() => true, () => false);
    return judgeServedApi(served, `cannot read them: ${explain(err)}`);
  }
}

async function checkLease(s: Session, where: { namespace: string; name: string }): Promise<Check> {
  try {
    const lease = await s.kube.coordination.readNamespacedLease(where);
    return judgeLease(lease, where, Date.now());
  } catch (err) {
    if (isNotFound(err)) return judgeLease(undefined, where, Date.now());
    return { name: 'operator', verdict: 'skip', message: `cannot read Lease ${where.namespace}/${where.name}: ${explain(err)}`, fix: 'ask for get on leases (coordination.k8s.io) there, or run doctor as someone who may' };
  }
}

async function readyz(s: Session, namespace: string, url: string | undefined, service: string): Promise<ReadyzAnswer> {
  if (url !== undefined) {
    const via = `${url.replace(/\/$/, '')}/readyz`;
    try {
      const res = await fetch(via, { signal: AbortSignal.timeout(5_000) });
      return { via, status: res.status, body: await res.text() };
    } catch (err) {
      return { via, error: (err as Error).message };
    }
  }
  const via = `service ${namespace}/${service} through the API server's proxy`;
  try {
    const body = await s.kube.core.connectGetNamespacedServiceProxyWithPath({ name: service, namespace, path: 'readyz' });
    return { via, status: 200, body: String(body) };
  } catch (err) {
    // The operator's own 503 comes back as plain text; the proxy's errors as a Status.
    const body = (err as { body?: unknown }).body;
    if (apiStatus(err) === 503 && typeof body === 'string' && !body.trimStart().startsWith('{')) return { via, status: 503, body };
    return { via, error: explain(err) };
  }
}

const NEEDS: Need[] = [
  ...['list', 'watch'].flatMap((verb) => [
    { verb, resource: POOLS, group: 'syncpool.dev', for: 'status, queue, watch', read: true },
    { verb, resource: TASKS, group: 'syncpool.dev', for: 'list, describe, watch', read: true },
    { verb, resource: 'jobs', group: 'batch', for: 'queue, describe, watch', read: true },
    { verb, resource: 'pods', group: '', for: 'status, describe, watch', read: true },
  ]),
  { verb: 'list', resource: 'events', group: '', for: 'describe', read: true },
  { verb: 'create', resource: TASKS, group: 'syncpool.dev', for: 'submit, retry', read: false },
  { verb: 'patch', resource: TASKS, group: 'syncpool.dev', for: 'cancel', read: false },
  { verb: 'patch', resource: POOLS, group: 'syncpool.dev', for: 'scale, pause, resume', read: false },
];

async function checkAccess(s: Session): Promise<{ need: Need; allowed: boolean }[]> {
  const namespace = s.allNamespaces ? '' : s.namespace;
  return Promise.all(NEEDS.map(async (need) => {
    const review = await s.kube.authorization.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace, verb: need.verb, group: need.group, resource: need.resource } } },
    });
    return { need, allowed: review.status?.allowed === true };
  }));
}
