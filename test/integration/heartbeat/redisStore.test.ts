// The Redis heartbeat store against a real redis-server, as two operator replicas would
// use it: what the reader of heartbeats sees when Redis is flushed, crashes and comes
// back empty, is stopped, or freezes. The rule under test: a heartbeat Redis may have
// lost is never read as missing before completeSinceMs has moved past the loss.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RedisHeartbeatStore } from '../../../src/heartbeat/redisStore.js';
import { openHeartbeatStore } from '../../../src/heartbeat/stores.js';
import type { Logger } from '../../../src/runtime/clock.js';
import { eventually } from '../support/cluster.js';
import { RedisServer } from '../support/redis.js';

const PASSWORD = `secret-${randomUUID()}`;
const FAST = 1_000; // what "answers at once" means while Redis is down
let redis: RedisServer;
const logged: string[] = [];
const log: Logger = {
  debug: (msg, meta) => logged.push(`debug ${msg} ${JSON.stringify(meta ?? {})}`),
  info: (msg, meta) => logged.push(`info ${msg} ${JSON.stringify(meta ?? {})}`),
  warn: (msg, meta) => logged.push(`warn ${msg} ${JSON.stringify(meta ?? {})}`),
  error: (msg, meta) => logged.push(`error ${msg} ${JSON.stringify(meta ?? {})}`),
};
const opened: RedisHeartbeatStore[] = [];

beforeAll(async () => {
  redis = await RedisServer.start(PASSWORD);
});

afterAll(async () => {
  await redis?.dispose();
});

beforeEach(async () => {
  // A test that failed half-way may have left Redis frozen or stopped.
  redis.resume();
  if (!redis.running) await redis.restart();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  const leaked = logged.filter((line) => line.includes(PASSWORD));
  logged.length = 0;
  expect(leaked).toEqual([]);
});

/** `n` replicas' stores on one Redis, connected; keys under a prefix of this test's own. */
async function replicas(n: number): Promise<{ stores: RedisHeartbeatStore[]; prefix: string }> {
  const prefix = `test-${randomUUID().slice(0, 8)}:`;
  const stores = Array.from({ length: n }, () => new RedisHeartbeatStore({ url: redis.url, now: Date.now, log, keyPrefix: prefix }));
  opened.push(...stores);
  await allConnected(stores);
  return { stores, prefix };
}

const allConnected = (stores: RedisHeartbeatStore[]) =>
  eventually('every replica connected to Redis', async () => stores.every((s) => s.health().ok) || undefined, { timeoutMs: 15_000, intervalMs: 20 });

/** Now, strictly later than `ms`: so "moved forward" cannot pass by landing on the same millisecond. */
async function after(ms: number): Promise<number> {
  return eventually('the clock ticks', async () => (Date.now() > ms ? Date.now() : undefined), { intervalMs: 2 });
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await call();
  return { value, ms: performance.now() - start };
}

test('a heartbeat received by one replica is read by the other, until the run is forgotten', async () => {
  const { stores: [a, b], prefix } = await replicas(2);
  const run = randomUUID();
  const at = Date.now();
  await a!.record(run, at);
  expect((await b!.read(run)).lastMs).toBe(at);
  // Kept in Redis no longer than the ttl, so a run whose forget() never came expires.
  const pttl = await redis.withClient((c) => c.pttl(`${prefix}${run}`));
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(24 * 60 * 60 * 1000);

  await b!.record(run, at + 1_000);
  expect((await a!.read(run)).lastMs).toBe(at + 1_000);
  await a!.forget(run);
  expect((await a!.read(run)).lastMs).toBeUndefined();
  expect(await redis.withClient((c) => c.exists(`${prefix}${run}`))).toBe(0);
});

test('after FLUSHALL the next read moves completeSinceMs to now on both replicas, so nothing looks stale', async () => {
  const { stores: [a, b], prefix } = await replicas(2);
  const run = randomUUID();
  const at = Date.now();
  await a!.record(run, at);
  const before = await after((await b!.read(run)).completeSinceMs);

  await redis.flushAll();
  const seenByB = await b!.read(run);
  expect(seenByB.lastMs).toBeUndefined(); // it was only in Redis, as far as b knows
  expect(seenByB.completeSinceMs).toBeGreaterThanOrEqual(before);
  expect(seenByB.completeSinceMs).toBeLessThanOrEqual(Date.now());
  // b recreated the marker; a finds a different one than it saw, which is the same gap.
  expect(await redis.withClient((c) => c.exists(`${prefix}epoch`))).toBe(1);
  const seenByA = await a!.read(run);
  expect(seenByA.completeSinceMs).toBeGreaterThanOrEqual(before);
  expect(seenByA.lastMs).toBe(at); // a received it, and still holds it in memory
});

test('after Redis crashes and restarts empty, both replicas reconnect and completeSinceMs has moved past the restart', async () => {
  const { stores, prefix } = await replicas(2);
  const [a, b] = stores;
  const run = randomUUID();
  const at = Date.now();
  await a!.record(run, at);
  const before = await after((await b!.read(run)).completeSinceMs);

  await redis.kill();
  const restartAt = Date.now(); // Redis cannot be reachable again before this
  await redis.restart();
  await allConnected(stores);
  const seenByB = await b!.read(run);
  expect(seenByB.lastMs).toBeUndefined();
  expect(seenByB.completeSinceMs).toBeGreaterThanOrEqual(restartAt);
  expect((await a!.read(run)).completeSinceMs).toBeGreaterThanOrEqual(before);
  await eventually('the epoch marker recreated', () => redis.withClient((c) => c.exists(`${prefix}epoch`)).then((n) => n === 1 || undefined));

  // And Redis is shared again.
  const later = Date.now();
  await b!.record(run, later);
  expect((await a!.read(run)).lastMs).toBe(later);
});

test('while Redis is stopped, heartbeats are held in memory, answered at once, and health says so', async () => {
  const { stores } = await replicas(2);
  const [a, b] = stores;
  const run = randomUUID();
  await a!.record(run, Date.now());
  const beforeStop = await after((await a!.read(run)).completeSinceMs);

  await redis.stop();
  const down = await eventually('a sees Redis down', async () => (a!.health().ok ? undefined : a!.health()), { timeoutMs: 15_000, intervalMs: 20 });
  expect(down.detail).toBe(`Redis unreachable at 127.0.0.1:${redis.port}: heartbeats held in memory`);
  expect(logged.some((line) => line.startsWith('warn Redis unreachable'))).toBe(true);

  const at = Date.now();
  const recorded = await timed(() => a!.record(run, at));
  const read = await timed(() => a!.read(run));
  const readElsewhere = await timed(() => b!.read(run));
  const forgotten = await timed(() => b!.forget(randomUUID()));
  for (const call of [recorded, read, readElsewhere, forgotten]) expect(call.ms).toBeLessThan(FAST);
  expect(read.value).toEqual({ lastMs: at, completeSinceMs: expect.any(Number) });
  expect(read.value.completeSinceMs).toBeGreaterThanOrEqual(beforeStop);
  // b cannot see what a holds: it must not judge the run until its own gap has passed.
  expect(readElsewhere.value.lastMs).toBeUndefined();
  expect(readElsewhere.value.completeSinceMs).toBeGreaterThanOrEqual(beforeStop);

  const beforeBack = await after(Math.max(read.value.completeSinceMs, readElsewhere.value.completeSinceMs));
  await redis.restart();
  await allConnected(stores);
  expect(a!.health()).toEqual({ ok: true, detail: `heartbeats stored in Redis at 127.0.0.1:${redis.port}` });
  expect(logged.some((line) => line.startsWith('info Redis reachable again'))).toBe(true);
  for (const store of stores) expect((await store.read(run)).completeSinceMs).toBeGreaterThanOrEqual(beforeBack);
});

test('a frozen Redis (connection open, no answers) costs one command timeout, then memory answers at once', async () => {
  const { stores: [a] } = await replicas(1);
  const run = randomUUID();
  const at = Date.now();
  await a!.record(run, at);
  const before = await after((await a!.read(run)).completeSinceMs);

  redis.pause();
  try {
    const read = await timed(() => a!.read(run));
    expect(read.ms).toBeLessThan(FAST);
    expect(read.value.lastMs).toBe(at);
    expect(read.value.completeSinceMs).toBeGreaterThanOrEqual(before);
    expect(a!.health().ok).toBe(false);
    const recorded = await timed(() => a!.record(run, at + 1));
    expect(recorded.ms).toBeLessThan(FAST);
    expect((await a!.read(run)).lastMs).toBe(at + 1);
  } finally {
    redis.resume();
  }
  // Redis kept its data (the marker is still there), yet coming back is a gap of its own:
  // other replicas may have held heartbeats in memory meanwhile.
  const resumedAt = Date.now();
  await allConnected([a!]);
  expect((await a!.read(run)).completeSinceMs).toBeGreaterThanOrEqual(resumedAt);
});

test('the factory opens a Redis store for a URL, and its health never shows the password', async () => {
  const store = openHeartbeatStore({ redisUrl: redis.url, now: Date.now, log });
  opened.push(store as RedisHeartbeatStore);
  expect(store).toBeInstanceOf(RedisHeartbeatStore);
  await eventually('connected', async () => store.health().ok || undefined, { timeoutMs: 15_000, intervalMs: 20 });
  expect(store.health().detail).not.toContain(PASSWORD);
});
