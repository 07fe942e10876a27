// Latency as a user feels it, measured from outside the operator: our own API calls
// and our own watch, never the operator's logs.
import { eventually } from '../test/integration/support/cluster.js';
import { startSyncpool } from '../test/integration/support/fixture.js';
import type { JobWatcher } from '../test/integration/support/jobWatcher.js';
import type { SyncpoolApi } from '../test/integration/support/syncpool.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(name: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `${name}: n=${s.length} p50=${quantile(s, 0.5)} ms p90=${quantile(s, 0.9)} ms p99=${quantile(s, 0.99)} ms max=${s.at(-1)} ms`;
}

export async function withOperator<T>(prefix: string, fn: (api: SyncpoolApi, jobs: JobWatcher) => Promise<T>): Promise<T> {
  const stage = await startSyncpool(prefix);
  try {
    await eventually('operator leads and synced', async () => ((await stage.operator.readyz()).startsWith('200 leader') ? true : undefined));
    return await fn(stage.api, stage.jobs);
  } finally {
    // Wait the namespace out, so its deletion's API traffic stays out of the next measurement.
    await stage.stop({ waitForNamespace: true });
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
