// The drain: N one-shot syncs through one pool of maxWorkers slots, pods that finish at
// once, timed from the moment the queue is let go until our own watch saw the last Job
// finish. syncpool runs it as a user would (SyncTasks in a paused pool, then unpaused);
// the oracle (oracle.ts) runs the same Jobs with nothing but a loop that unsuspends the
// next one whenever one finishes. Both runs check themselves: every Job finished, every
// task Succeeded, and our watch never saw more than maxWorkers Jobs admitted at once.
import type { V1Job } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../src/api/common.js';
import { buildJob } from '../src/jobs/build.js';
import type { KubeClients } from '../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, eventuallyGone, testClients } from '../test/integration/support/cluster.js';
import { JobTimes } from './jobTimes.js';
import { type ApiserverProfile, apiserverProfileSeconds, fetchApiserverProfile, summarizeApiserverProfile } from './apiserverProfile.js';
import { apiserverPid, cpuMsOf, settleProcess } from './proc.js';
import { bounded, createTasks, RawApi } from './rawApi.js';
import { withStage } from './stage.js';

export interface DrainPlan { tasks: number; maxWorkers: number }

export interface DrainRun {
  who: 'syncpool' | 'oracle';
  /** Queue let go → last Job seen finished. */
  ms: number;
  peakBusy: number;
  meanBusy: number;
  /** kube-apiserver's CPU over the drain. */
  apiserverCpuMs: number;
  /** The operator's CPU over the drain (syncpool only). */
  operatorCpuMs?: number;
  /** Where the API server's CPU went early in the drain (SYNCPOOL_BENCH_APISERVER_PROFILE). */
  apiserverProfile?: ApiserverProfile;
}

const POOL = 'drain';
const RUN_AT_ONCE = { 'testbed.syncpool.dev/run-for': '0s' };
const LOAD_CONCURRENCY = 16;

function server(kube: KubeClients): string {
  return kube.config.getCurrentCluster()!.server;
}

/** Waits until our watch saw every Job finish; resolves with when the last one did. */
export async function lastFinish(times: JobTimes, count: number, timeoutMs: number): Promise<number> {
  await eventually(`${count} Jobs finished`, async () => (times.finishedAt.size >= count ? true : undefined), { timeoutMs, intervalMs: 50 });
  return Math.max(...times.finishedAt.values());
}

/**
 * Starts the API server's CPU profile at the drain's start, if asked; `finish` waits for
 * it, saves it and sums it over the tasks our watch saw finish inside its window.
 */
function profileDrain(kube: KubeClients, who: DrainRun['who'], times: JobTimes, t0: number): { finish(): Promise<ApiserverProfile | undefined> } {
  const seconds = apiserverProfileSeconds();
  const profile = seconds > 0 ? fetchApiserverProfile(kube, seconds) : undefined;
  profile?.catch(() => undefined); // awaited in finish(); not an unhandled rejection meanwhile
  return {
    async finish() {
      if (!profile) return undefined;
      const end = t0 + seconds * 1000;
      const finished = [...times.finishedAt.values()].filter((t) => t >= t0 && t <= end).length;
      const file = `bench/results/partial-apiserver-${who}-${new Date(t0).toISOString().replace(/[:.]/g, '')}.pprof`;
      return summarizeApiserverProfile(await profile, file, seconds, finished);
    },
  };
}

export function verifyCap(who: string, times: JobTimes, plan: DrainPlan): void {
  if (times.peakActive > plan.maxWorkers) {
    throw new Error(`${who}: ${times.peakActive} Jobs admitted at once, over maxWorkers ${plan.maxWorkers}`);
  }
}

export async function syncpoolDrain(plan: DrainPlan, timeoutMs: number): Promise<DrainRun> {
  const kube = testClients();
  const pid = apiserverPid(server(kube));
  return withStage('bench-drain', {
    measuredPools: [POOL],
    setup: async (_kube, api) => { await api.createPool(POOL, { maxWorkers: plan.maxWorkers, paused: true }, '0s'); },
  }, async ({ api, ns, times, operator }) => {
    await createTasks(kube, ns, plan.tasks, LOAD_CONCURRENCY, (i) => ({ name: `d-${i}`, spec: { pool: POOL, source: 'hubspot', syncType: `s${i}` } }));
    await api.waitForAll(['Queued'], plan.tasks, timeoutMs);
    await operator.settle();
    await settleProcess(() => pid);
    const cpu0 = cpuMsOf(pid);
    const op0 = operator.cpuMs();
    times.startOccupancy();
    const t0 = Date.now();
    const profile = profileDrain(kube, 'syncpool', times, t0);
    await api.patchPool(POOL, { paused: false });
    const t1 = await lastFinish(times, plan.tasks, timeoutMs);
    const run: DrainRun = {
      who: 'syncpool', ms: t1 - t0, peakBusy: times.peakActive, meanBusy: times.meanActive(t1),
      apiserverCpuMs: cpuMsOf(pid) - cpu0, operatorCpuMs: operator.cpuMs() - op0,
      apiserverProfile: await profile.finish(),
    };
    verifyCap('syncpool', times, plan);
    await api.waitForAll(['Succeeded'], plan.tasks, timeoutMs);
    return run;
  });
}

function oracleJob(namespace: string, i: number, enqueuedAt: string): V1Job {
  const job = buildJob({
    task: { namespace, name: `o-${i}`, uid: `oracle-${i}`, apiVersion: `${GROUP}/${VERSION}`, kind: 'SyncTask', spec: { pool: POOL, source: 'hubspot', syncType: `s${i}` } },
    pool: { spec: { template: { image: 'registry.example/sync:1', annotations: RUN_AT_ONCE } } },
    attempt: 1, enqueuedAt, heartbeatUrl: 'http://127.0.0.1:9/api/v1/heartbeat',
  });
  // No task behind it: an owner reference to a missing one would have it collected.
  delete job.metadata!.ownerReferences;
  return job;
}

/**
 * The same Jobs as syncpool's, created suspended; then a loop that keeps maxWorkers of
 * them unsuspended: the fastest any admission controller could go on this control plane.
 */
export async function oracleDrain(plan: DrainPlan, timeoutMs: number): Promise<DrainRun> {
  const kube = testClients();
  const pid = apiserverPid(server(kube));
  const ns = await createTestNamespace(kube, 'bench-oracle');
  const times = new JobTimes(kube, ns, [POOL]);
  const raw = await RawApi.connect(kube, Math.max(LOAD_CONCURRENCY, plan.maxWorkers));
  const jobs = `/apis/batch/v1/namespaces/${ns}/jobs`;
  try {
    await times.start();
    const names: string[] = [];
    const base = Date.now() - 60_000;
    await bounded(plan.tasks, LOAD_CONCURRENCY, async (i) => {
      const job = oracleJob(ns, i, new Date(base + i).toISOString());
      const res = await raw.call('POST', jobs, job);
      if (res.status !== 201) throw new Error(`create Job ${job.metadata!.name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      names[i] = job.metadata!.name!;
    });
    await settleProcess(() => pid);
    const cpu0 = cpuMsOf(pid);
    let next = 0;
    let failed: Error | undefined;
    const admitNext = () => {
      if (next >= names.length) return;
      const name = names[next++]!;
      raw.call('PATCH', `${jobs}/${name}`, { spec: { suspend: false } }, 'application/merge-patch+json').then((res) => {
        if (res.status !== 200) failed ??= new Error(`unsuspend ${name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      }, (err: Error) => { failed ??= err; });
    };
    times.onFinished = admitNext;
    times.startOccupancy();
    const t0 = Date.now();
    const profile = profileDrain(kube, 'oracle', times, t0);
    for (let i = 0; i < plan.maxWorkers; i++) admitNext();
    const t1 = await lastFinish(times, plan.tasks, timeoutMs);
    if (failed) throw failed;
    const run: DrainRun = {
      who: 'oracle', ms: t1 - t0, peakBusy: times.peakActive, meanBusy: times.meanActive(t1), apiserverCpuMs: cpuMsOf(pid) - cpu0,
      apiserverProfile: await profile.finish(),
    };
    verifyCap('oracle', times, plan);
    return run;
  } finally {
    times.stop();
    raw.close();
    await deleteNamespace(kube, ns);
    await eventuallyGone(`namespace ${ns}`, () => kube.core.readNamespace({ name: ns }), { timeoutMs: 300_000, intervalMs: 500 });
  }
}
