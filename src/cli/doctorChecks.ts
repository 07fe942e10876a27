// The judgments behind `kubectl syncpool doctor`, one per check, each with a fix. Pure:
// the verb gathers what the cluster says, these decide what it means.
import type { V1Lease } from '@kubernetes/client-node';
import { VERSION } from '../api/common.js';
import { poolPolicy } from '../api/poolPolicy.js';
import { FINAL_PHASES } from '../api/syncTask.js';
import { rejection } from '../jobs/template.js';
import type { PoolObject, TaskObject } from '../views/index.js';
import { count, humanDuration } from './format.js';

/** skip: could not be judged from here (the message says why, the fix how to make it judgeable). */
export type Verdict = 'pass' | 'fail' | 'skip';

export interface Check {
  name: string;
  verdict: Verdict;
  message: string;
  fix?: string;
}

const APPLY_CRDS = 'install the CRDs of this release: kubectl apply -f deploy/crds/ (or helm upgrade --install syncpool deploy/helm/syncpool)';
/** How many offenders a message names before it counts the rest. */
const NAMED = 5;

function named(items: string[]): string {
  const shown = items.slice(0, NAMED).join('; ');
  return items.length > NAMED ? `${shown}; and ${items.length - NAMED} more` : shown;
}

export interface StoredCrd {
  metadata?: { name?: string };
  spec?: { versions?: { name: string; served?: boolean; storage?: boolean; schema?: unknown }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

/** `stored` undefined: not installed. `expected`: the schema this plugin was built with, per CRD name. */
export function judgeCrds(found: { name: string; stored?: StoredCrd }[], expected: Map<string, unknown>): Check {
  const problems: string[] = [];
  for (const { name, stored } of found) {
    if (!stored) {
      problems.push(`${name} is not installed`);
      continue;
    }
    const established = stored.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    const versions = stored.spec?.versions ?? [];
    const ours = versions.find((v) => v.name === VERSION);
    const served = versions.filter((v) => v.served).map((v) => v.name);
    if (!established) problems.push(`${name} is not established yet`);
    else if (!ours?.served) problems.push(`${name} serves ${served.join(', ') || 'no version'}, this plugin speaks ${VERSION}`);
    else if (JSON.stringify(canonical(ours.schema)) !== JSON.stringify(canonical(expected.get(name)))) {
      problems.push(`${name} has another schema than this plugin's (an older or newer release)`);
    }
  }
  if (problems.length > 0) return { name: 'crds', verdict: 'fail', message: problems.join('; '), fix: APPLY_CRDS };
  return { name: 'crds', verdict: 'pass', message: `${found.map((f) => f.name).join(', ')} installed, serving ${VERSION} with this plugin's schema` };
}

/** The CRDs could not be read (no access to cluster-scoped objects): whether the API answers is the next best thing. */
export function judgeServedApi(served: boolean, why: string): Check {
  return served
    ? { name: 'crds', verdict: 'pass', message: `syncpool.dev/${VERSION} is served (the CRDs themselves: ${why})` }
    : { name: 'crds', verdict: 'fail', message: `syncpool.dev/${VERSION} is not served (${why})`, fix: APPLY_CRDS };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Renewals may come this late (clock skew between here and the API server) before a leader counts as gone. */
const SKEW_MS = 5_000;

export function judgeLease(lease: V1Lease | undefined, where: { namespace: string; name: string }, nowMs: number): Check {
  const id = `Lease ${where.namespace}/${where.name}`;
  const findIt = `the operator runs elsewhere? pass --operator-namespace <its namespace> (and --lease-name if it was changed); `
    + 'else install it: helm install syncpool deploy/helm/syncpool';
  if (!lease) return { name: 'operator', verdict: 'fail', message: `no ${id}: no operator has led from this namespace`, fix: findIt };
  const holder = lease.spec?.holderIdentity;
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined;
  const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
  const logs = `look at the operator's pods and logs: kubectl -n ${where.namespace} get pods; kubectl -n ${where.namespace} logs <pod>`;
  if (!holder) {
    return { name: 'operator', verdict: 'fail', message: `${id} has no holder: no replica leads, nothing is admitted`, fix: logs };
  }
  if (renewed === undefined || renewed + durationMs + SKEW_MS < nowMs) {
    const ago = renewed === undefined ? 'never renewed it' : `last renewed it ${humanDuration(nowMs - renewed)} ago`;
    return {
      name: 'operator', verdict: 'fail', fix: logs,
      message: `leader ${holder} ${ago} (lease ${durationMs / 1000}s): it is gone or cannot reach the API server; nothing is admitted`,
    };
  }
  return { name: 'operator', verdict: 'pass', message: `running; leader ${holder} (${id} renewed ${humanDuration(Math.max(0, nowMs - renewed))} ago)` };
}

const key = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;

export function judgePools(pools: readonly PoolObject[], scope: string): Check {
  if (pools.length === 0) {
    return {
      name: 'pools', verdict: 'fail', message: `no WorkerPools in ${scope}: tasks here wait Pending`,
      fix: 'create one (kubectl apply -f a WorkerPool, see README "Using it") or list them in the Helm chart\'s pools: values',
    };
  }
  const invalid: string[] = [];
  for (const pool of pools) {
    const judged = poolPolicy(pool);
    const ready = pool.status?.conditions?.find((c) => c.type === 'Ready');
    const current = ready?.observedGeneration === undefined || ready.observedGeneration === pool.metadata?.generation;
    if (!judged.ok) invalid.push(`${key(pool)}: ${judged.message}`);
    else if (ready?.status === 'False' && current) invalid.push(`${key(pool)}: ${ready.reason}: ${ready.message}`);
  }
  if (invalid.length > 0) {
    return {
      name: 'pools', verdict: 'fail', message: `${count(invalid.length, 'pool')} cannot be used: ${named(invalid)}`,
      fix: 'fix the field named (kubectl syncpool status shows the pool Invalid until then; kubectl describe workerpool <name>)',
    };
  }
  return { name: 'pools', verdict: 'pass', message: `${count(pools.length, 'pool')}, all usable` };
}

/** Tasks still to run (not finished) that name a pool that does not exist. */
export function judgeTaskPools(tasks: readonly TaskObject[], pools: readonly PoolObject[]): Check {
  const exists = new Set(pools.map(key));
  const orphans = live(tasks).filter((t) => !exists.has(`${t.metadata?.namespace}/${t.spec.pool}`));
  if (orphans.length === 0) return { name: 'task-pools', verdict: 'pass', message: 'every unfinished task names an existing pool' };
  return {
    name: 'task-pools', verdict: 'fail',
    message: `${count(orphans.length, 'task')} ${orphans.length === 1 ? 'names a missing pool and waits' : 'name a missing pool and wait'} Pending: ${named(orphans.map((t) => `${key(t)} -> ${t.spec.pool}`))}`,
    fix: 'create that WorkerPool, or delete the task and submit it again naming an existing pool (spec.pool cannot change)',
  };
}

/** Tasks whose pool's syncTypes do not list their (source, syncType): the "phantom task" of Celery days. */
export function judgeTaskSyncTypes(tasks: readonly TaskObject[], pools: readonly PoolObject[]): Check {
  const poolOf = new Map(pools.map((p) => [key(p), p]));
  const refused: string[] = [];
  for (const task of live(tasks)) {
    const pool = poolOf.get(`${task.metadata?.namespace}/${task.spec.pool}`);
    const why = pool && rejection(task.spec.pool, pool.spec?.syncTypes, task.spec.source, task.spec.syncType);
    if (why) refused.push(`${key(task)}: ${why}`);
  }
  if (refused.length === 0) return { name: 'task-sync-types', verdict: 'pass', message: 'every unfinished task asks for a sync its pool allows' };
  return {
    name: 'task-sync-types', verdict: 'fail',
    message: `${count(refused.length, 'task')} ${refused.length === 1 ? 'asks' : 'ask'} for a sync its pool does not allow (Rejected): ${named(refused)}`,
    fix: "add the source and type to the pool's spec.syncTypes (the task is judged again at once), or submit it with an allowed one",
  };
}

const live = (tasks: readonly TaskObject[]) => tasks.filter((t) => !FINAL_PHASES.has(t.status?.phase ?? ''));

export interface ReadyzAnswer {
  /** How it was asked: a URL, or the API server's service proxy. */
  via: string;
  status?: number;
  body?: string;
  error?: string;
}

/** /readyz appends "; degraded: ..." while Redis is configured but unusable. */
export function judgeRedis(answer: ReadyzAnswer): Check {
  if (answer.status === undefined) {
    return {
      name: 'redis', verdict: 'skip', message: `could not ask the operator (${answer.via}): ${answer.error ?? 'no answer'}`,
      fix: 'pass --operator-url, e.g. after kubectl -n <ns> port-forward svc/syncpool 8080: --operator-url http://127.0.0.1:8080',
    };
  }
  const body = (answer.body ?? '').trim();
  const degraded = /degraded: (.*)$/.exec(body);
  if (degraded) {
    return {
      name: 'redis', verdict: 'fail', message: `the operator says: ${degraded[1]}`,
      fix: "check that Redis runs and that the operator's --redis-url (SYNCPOOL_REDIS_URL) reaches it; heartbeats are held in memory meanwhile",
    };
  }
  return { name: 'redis', verdict: 'pass', message: `the operator reports no Redis trouble (readyz ${answer.status}: ${body})` };
}

export interface Need {
  verb: string;
  resource: string;
  group: string;
  /** What needs it, e.g. "submit, retry". */
  for: string;
  /** Without it the plugin cannot show anything; without the others it is read-only. */
  read: boolean;
}

export function judgeAccess(results: readonly { need: Need; allowed: boolean }[], scope: string): Check {
  const denied = results.filter((r) => !r.allowed).map((r) => r.need);
  const words = (needs: Need[]) => named(needs.map((n) => `${n.verb} ${n.resource} (${n.for})`));
  const reads = denied.filter((n) => n.read);
  const writes = denied.filter((n) => !n.read);
  if (reads.length > 0) {
    return {
      name: 'rbac', verdict: 'fail', message: `in ${scope} you cannot ${words(reads)}`,
      fix: 'ask for a Role with get, list, watch on workerpools and synctasks (syncpool.dev), jobs (batch), pods and events',
    };
  }
  const readOnly = writes.length > 0 ? `; read-only: you cannot ${words(writes)}` : '; and submit, cancel, retry, scale, pause, resume';
  return { name: 'rbac', verdict: 'pass', message: `in ${scope} you can read pools, tasks, Jobs, pods and Events${readOnly}` };
}
