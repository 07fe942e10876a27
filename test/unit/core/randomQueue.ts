// Seeded random queues and pools for the property tests of the kept queue: small value
// ranges on purpose, so that ties, repeated names, blocked sources and aging steps that
// reorder priorities all come up often.
import type { PoolPolicy, QueuedRun, RunRef } from '../../../src/core/types.js';
import { Rng } from '../controller/sim/random.js';

export { Rng };

const SOURCES = ['hs', 'sf', 'gh', 'constructor'];
const TYPES = ['contacts', 'deals', 'issues'];
/** Off (every way it can be), whole steps, and odd values that do not divide the clock. */
const AGING = [undefined, 0, -5, Number.NaN, Infinity, 1, 7, 13.5, 100, 1e9];

export function randomRun(rng: Rng, names: number): QueuedRun {
  return {
    name: `r${rng.int(0, names)}`,
    source: rng.pick(SOURCES),
    syncType: rng.pick(TYPES),
    priority: rng.pick([-3, 0, 0, 1, 2, 5]),
    // Coarse steps: equal enqueue times are common.
    enqueuedAtMs: rng.int(0, 12) * rng.pick([1, 10]),
  };
}

/** Sometimes a name twice: the same run again, or a different one under that name. */
export function randomQueue(rng: Rng): QueuedRun[] {
  const queued: QueuedRun[] = [];
  const length = rng.int(0, 30);
  for (let i = 0; i < length; i++) {
    const earlier = queued.length > 0 && rng.chance(0.1) ? rng.pick(queued) : undefined;
    if (earlier && rng.chance(0.5)) queued.push({ ...earlier });
    else if (earlier) queued.push({ ...randomRun(rng, 40), name: earlier.name });
    else queued.push(randomRun(rng, 40));
  }
  return queued;
}

/** Running runs, some of them also queued under the same name (a cache that lags). */
export function randomRunning(rng: Rng, queued: readonly QueuedRun[]): RunRef[] {
  return Array.from({ length: rng.int(0, 5) }, (_, i) => {
    const run = queued.length > 0 && rng.chance(0.3) ? rng.pick(queued) : undefined;
    return { name: run?.name ?? `running-${i}`, source: rng.pick(SOURCES), syncType: rng.pick(TYPES) };
  });
}

export function randomPolicy(rng: Rng): PoolPolicy {
  const sourceLimits: Record<string, number> = {};
  for (const source of SOURCES) if (rng.chance(0.3)) sourceLimits[source] = rng.int(0, 2);
  return {
    maxWorkers: rng.int(0, 8),
    paused: rng.chance(0.1),
    sourceLimits,
    overlap: rng.chance(0.5) ? 'Forbid' : 'Allow',
    agingIntervalMs: rng.pick(AGING),
  };
}

/** An instant before, among and long after the enqueue times. */
export const randomNow = (rng: Rng): number => rng.pick([0, 5, 11, 60, 120, 1e4]) + rng.int(0, 3);

/** Runs `check` for each seed; a failure names its seed, which replays it exactly. */
export function forSeeds(count: number, first: number, check: (rng: Rng) => void): void {
  for (let seed = first; seed < first + count; seed++) {
    try {
      check(new Rng(seed));
    } catch (err) {
      if (err instanceof Error) err.message = `seed ${seed}: ${err.message}`;
      throw err;
    }
  }
}
