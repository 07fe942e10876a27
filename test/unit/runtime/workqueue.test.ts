// The guarantees reconcilers rely on: no duplicate work, no key handled twice at once,
// no change lost while a key is being handled, fair order, and growing retry delays.
import { WorkQueue } from '../../../src/runtime/workqueue.js';
import { FakeClock, flush } from './fakeClock.js';

const settled = async <T>(p: Promise<T>): Promise<{ value?: T; done: boolean }> => {
  let state: { value?: T; done: boolean } = { done: false };
  void p.then((value) => { state = { value, done: true }; });
  await flush();
  return state;
};

test('a key added many times is queued once', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  q.add('ns/b');
  q.add('ns/a');
  expect(q.len()).toBe(2);
  expect(await q.get()).toBe('ns/a');
  expect(await q.get()).toBe('ns/b');
  expect(q.len()).toBe(0);
});

test('ready keys come out in the order they were first added', async () => {
  const q = new WorkQueue();
  for (const k of ['ns/c', 'ns/a', 'ns/b', 'ns/a']) q.add(k);
  expect([await q.get(), await q.get(), await q.get()]).toEqual(['ns/c', 'ns/a', 'ns/b']);
});

test('a key added while it is processed is handed out again only after done()', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  expect(await q.get()).toBe('ns/a');
  q.add('ns/a'); // the object changed during the reconcile
  q.add('ns/a');
  expect(q.len()).toBe(0);
  const second = q.get(); // a second worker must not get it in parallel
  expect((await settled(second)).done).toBe(false);
  q.done('ns/a');
  expect(await second).toBe('ns/a');
  q.done('ns/a');
  expect(q.len()).toBe(0); // processed twice, not three times
});

test('a waiting get() receives the next key added', async () => {
  const q = new WorkQueue();
  const waiting = q.get();
  q.add('ns/x');
  expect(await waiting).toBe('ns/x');
});

test('addAfter makes a key ready only once its delay has passed; the earliest delay wins', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('ns/a', 100);
  q.addAfter('ns/a', 50);
  q.addAfter('ns/a', 500); // does not postpone it
  await clock.advance(49);
  expect(q.len()).toBe(0);
  await clock.advance(1);
  expect(q.len()).toBe(1);
  await clock.advance(1000);
  expect(q.len()).toBe(1); // the other delays did not add it twice
});

test('rate-limited retries wait 5 ms × 2^n, capped at 5 minutes, until forget()', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = clock.now();
    q.addRateLimited('ns/a');
    await clock.runNext();
    delays.push(clock.now() - start);
    q.done((await q.get())!);
  }
  expect(delays.slice(0, 6)).toEqual([5, 10, 20, 40, 80, 160]);
  expect(delays.at(-1)).toBe(300_000);
  expect(q.numRequeues('ns/a')).toBe(20);

  q.forget('ns/a');
  expect(q.numRequeues('ns/a')).toBe(0);
  q.addRateLimited('ns/a');
  await clock.advance(5);
  expect(q.len()).toBe(1);
});

test('backoff is per key', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addRateLimited('ns/a');
  q.addRateLimited('ns/a');
  q.addRateLimited('ns/b');
  expect([q.numRequeues('ns/a'), q.numRequeues('ns/b')]).toEqual([2, 1]);
  await clock.advance(5);
  expect(await q.get()).toBe('ns/a'); // its first delay (5 ms) fired; the second merged into it
  expect(await q.get()).toBe('ns/b');
});

test('shutDown unblocks waiting workers and drops queued and delayed keys', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const w1 = q.get();
  const w2 = q.get();
  q.shutDown();
  expect(await w1).toBeUndefined();
  expect(await w2).toBeUndefined();

  const q2 = new WorkQueue({ clock });
  q2.add('ns/a');
  q2.addAfter('ns/b', 10);
  q2.shutDown();
  q2.shutDown(); // idempotent
  q2.add('ns/c');
  await clock.advance(100);
  expect(q2.isShuttingDown()).toBe(true);
  expect(q2.len()).toBe(0);
  expect(await q2.get()).toBeUndefined();
});
