// When a queued run will probably start: slots free as recent runs of the same sync took.
import type { V1Job } from '@kubernetes/client-node';
import { estimateStarts, type QueueEntry, recentDurations, type RunningRun } from '../../../src/views/index.js';
import { job, NOW, task } from './world.js';

const MIN = 60_000;

/** A finished run of (source, syncType) that took `minutes`, finished `agoMinutes` ago. */
function finished(name: string, source: string, syncType: string, minutes: number, agoMinutes = 1): V1Job {
  return job(task(name, { source, syncType }), 'succeeded', { startedAt: -(agoMinutes + minutes) * 60, finishedAt: -agoMinutes * 60 });
}

describe('recentDurations', () => {
  const jobs = [
    finished('a', 'hubspot', 'contacts', 10), finished('b', 'hubspot', 'contacts', 20), finished('c', 'hubspot', 'contacts', 90),
    finished('d', 'salesforce', 'accounts', 4), finished('e', 'salesforce', 'accounts', 6),
    job(task('running'), 'running'), job(task('waiting'), 'queued'),
  ];
  const expected = recentDurations(jobs);

  test.each([
    { what: 'the median of the pair\'s runs (one slow run does not drag it)', pair: ['hubspot', 'contacts'], ms: 20 * MIN },
    { what: 'an even count: the mean of the middle two', pair: ['salesforce', 'accounts'], ms: 5 * MIN },
    { what: 'a pair never seen: the median of every run', pair: ['zendesk', 'tickets'], ms: 10 * MIN },
  ])('$what', ({ pair, ms }) => {
    expect(expected(pair[0]!, pair[1]!)).toBe(ms);
  });

  test('only the newest `window` runs of a pair count', () => {
    const old = [1, 2, 3].map((i) => finished(`old${i}`, 'hubspot', 'contacts', 100, 500 + i));
    const recent = [1, 2, 3].map((i) => finished(`new${i}`, 'hubspot', 'contacts', 5, i));
    expect(recentDurations([...old, ...recent], 3)('hubspot', 'contacts')).toBe(5 * MIN);
  });

  test('nothing finished: unknown', () => {
    expect(recentDurations([job(task('x'), 'running')])('hubspot', 'x')).toBeUndefined();
  });
});

describe('estimateStarts', () => {
  const entry = (n: number, source = 'hubspot', syncType = 'contacts') => ({ job: `q${n}-1`, source, syncType }) as QueueEntry;
  const run = (startedMinAgo: number | undefined, source = 'hubspot', syncType = 'contacts') =>
    ({ job: `r${startedMinAgo}`, source, syncType, startedAt: startedMinAgo === undefined ? undefined : new Date(NOW - startedMinAgo * MIN).toISOString() }) as RunningRun;
  const tenMinutes = () => 10 * MIN;
  const starts = (queue: QueueEntry[], running: RunningRun[], o: Partial<Parameters<typeof estimateStarts>[2]> = {}) =>
    estimateStarts(queue, running, { maxWorkers: 2, paused: false, expected: tenMinutes, nowMs: NOW, ...o })
      .map((s) => (s.startsAtMs === undefined ? undefined : (s.startsAtMs - NOW) / MIN));

  test.each([
    { what: 'free slots start at once, then each slot frees as its run ends', queue: [1, 2, 3, 4], running: [], want: [0, 0, 10, 10] },
    { what: 'a full pool: the slot of the oldest run frees first', queue: [1, 2], running: [run(8), run(3)], want: [2, 7] },
    { what: 'a run past its expected length frees its slot "now", not in the past', queue: [1], running: [run(30), run(1)], want: [0] },
    { what: 'a run still being scheduled is taken to start now', queue: [1], running: [run(undefined), run(undefined)], want: [10] },
    {
      what: 'a lowered cap: enough runs must end that one fewer than the cap runs',
      queue: [1, 2], running: [run(9), run(6), run(2)], want: [4, 8],
    },
  ])('$what', ({ queue, running, want }) => {
    expect(starts(queue.map((n) => entry(n)), running)).toEqual(want);
  });

  test('unknown durations: a slot held by a run of unknown length never frees in the estimate', () => {
    const expected = (source: string) => (source === 'mystery' ? undefined : 10 * MIN);
    // One slot frees in 5 minutes; the other is held by a run nobody can time.
    expect(starts([entry(1), entry(2, 'mystery'), entry(3)], [run(5), run(1, 'mystery')], { expected }))
      .toEqual([5, 15, undefined]);
  });

  test('nothing can be told for a paused pool or a cap of 0', () => {
    expect(starts([entry(1)], [], { paused: true })).toEqual([undefined]);
    expect(starts([entry(1)], [], { maxWorkers: 0 })).toEqual([undefined]);
  });
});
