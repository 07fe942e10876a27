// The cap invariant through crashes and leader changes: an operator SIGKILLed in the
// middle of a drain, and two replicas where only the Lease holder admits.
import type { V1Lease } from '@kubernetes/client-node';
import type { KubeClients } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, testClients } from '../support/cluster.js';
import { applyCrds } from '../../../src/api/install.js';
import { JobWatcher } from '../support/jobWatcher.js';
import { OperatorProcess } from '../support/operator.js';
import { SyncpoolApi } from '../support/syncpool.js';

let kube: KubeClients;
const cleanup: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  kube = testClients();
  await applyCrds(kube);
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(prefix: string): Promise<{ ns: string; api: SyncpoolApi; jobs: JobWatcher }> {
  const ns = await createTestNamespace(kube, prefix);
  cleanup.push(() => deleteNamespace(kube, ns));
  const jobs = new JobWatcher(kube, ns);
  await jobs.start();
  cleanup.push(() => jobs.stop());
  return { ns, api: new SyncpoolApi(kube, ns), jobs };
}

async function leaseHolder(ns: string): Promise<string | undefined> {
  const lease: V1Lease = await kube.coordination.readNamespacedLease({ namespace: ns, name: 'syncpool-operator' });
  return lease.spec?.holderIdentity ?? undefined;
}

test('an operator SIGKILLed mid-drain and restarted: no duplicate Jobs, cap held, every task finishes', async () => {
  const { ns, api, jobs } = await setup('crash');
  await api.createPool('drain', { maxWorkers: 3 }, '2s');
  for (let i = 0; i < 15; i++) await api.createTask(`t-${String(i).padStart(2, '0')}`, { pool: 'drain', syncType: `s${i}` });

  let op = await OperatorProcess.start({ namespace: ns, identity: 'crash-1' });
  cleanup.push(() => op.stop());
  await eventually('some tasks done', async () => (jobs.finishedAt.size >= 4 ? true : undefined), { timeoutMs: 60_000 });
  await op.kill();
  // Restarted at once: the Lease still names the dead process, so it waits out the
  // lease (15 s) before admitting anything.
  op = await OperatorProcess.start({ namespace: ns, identity: 'crash-2' });
  cleanup.push(() => op.stop());

  await api.waitForAll(['Succeeded'], 15, 150_000);
  expect(jobs.peak.get('drain')).toBeLessThanOrEqual(3);
  for (const [task, names] of jobs.jobsPerTask()) expect([task, names]).toEqual([task, [`${task}-1`]]);
  expect(jobs.jobsPerTask().size).toBe(15);
});

test('two replicas: only the leader admits; killing it hands over within 20 s', async () => {
  const { ns, api, jobs } = await setup('ha');
  const a = await OperatorProcess.start({ namespace: ns, identity: 'replica-a' });
  cleanup.push(() => a.stop());
  await eventually('replica-a leads', async () => ((await leaseHolder(ns)) === 'replica-a' ? true : undefined));
  const b = await OperatorProcess.start({ namespace: ns, identity: 'replica-b' });
  cleanup.push(() => b.stop());
  expect(await b.readyz()).toBe('200 standby');

  await api.createPool('ha', { maxWorkers: 2 }, '1s');
  for (let i = 0; i < 4; i++) await api.createTask(`before-${i}`, { pool: 'ha', syncType: `b${i}` });
  await api.waitForAll(['Succeeded'], 4, 60_000);
  // The standby never started controllers: it logged no admission or task transition.
  expect(b.logs.filter((l) => l.includes('task '))).toEqual([]);

  const killedAt = Date.now();
  await a.kill();
  await eventually('replica-b leads', async () => ((await leaseHolder(ns)) === 'replica-b' ? true : undefined), { timeoutMs: 25_000, intervalMs: 250 });
  const takeoverMs = Date.now() - killedAt;
  process.stderr.write(`leader SIGKILLed → standby holds the lease after ${takeoverMs} ms\n`);
  expect(takeoverMs).toBeLessThan(20_000);

  await api.createTask('after', { pool: 'ha', syncType: 'after' });
  await api.waitForPhase('after', 'Succeeded', 60_000);
  expect(jobs.peak.get('ha')).toBeLessThanOrEqual(2);
});
