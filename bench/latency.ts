// Latency as a user feels it, measured from outside the operator: our own API calls
// and our own watch, never the operator's logs. One scenario = one namespace and one
// operator: admission latency, then slot-refill latency, optionally beside a crowd.
import type { SyncTask } from '../src/api/types.js';
import { eventually } from '../test/integration/support/cluster.js';
import type { SyncpoolApi } from '../test/integration/support/syncpool.js';
import { type CrowdLoad, loadCrowd } from './crowd.js';
import { type BenchStage, withStage } from './stage.js';
import { type Percentiles, percentiles } from './stats.js';

const FREE = 'free';
const ONE = 'one';

export interface ScenarioResult {
  /** From the task's create answered (the task exists) to its Job seen unsuspended. */
  admission: Percentiles;
  /** The same, from the create request sent: includes the API server storing the task. */
  admissionFromRequest: Percentiles;
  /** The task create's own round trip, the difference between the two. */
  taskCreate: Percentiles;
  refill: Percentiles;
  crowd?: CrowdLoad;
  /** Operator start → caches synced and idle. */
  settleMs: number;
  rssSettled: number;
  rssEnd: number;
}

export interface Crowd { finished: number; queued: number }

interface AdmissionSample { fromAnswer: number; fromRequest: number; create: number }

/**
 * Task created while the pool has free slots → its Job seen unsuspended. One at a time.
 * Measured from the create's answer, when the task exists (as Kubernetes measures pod
 * startup from the pod's creation, not from the client's request); the request's own
 * round trip, the API server storing the task, is reported beside it.
 */
async function admission({ api, times }: BenchStage, samples: number): Promise<AdmissionSample[]> {
  const out: AdmissionSample[] = [];
  for (let i = 0; i < samples; i++) {
    const name = `a-${i}`;
    const requested = Date.now();
    await api.createTask(name, { pool: FREE, syncType: `s${i}` });
    const answered = Date.now();
    const at = await eventually(`${name} admitted`, async () => times.admittedAt.get(`${name}-1`), { intervalMs: 1 });
    // The watch may show the Job before our own client has read the create's answer.
    out.push({ fromAnswer: Math.max(0, at - answered), fromRequest: at - requested, create: answered - requested });
  }
  return out;
}

/** Resolves when every task whose name starts with `prefix` is in `phase`. */
function allIn(api: SyncpoolApi, prefix: string, count: number, phase: string, timeoutMs: number): Promise<SyncTask[]> {
  return eventually(`${count} ${prefix}* tasks ${phase}`, async () => {
    const mine = (await api.tasks()).filter((t) => t.metadata.name!.startsWith(prefix));
    return mine.length === count && mine.every((t) => t.status?.phase === phase) ? mine : undefined;
  }, { timeoutMs, intervalMs: 500 });
}

/** maxWorkers 1, a queue of instant syncs: previous Job seen finished → next Job seen unsuspended. */
async function refill({ api, times }: BenchStage, samples: number): Promise<number[]> {
  const names = Array.from({ length: samples + 1 }, (_, i) => `r-${String(i).padStart(3, '0')}`);
  for (const [i, name] of names.entries()) await api.createTask(name, { pool: ONE, syncType: `s${i}` });
  await allIn(api, 'r-', names.length, 'Queued', 120_000);
  await api.patchPool(ONE, { paused: false });
  await allIn(api, 'r-', names.length, 'Succeeded', 600_000);
  const order = names.map((n) => `${n}-1`).sort((a, b) => times.admittedAt.get(a)! - times.admittedAt.get(b)!);
  return order.slice(1).map((job, i) => times.admittedAt.get(job)! - times.finishedAt.get(order[i]!)!);
}

/**
 * One namespace, one operator: pool `free` (maxWorkers 1000) for admission, pool `one`
 * (maxWorkers 1, paused until its queue is full) for refill, and the crowd if asked,
 * loaded before the operator starts so that it is measured settled, not catching up.
 */
export function scenario(prefix: string, samples: { admissions: number; refills: number }, crowd: Crowd | undefined, waitForNamespace: boolean): Promise<ScenarioResult> {
  let load: CrowdLoad | undefined;
  return withStage(prefix, {
    measuredPools: [FREE, ONE],
    waitForNamespace,
    setup: async (kube, api, ns) => {
      await api.createPool(FREE, { maxWorkers: 1000 }, '0s');
      await api.createPool(ONE, { maxWorkers: 1, paused: true }, '0s');
      if (crowd) load = await loadCrowd(kube, api, ns, { ...crowd, measuredPools: [FREE, ONE] });
    },
  }, async (stage) => {
    const rssSettled = stage.operator.rssBytes();
    const a = await admission(stage, samples.admissions);
    const r = await refill(stage, samples.refills);
    return {
      admission: percentiles(a.map((x) => x.fromAnswer)), admissionFromRequest: percentiles(a.map((x) => x.fromRequest)),
      taskCreate: percentiles(a.map((x) => x.create)), refill: percentiles(r), crowd: load,
      settleMs: stage.settleMs, rssSettled, rssEnd: stage.operator.rssBytes(),
    };
  });
}
