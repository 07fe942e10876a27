// A crowded namespace, made fast: finished Jobs of the measured pools and of others,
// and a queue of suspended Jobs belonging to other, paused pools. They are built by the
// operator's own buildJob (same labels, annotations and pod template as its real Jobs)
// but carry no owner: there are no SyncTasks behind them, and an owner reference to a
// missing task would have the garbage collector delete them.
//
// Speed: kept-alive connections and bounded parallel writes. `spec.managedBy` (beta and
// on by default since Kubernetes 1.32) hands every crowd Job to a controller that does
// not exist, so the Job controller leaves them alone: it neither starts pods nor writes
// a Suspended condition into 20,000 statuses, and stays free for the measured Jobs.
// A finished Job is created suspended, then given a terminal status through the status
// subresource (status is ignored on create), with what v1.32's status validation asks
// of a Complete Job: SuccessCriteriaMet=True beside Complete=True, startTime,
// completionTime not before it, nothing active.
import type { V1Job } from '@kubernetes/client-node';
import { buildJob } from '../src/jobs/build.js';
import type { KubeClients } from '../src/kube/client.js';
import type { SyncpoolApi } from '../test/integration/support/syncpool.js';
import { bounded, RawApi, type RawResponse } from './rawApi.js';

export const CROWD_MANAGER = 'bench.syncpool.dev/crowd';
const CONCURRENCY = 32;
const OTHER_POOLS = 10;

export interface CrowdPlan {
  /** Finished Jobs: half of them in the measured pools, half in the other pools. */
  finished: number;
  /** Suspended Jobs, all in the other pools (which are paused). */
  queued: number;
  /** Pools the bench measures; they get a share of the finished Jobs. */
  measuredPools: string[];
}

export interface CrowdLoad { jobs: number; writes: number; ms: number }

function crowdJob(namespace: string, task: string, pool: string, i: number, enqueuedAt: string): V1Job {
  const job = buildJob({
    task: {
      namespace, name: task, uid: `crowd-${i}`, apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
      spec: { pool, source: i % 3 === 0 ? 'salesforce' : 'hubspot', syncType: `type-${i % 17}`, priority: i % 5 },
    },
    pool: { spec: { template: { image: 'registry.example/sync:1' } } },
    attempt: 1,
    enqueuedAt,
    heartbeatUrl: 'http://syncpool.bench.svc:8080/api/v1/heartbeat',
  });
  delete job.metadata!.ownerReferences;
  job.spec!.managedBy = CROWD_MANAGER;
  return job;
}

function completeStatus(startTime: string, completionTime: string): object {
  const done = (type: string) => ({
    type, status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods',
    lastProbeTime: completionTime, lastTransitionTime: completionTime,
  });
  return {
    status: {
      conditions: [done('SuccessCriteriaMet'), done('Complete')],
      startTime, completionTime, succeeded: 1, active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {},
    },
  };
}

/** Retries what an overloaded API server may answer (429, 5xx); fails on anything else. */
async function write(api: RawApi, what: string, call: () => Promise<RawResponse>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await call().catch((err: Error) => ({ status: 0, body: err.message }));
    if (res.status >= 200 && res.status < 300) return;
    if (attempt >= 5 || (res.status !== 0 && res.status !== 429 && res.status < 500)) {
      throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

export function otherPools(): string[] {
  return Array.from({ length: OTHER_POOLS }, (_, i) => `crowd-${i}`);
}

/** Creates the other (paused) pools and the crowd's Jobs. */
export async function loadCrowd(kube: KubeClients, api: SyncpoolApi, namespace: string, plan: CrowdPlan): Promise<CrowdLoad> {
  const t0 = Date.now();
  const others = otherPools();
  // Paused, so their queues stay queued while we measure; they exist so that the
  // operator sees real pools, not orphaned Jobs.
  for (const pool of others) await api.createPool(pool, { maxWorkers: 5, paused: true }, '0s');

  const raw = await RawApi.connect(kube, CONCURRENCY);
  const jobsPath = `/apis/batch/v1/namespaces/${namespace}/jobs`;
  const started = new Date(t0 - 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const completed = new Date(t0 - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  let writes = 0;
  try {
    await bounded(plan.finished + plan.queued, CONCURRENCY, async (i) => {
      const finished = i < plan.finished;
      const pool = finished && i % 2 === 0
        ? plan.measuredPools[(i / 2) % plan.measuredPools.length]!
        : others[i % others.length]!;
      const task = finished ? `crowd-done-${i}` : `crowd-queued-${i}`;
      const job = crowdJob(namespace, task, pool, i, new Date(t0 - 3_600_000 + i).toISOString());
      await write(raw, `create Job ${task}`, () => raw.call('POST', jobsPath, job));
      writes += 1;
      if (!finished) return;
      const name = job.metadata!.name!;
      await write(raw, `complete Job ${name}`, () =>
        raw.call('PATCH', `${jobsPath}/${name}/status`, completeStatus(started, completed), 'application/merge-patch+json'));
      writes += 1;
    });
  } finally {
    raw.close();
  }
  return { jobs: plan.finished + plan.queued, writes, ms: Date.now() - t0 };
}
