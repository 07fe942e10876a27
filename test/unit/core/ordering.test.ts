// The queue order decides who runs next and the positions users see in `kubectl syncpool queue`.
import { compareQueued, effectivePriority, orderQueue } from '../../../src/core/ordering.js';
import type { QueuedRun } from '../../../src/core/types.js';

const MIN = 60_000;

function run(name: string, priority: number, enqueuedAtMs: number): QueuedRun {
  return { name, source: 'hubspot', syncType: 'contacts', priority, enqueuedAtMs };
}

describe('effectivePriority', () => {
  test.each([
    { case: 'no aging', interval: undefined, priority: 3, enqueued: 0, now: 60 * MIN, want: 3 },
    { case: 'zero interval means no aging', interval: 0, priority: 3, enqueued: 0, now: 60 * MIN, want: 3 },
    { case: 'negative interval means no aging', interval: -MIN, priority: 3, enqueued: 0, now: 60 * MIN, want: 3 },
    { case: 'one step per full interval', interval: 10 * MIN, priority: 0, enqueued: 0, now: 25 * MIN, want: 2 },
    { case: 'just short of an interval', interval: 10 * MIN, priority: 5, enqueued: 0, now: 10 * MIN - 1, want: 5 },
    { case: 'exactly one interval', interval: 10 * MIN, priority: 5, enqueued: 0, now: 10 * MIN, want: 6 },
    { case: 'negative priority ages too', interval: MIN, priority: -4, enqueued: 0, now: 3 * MIN, want: -1 },
    { case: 'enqueued in the future never lowers', interval: MIN, priority: 2, enqueued: 50 * MIN, now: 0, want: 2 },
  ])('$case', ({ interval, priority, enqueued, now, want }) => {
    expect(effectivePriority(run('a', priority, enqueued), interval, now)).toBe(want);
  });
});

describe('orderQueue', () => {
  test.each([
    {
      case: 'higher priority first',
      runs: [run('low', 0, 0), run('high', 10, 5), run('mid', 5, 1)],
      interval: undefined,
      now: 100,
      want: ['high', 'mid', 'low'],
    },
    {
      case: 'FIFO within a priority',
      runs: [run('third', 1, 300), run('first', 1, 100), run('second', 1, 200)],
      interval: undefined,
      now: 1_000,
      want: ['first', 'second', 'third'],
    },
    {
      case: 'name breaks a tie of priority and enqueue time',
      runs: [run('sync-c', 1, 100), run('sync-a', 1, 100), run('sync-b', 1, 100)],
      interval: undefined,
      now: 1_000,
      want: ['sync-a', 'sync-b', 'sync-c'],
    },
    {
      case: 'name order is by code unit, not locale',
      runs: [run('b', 0, 0), run('B', 0, 0), run('a', 0, 0)],
      interval: undefined,
      now: 0,
      want: ['B', 'a', 'b'],
    },
    {
      case: 'aging lifts an old low-priority run above a newer high one',
      runs: [run('new-high', 5, 60 * MIN), run('old-low', 0, 0)],
      interval: 10 * MIN,
      now: 61 * MIN,
      want: ['old-low', 'new-high'],
    },
    {
      case: 'without aging the same queue keeps priority order',
      runs: [run('new-high', 5, 60 * MIN), run('old-low', 0, 0)],
      interval: undefined,
      now: 61 * MIN,
      want: ['new-high', 'old-low'],
    },
    {
      case: 'equal effective priority after aging falls back to FIFO',
      runs: [run('new-high', 2, 20 * MIN), run('old-low', 0, 0)],
      interval: 10 * MIN,
      now: 20 * MIN,
      want: ['old-low', 'new-high'],
    },
  ])('$case', ({ runs, interval, now, want }) => {
    expect(orderQueue(runs, interval, now).map((r) => r.name)).toEqual(want);
  });

  test('returns a new array and leaves the input order alone', () => {
    const input = [run('low', 0, 0), run('high', 1, 0)];
    const ordered = orderQueue(input, undefined, 0);
    expect(ordered).not.toBe(input);
    expect(input.map((r) => r.name)).toEqual(['low', 'high']);
  });

  test('the order does not depend on the input order', () => {
    const runs = [run('a', 1, 5), run('b', 1, 5), run('c', 2, 9), run('d', 0, 1), run('e', 1, 4)];
    const want = ['c', 'e', 'a', 'b', 'd'];
    expect(orderQueue(runs, undefined, 10).map((r) => r.name)).toEqual(want);
    expect(orderQueue([...runs].reverse(), undefined, 10).map((r) => r.name)).toEqual(want);
  });
});

describe('compareQueued', () => {
  test.each([
    { case: 'higher priority sorts before', a: run('a', 2, 0), b: run('b', 1, 0), sign: -1 },
    { case: 'older sorts before', a: run('a', 1, 9), b: run('b', 1, 3), sign: 1 },
    { case: 'same run compares equal', a: run('a', 1, 3), b: run('a', 1, 3), sign: 0 },
  ])('$case', ({ a, b, sign }) => {
    expect(Math.sign(compareQueued(a, b, undefined, 10))).toBe(sign);
    expect(Math.sign(compareQueued(b, a, undefined, 10))).toBe(sign === 0 ? 0 : -sign);
  });
});
