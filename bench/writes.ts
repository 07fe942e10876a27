// How many API writes the operator makes per task, and whether that grows with the
// queue: counted by kube-apiserver itself (apiserver_request_total), not by us.
import type { KubeClients } from '../src/kube/client.js';
import { testClients } from '../test/integration/support/cluster.js';
import type { SyncpoolApi } from '../test/integration/support/syncpool.js';
import { delta, scrape, total } from './apiserverMetrics.js';
import { withStage } from './stage.js';

// The operator's writes: task and pool status, Job create/admit/delete. The
// benchmark's own writes (creating tasks, unpausing) and the Job controller's status
// updates are other verbs or subresources and are left out.
export const OPERATOR_WRITES = [
  ['PATCH', 'synctasks', 'status'], ['PATCH', 'workerpools', 'status'],
  ['POST', 'jobs', ''], ['PATCH', 'jobs', ''], ['DELETE', 'jobs', ''],
] as const;

async function writesFor(tasks: number): Promise<Record<string, number>> {
  const kube = testClients();
  const setup = async (_kube: KubeClients, api: SyncpoolApi) => {
    await api.createPool('w', { maxWorkers: 3, paused: true }, '0s');
  };
  return withStage(`bench-writes-${tasks}`, { measuredPools: ['w'], setup }, async ({ api }) => {
    for (let i = 0; i < tasks; i++) await api.createTask(`w-${i}`, { pool: 'w', syncType: `s${i}` });
    await api.waitForAll(['Queued'], tasks, 120_000);
    const before = await scrape(kube);
    await api.patchPool('w', { paused: false });
    await api.waitForAll(['Succeeded'], tasks, 600_000);
    const after = await scrape(kube);
    const perKind: Record<string, number> = {};
    for (const [verb, resource, sub] of OPERATOR_WRITES) {
      perKind[`${verb} ${resource}${sub ? `/${sub}` : ''}`] = total(delta(before, after, verb, resource, sub));
    }
    return perKind;
  });
}

/** Writes from unpausing a full queue until it drained, per task, for two queue lengths. */
export async function writesPerTask(small: number, large: number): Promise<string> {
  const lines: string[] = [];
  for (const n of [small, large]) {
    const w = await writesFor(n);
    const total = Object.values(w).reduce((a, b) => a + b, 0);
    lines.push(`operator API writes while draining ${n} queued tasks (maxWorkers 3): ${(total / n).toFixed(2)} per task; ` +
      Object.entries(w).map(([k, v]) => `${k} ${(v / n).toFixed(2)}`).join(', '));
  }
  return lines.join('\n');
}
