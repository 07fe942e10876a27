// How a reconcile's outcome turns into what happens next to its key: retried with a
// growing delay, dropped, re-looked at later, or left alone.
import type { Logger } from '../../../src/runtime/clock.js';
import { Controller, type Outcome, type Reconcile, TerminalError } from '../../../src/runtime/controller.js';
import { WorkQueue } from '../../../src/runtime/workqueue.js';
import { FakeClock, flush } from './fakeClock.js';

function setup(reconcile: Reconcile, workers = 1) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  const outcomes: Array<[number, Outcome]> = [];
  const logged: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) };
  const controller = new Controller({
    name: 'test', reconcile, queue, workers, clock, log,
    onReconcile: (ms, outcome) => outcomes.push([ms, outcome]),
  });
  controller.start();
  return { clock, queue, controller, outcomes, logged };
}

/** Records the fake-clock time of every call. */
function recorder(behaviour: (call: number) => Promise<unknown> | unknown) {
  const calls: number[] = [];
  let clock: FakeClock | undefined;
  const reconcile: Reconcile = async () => {
    calls.push(clock!.now());
    return (await behaviour(calls.length)) as never;
  };
  return { calls, reconcile, bind: (c: FakeClock) => { clock = c; } };
}

test('a failing reconcile is retried with a growing delay, and success resets the backoff', async () => {
  const r = recorder((n) => { if (n <= 3) throw new Error('API said 500'); });
  const { clock, queue, controller, outcomes, logged } = setup(r.reconcile);
  r.bind(clock);
  queue.add('ns/a');
  await clock.advance(1_000);
  expect(r.calls).toEqual([0, 5, 15, 35]); // waits of 5, 10, 20 ms
  expect(outcomes.map(([, o]) => o)).toEqual(['error', 'error', 'error', 'success']);
  expect(queue.numRequeues('ns/a')).toBe(0);
  expect(logged).toEqual(Array(3).fill('warn reconcile failed; retrying with backoff'));
  await controller.stop();
});

test('a TerminalError is logged and not retried', async () => {
  const r = recorder(() => { throw new TerminalError('spec.pool is empty'); });
  const { clock, queue, controller, outcomes, logged } = setup(r.reconcile);
  r.bind(clock);
  queue.add('ns/a');
  await clock.advance(600_000);
  expect(r.calls).toEqual([0]);
  expect(outcomes.map(([, o]) => o)).toEqual(['error']);
  expect(queue.numRequeues('ns/a')).toBe(0);
  expect(logged).toEqual(['error reconcile failed for good; not retrying']);
  await controller.stop();
});

test('requeueAfterMs brings the key back after that delay, with its backoff reset', async () => {
  const r = recorder((n) => {
    if (n === 1) throw new Error('conflict');
    if (n <= 3) return { requeueAfterMs: 1_000 };
    return undefined;
  });
  const { clock, queue, controller, outcomes } = setup(r.reconcile);
  r.bind(clock);
  queue.add('ns/a');
  await clock.advance(10_000);
  expect(r.calls).toEqual([0, 5, 1_005, 2_005]);
  expect(outcomes.map(([, o]) => o)).toEqual(['error', 'requeue', 'requeue', 'success']);
  expect(queue.numRequeues('ns/a')).toBe(0);
  await controller.stop();
});

test('reconcile duration is reported to the metrics hook', async () => {
  let finish!: () => void;
  const { clock, queue, controller, outcomes } = setup(() => new Promise<void>((resolve) => { finish = resolve; }));
  queue.add('ns/a');
  await clock.advance(250);
  finish();
  await flush();
  expect(outcomes).toEqual([[250, 'success']]);
  await controller.stop();
});

test('a key is never reconciled twice at once, even with many workers; a change during a reconcile is not lost', async () => {
  const release: Array<() => void> = [];
  let active = 0;
  let maxActive = 0;
  const seen: string[] = [];
  const { queue, controller } = setup(async (key) => {
    seen.push(key);
    maxActive = Math.max(maxActive, ++active);
    await new Promise<void>((resolve) => release.push(resolve));
    active--;
  }, 4);
  queue.add('ns/a');
  await flush();
  queue.add('ns/a'); // changed while being reconciled
  queue.add('ns/b');
  await flush();
  expect(seen).toEqual(['ns/a', 'ns/b']);
  release.splice(0).forEach((r) => r());
  await flush();
  await flush();
  expect(seen).toEqual(['ns/a', 'ns/b', 'ns/a']);
  expect(maxActive).toBe(2); // a and b in parallel, never a with a
  release.splice(0).forEach((r) => r());
  await controller.stop();
});

test('stop() waits for in-flight reconciles and starts no new ones', async () => {
  let finish!: () => void;
  const started: string[] = [];
  const { queue, controller } = setup(async (key) => {
    started.push(key);
    await new Promise<void>((resolve) => { finish = resolve; });
  });
  queue.add('ns/a');
  queue.add('ns/b');
  await flush();
  let stopped = false;
  const stopping = controller.stop().then(() => { stopped = true; });
  await flush();
  expect(stopped).toBe(false);
  finish();
  await stopping;
  expect(started).toEqual(['ns/a']);
});

test('a throwing metrics hook does not stop the workers', async () => {
  const calls: string[] = [];
  const queue = new WorkQueue();
  const controller = new Controller({
    name: 'test', queue, reconcile: async (k) => { calls.push(k); },
    onReconcile: () => { throw new Error('metrics broke'); },
  });
  controller.start();
  queue.add('ns/a');
  await flush();
  queue.add('ns/b');
  await flush();
  expect(calls).toEqual(['ns/a', 'ns/b']);
  await controller.stop();
});
