// Leader election on a real Lease with the default timings (lease 15 s, renew deadline
// 10 s, retry 2 s): one leader at a time, a fast handover on shutdown, a takeover
// within 20 s of a crash, and a cut-off leader that steps down before anyone takes over.
import { LeaderElector, type LeaderElectorOptions } from '../../../src/runtime/leader.js';
import { type KubeClients, makeClients } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, testClients } from '../support/cluster.js';
import { FlakyProxy } from './proxy.js';

let kube: KubeClients;
let ns: string;
const running: LeaderElector[] = [];

beforeAll(async () => {
  kube = testClients();
  ns = await createTestNamespace(kube, 'leader');
});
afterEach(async () => { for (const e of running.splice(0)) await e.stop(); });
afterAll(() => deleteNamespace(kube, ns));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Replica {
  readonly elector: LeaderElector;
  startedAt?: number;
  stoppedAt?: number;
  /** Every holder this replica observed, in order. */
  readonly leaders: string[] = [];

  constructor(lease: string, readonly identity: string, over: Partial<LeaderElectorOptions> = {}) {
    this.elector = new LeaderElector({
      clients: kube, namespace: ns, name: lease, identity,
      onStartedLeading: () => { this.startedAt = Date.now(); },
      onStoppedLeading: () => { this.stoppedAt = Date.now(); },
      onNewLeader: (who) => this.leaders.push(who),
      ...over,
    });
    this.elector.start();
    running.push(this.elector);
  }
}

const replica = (lease: string, identity: string, over: Partial<LeaderElectorOptions> = {}) => new Replica(lease, identity, over);

const holder = async (lease: string) => (await kube.coordination.readNamespacedLease({ namespace: ns, name: lease })).spec?.holderIdentity;

async function leaderOf(...replicas: Replica[]): Promise<Replica> {
  return eventually('a leader', async () => replicas.find((r) => r.elector.isLeader()), { timeoutMs: 20_000, intervalMs: 50 });
}

async function pair(lease: string) {
  const a = replica(lease, 'replica-a');
  const b = replica(lease, 'replica-b');
  const leader = await leaderOf(a, b);
  return { leader, standby: leader === a ? b : a };
}

test('of two replicas on one Lease exactly one leads, and both know which', async () => {
  const { leader, standby } = await pair('one-leader');
  for (let i = 0; i < 25; i++) { // 5 s: a couple of renew cycles
    expect([leader, standby].filter((r) => r.elector.isLeader())).toEqual([leader]);
    await sleep(200);
  }
  expect(await holder('one-leader')).toBe(leader.identity);
  expect(standby.leaders.at(-1)).toBe(leader.identity);
  expect(standby.startedAt).toBeUndefined();
});

test('a leader that shuts down and releases the Lease is replaced within 3 s', async () => {
  const { leader, standby } = await pair('release');
  await sleep(1_000);
  const stopAt = Date.now();
  await leader.elector.stop({ release: true });
  expect(leader.stoppedAt).toBeDefined();
  await eventually('standby leads', async () => standby.startedAt, { timeoutMs: 5_000, intervalMs: 20 });
  const takeover = standby.startedAt! - stopAt;
  process.stderr.write(`\nleader takeover after a graceful release: ${takeover} ms\n`);
  expect(takeover).toBeLessThan(3_000);
  expect(await holder('release')).toBe(standby.identity);
});

test('a leader that crashes (no release) is replaced within 20 s, not before its lease ran out', async () => {
  const { leader, standby } = await pair('crash');
  await sleep(1_000);
  const crashAt = Date.now();
  await leader.elector.stop(); // stops renewing and leaves the Lease as it is, like a killed process
  await eventually('standby leads', async () => standby.startedAt, { timeoutMs: 25_000, intervalMs: 50 });
  const takeover = standby.startedAt! - crashAt;
  process.stderr.write(`\nleader takeover after a crash: ${takeover} ms (lease duration 15 s)\n`);
  expect(takeover).toBeLessThan(20_000);
  // The last renew was at most a retry period (2 s) before the crash.
  expect(takeover).toBeGreaterThan(12_000);
});

test('a leader cut off from the API server steps down before the standby takes over', async () => {
  const proxy = await FlakyProxy.start(new URL(kube.config.getCurrentCluster()!.server));
  try {
    const cutOff = replica('partition', 'replica-cut', { clients: makeClients(proxy.kubeconfig(process.env.SYNCPOOL_TEST_KUBECONFIG!)) });
    await leaderOf(cutOff);
    const standby = replica('partition', 'replica-b');
    await sleep(3_000);
    const cutAt = Date.now();
    proxy.down();
    await eventually('standby leads', async () => standby.startedAt, { timeoutMs: 25_000, intervalMs: 50 });
    process.stderr.write(`\npartitioned leader stepped down after ${cutOff.stoppedAt! - cutAt} ms; standby led after ${standby.startedAt! - cutAt} ms\n`);
    expect(cutOff.stoppedAt).toBeDefined();
    expect(cutOff.stoppedAt!).toBeLessThan(standby.startedAt!); // never two leaders
    expect(cutOff.stoppedAt! - cutAt).toBeLessThanOrEqual(10_500);
    expect(standby.startedAt! - cutAt).toBeLessThan(20_000);
  } finally {
    await proxy.close();
  }
});
