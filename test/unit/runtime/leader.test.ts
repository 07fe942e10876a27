// Leader election against an in-memory Lease store with the API server's optimistic
// concurrency (resourceVersion, 409), on a fake clock: the timing rules that keep two
// replicas from ever admitting at once.
import { ApiException, type V1Lease } from '@kubernetes/client-node';
import { LeaderElector, type LeaderElectorOptions } from '../../../src/runtime/leader.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { FakeClock } from './fakeClock.js';

const clone = (lease: V1Lease): V1Lease => JSON.parse(JSON.stringify(lease)) as V1Lease;

class FakeLeases {
  lease?: V1Lease;
  calls = 0;
  /** Makes every call from now on fail (500) or never answer. */
  breakage?: 'fail' | 'hang';
  private rv = 0;

  readonly clients = {
    coordination: {
      readNamespacedLease: () => this.call(() => {
        if (!this.lease) throw new ApiException(404, 'not found', {}, {});
        return clone(this.lease);
      }),
      createNamespacedLease: ({ body }: { body: V1Lease }) => this.call(() => {
        if (this.lease) throw new ApiException(409, 'exists', {}, {});
        return this.store(body);
      }),
      replaceNamespacedLease: ({ body }: { body: V1Lease }) => this.call(() => {
        if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw new ApiException(409, 'conflict', {}, {});
        return this.store(body);
      }),
    },
  } as unknown as KubeClients;

  /** Another replica writes the lease (a renew, or a forced takeover). */
  write(holder: string, renewTime = '2000-01-01T00:00:00.000000Z'): void {
    this.store({ metadata: { name: 'l' }, spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: renewTime as never } });
  }

  private store(body: V1Lease): V1Lease {
    this.lease = clone({ ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } });
    return clone(this.lease);
  }

  private async call<T>(fn: () => T): Promise<T> {
    this.calls++;
    if (this.breakage === 'hang') return new Promise<T>(() => {});
    if (this.breakage === 'fail') throw new ApiException(500, 'etcd unavailable', {}, {});
    return fn();
  }
}

function elector(store: FakeLeases, clock: FakeClock, identity: string, over: Partial<LeaderElectorOptions> = {}) {
  const events: string[] = [];
  const e = new LeaderElector({
    clients: store.clients, namespace: 'ns', name: 'l', identity, clock, random: () => 1,
    onStartedLeading: () => events.push(`started@${clock.now()}`),
    onStoppedLeading: () => events.push(`stopped@${clock.now()}`),
    onNewLeader: (who) => events.push(`leader=${who}`),
    ...over,
  });
  return { e, events };
}

test('an absent lease is created and then renewed every retry period', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const { e, events } = elector(store, clock, 'a');
  e.start();
  await clock.advance(0);
  expect(e.isLeader()).toBe(true);
  expect(events).toEqual(['leader=a', 'started@0']);
  expect(store.lease?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
  expect(store.lease?.spec?.renewTime).toMatch(/\.\d{6}Z$/); // MicroTime, as the API server requires
  const rv = Number(store.lease?.metadata?.resourceVersion);
  await clock.advance(10_000);
  expect(Number(store.lease?.metadata?.resourceVersion)).toBe(rv + 5);
  await e.stop();
});

test('a standby takes an unrenewed lease after leaseDuration on its own clock, whatever the holder wrote', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  store.write('old'); // renewTime in the year 2000: expired if we trusted the holder's clock
  const { e, events } = elector(store, clock, 'b');
  e.start();
  await clock.advance(14_000);
  expect(e.isLeader()).toBe(false);
  // Attempts every 2.4 s (retry period with full jitter): the first at or after 15 s wins.
  await clock.advance(3_000);
  expect(e.isLeader()).toBe(true);
  expect(events).toEqual(['leader=old', 'leader=b', 'started@16800']);
  expect(store.lease?.spec?.leaseTransitions).toBe(1);
  await e.stop();
});

test('a standby never takes a lease its holder keeps renewing', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const { e } = elector(store, clock, 'b');
  store.write('old');
  e.start();
  for (let t = 0; t < 60; t++) {
    await clock.advance(1_000);
    store.write('old');
  }
  expect(e.isLeader()).toBe(false);
  await e.stop();
});

test.each(['fail', 'hang'] as const)('a leader whose renews %s stops leading at renewDeadline, before any standby could take over', async (breakage) => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const { e, events } = elector(store, clock, 'a');
  e.start();
  await clock.advance(5_000); // renewed at 0, 2 and 4 s
  store.breakage = breakage;
  await clock.advance(20_000);
  expect(events).toEqual(['leader=a', 'started@0', 'stopped@14000']); // 10 s after the last successful renew began
  expect(e.isLeader()).toBe(false);
  const calls = store.calls;
  await clock.advance(20_000);
  expect(store.calls).toBe(calls); // it does not compete again: the process is meant to exit
  await e.stop();
  expect(events.filter((x) => x.startsWith('stopped'))).toHaveLength(1);
});

test('a leader that finds another holder on the lease steps down at once', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const { e, events } = elector(store, clock, 'a');
  e.start();
  await clock.advance(1_000);
  store.write('intruder');
  await clock.advance(1_000);
  expect(e.isLeader()).toBe(false);
  expect(events).toEqual(['leader=a', 'started@0', 'leader=intruder', 'stopped@2000']);
});

test('two electors on one lease: exactly one leads, the other observes it', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const a = elector(store, clock, 'a');
  const b = elector(store, clock, 'b');
  a.e.start();
  b.e.start();
  for (let t = 0; t < 60; t++) {
    await clock.advance(1_000);
    expect([a.e.isLeader(), b.e.isLeader()].filter(Boolean)).toHaveLength(1);
  }
  const leader = a.e.isLeader() ? 'a' : 'b';
  expect(store.lease?.spec?.holderIdentity).toBe(leader);
  expect(a.e.leader()).toBe(leader);
  expect(b.e.leader()).toBe(leader);
  await a.e.stop();
  await b.e.stop();
});

test('stop with release empties the lease so the standby takes over at its next attempt', async () => {
  const clock = new FakeClock();
  const store = new FakeLeases();
  const a = elector(store, clock, 'a');
  a.e.start();
  await clock.advance(0);
  const b = elector(store, clock, 'b');
  b.e.start();
  await clock.advance(5_000);
  await a.e.stop({ release: true });
  expect(a.events.at(-1)).toBe('stopped@5000');
  expect(store.lease?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  await clock.advance(2_400);
  expect(b.e.isLeader()).toBe(true);
  await b.e.stop();
});

test('timings that could let leaderships overlap are refused', () => {
  const store = new FakeLeases();
  expect(() => elector(store, new FakeClock(), 'a', { leaseDurationSeconds: 10, renewDeadlineSeconds: 10 })).toThrow(/leaseDuration > renewDeadline/);
  expect(() => elector(store, new FakeClock(), 'a', { renewDeadlineSeconds: 2, retryPeriodSeconds: 2 })).toThrow();
});
