// Latency as a user feels it, measured from outside the operator: our own API calls
// and our own watch, never the operator's logs.
import { testClients, createTestNamespace, deleteNamespace, eventually } from '../test/integration/support/cluster.js';
import { applyCrds } from '../src/api/install.js';
import { JobWatcher } from '../test/integration/support/jobWatcher.js';
import { OperatorProcess } from '../test/integration/support/operator.js';
import { SyncpoolApi } from '../test/integration/support/syncpool.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `${name}: n=${s.length} p50=${quantile(s, 0.5)} ms p90=${quantile(s, 0.9)} ms p99=${quantile(s, 0.99)} ms max=${s.at(-1)} ms`;
}

export async function withOperator<T>(prefix: string, fn: (api: SyncpoolApi, jobs: JobWatcher) => Promise<T>): Promise<T> {
  const kube = testClients();
  await applyCrds(kube);
  const ns = await createTestNamespace(kube, prefix);
  const jobs = new JobWatcher(kube, ns);
  await jobs.start();
  const op = await OperatorProcess.start({ namespace: ns, identity: `${prefix}-bench` });
  try {
    await eventually('operator leads and synced', async () => ((await op.readyz()).startsWith('200 leader') ? true : undefined));
    return await fn(new SyncpoolApi(kube, ns), jobs);
  } finally {
    jobs.stop();
    await op.stop();
    await deleteNamespace(kube, ns);
    // Wait it out, so its deletion's API traffic does not land in the next measurement.
    await eventually(`namespace ${ns} gone`, async () => kube.core.readNamespace({ name: ns }).then(() => undefined, () => true),
      { timeoutMs: 180_000, intervalMs: 500 });
  }
}

/** Task created while the pool has free slots → its Job seen unsuspended. One at a time. */
export function admissionLatency(samples: number): Promise<string> {
  return withOperator('bench-admit', async (api, jobs) => {
    await api.createPool('free', { maxWorkers: 1000 }, '0s');
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const name = `a-${i}`;
      const t0 = Date.now();
      await api.createTask(name, { pool: 'free', syncType: `s${i}` });
      const at = await eventually(`${name} admitted`, async () => jobs.admittedAt.get(`${name}-1`), { intervalMs: 2 });
      ms.push(at - t0);
    }
    return summary('admission latency (SyncTask created, free slot → Job unsuspended)', ms);
  });
}

/** maxWorkers 1, a queue of instant syncs: previous Job seen finished → next Job seen unsuspended. */
export function refillLatency(samples: number): Promise<string> {
  return withOperator('bench-refill', async (api, jobs) => {
    await api.createPool('one', { maxWorkers: 1, paused: true }, '0s');
    for (let i = 0; i <= samples; i++) await api.createTask(`r-${String(i).padStart(3, '0')}`, { pool: 'one', syncType: `s${i}` });
    await api.waitForAll(['Queued'], samples + 1, 120_000);
    await api.patchPool('one', { paused: false });
    await api.waitForAll(['Succeeded'], samples + 1, 600_000);
    const order = jobs.admitted;
    const ms = order.slice(1).map((job, i) => jobs.admittedAt.get(job)! - jobs.finishedAt.get(order[i]!)!);
    return summary('slot-refill latency (Job finished → next Job unsuspended, maxWorkers 1)', ms);
  });
}
