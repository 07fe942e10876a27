// The store used without Redis (and as Redis's fallback): what the reader gets back, and
// that runs whose forget() never came do not stay forever.
import { MemoryHeartbeatStore } from '../../../src/heartbeat/memoryStore.js';
import { openHeartbeatStore } from '../../../src/heartbeat/stores.js';
import { silentLogger } from '../../../src/runtime/clock.js';

const HOUR = 60 * 60 * 1000;

function setup(ttlMs?: number) {
  const clock = { t: 1_000_000 };
  const store = new MemoryHeartbeatStore({ now: () => clock.t, ...(ttlMs === undefined ? {} : { ttlMs }) });
  return { clock, store };
}

test('a recorded heartbeat is read back; completeness starts when the store was created', async () => {
  const { clock, store } = setup();
  clock.t += 5_000;
  await store.record('run-a', clock.t);
  clock.t += 1_000;
  expect(await store.read('run-a')).toEqual({ lastMs: 1_005_000, completeSinceMs: 1_000_000 });
  expect(await store.read('run-b')).toEqual({ lastMs: undefined, completeSinceMs: 1_000_000 });
  expect(store.health().ok).toBe(true);
});

test('the last heartbeat wins, and an older time arriving late does not move it back', async () => {
  const { store } = setup();
  await store.record('run-a', 2_000_000);
  await store.record('run-a', 2_010_000);
  await store.record('run-a', 2_005_000);
  expect((await store.read('run-a')).lastMs).toBe(2_010_000);
});

test('forget drops the run; other runs stay', async () => {
  const { store } = setup();
  await store.record('run-a', 1_000_000);
  await store.record('run-b', 1_000_000);
  await store.forget('run-a');
  await store.forget('never-seen');
  expect((await store.read('run-a')).lastMs).toBeUndefined();
  expect((await store.read('run-b')).lastMs).toBe(1_000_000);
});

test.each([
  ['default (24 h)', undefined, 24 * HOUR],
  ['configured', HOUR, HOUR],
])('a run not heard from for the ttl (%s) is gone', async (_name, ttlMs, expiresAfter) => {
  const { clock, store } = setup(ttlMs);
  await store.record('run-a', clock.t);
  clock.t += expiresAfter - 1;
  expect((await store.read('run-a')).lastMs).toBe(1_000_000);
  clock.t += 1;
  expect((await store.read('run-a')).lastMs).toBeUndefined();
});

test('a run that keeps sending heartbeats is kept past the ttl', async () => {
  const { clock, store } = setup(HOUR);
  for (let i = 0; i < 5; i++) {
    await store.record('run-a', clock.t);
    clock.t += HOUR / 2;
  }
  expect((await store.read('run-a')).lastMs).toBe(clock.t - HOUR / 2);
});

test('expired runs are pruned as new heartbeats arrive, so a missed forget() does not leak', async () => {
  const { clock, store } = setup(HOUR);
  for (let i = 0; i < 1_000; i++) await store.record(`finished-${i}`, clock.t);
  expect(store.size).toBe(1_000);
  clock.t += HOUR;
  await store.record('live', clock.t);
  expect(store.size).toBe(1);
  // Runs recorded in between stay until their own ttl.
  clock.t += HOUR / 2;
  await store.record('later', clock.t);
  clock.t += HOUR / 2;
  await store.record('latest', clock.t);
  expect(store.size).toBe(2);
});

test('without a Redis URL the factory gives a memory store', async () => {
  const store = openHeartbeatStore({ now: () => 42, log: silentLogger });
  expect(store).toBeInstanceOf(MemoryHeartbeatStore);
  expect(await store.read('x')).toEqual({ lastMs: undefined, completeSinceMs: 42 });
  await store.close();
});

test('a ttl that is not positive is refused', () => {
  expect(() => new MemoryHeartbeatStore({ now: () => 0, ttlMs: 0 })).toThrow(/ttlMs must be positive/);
});
