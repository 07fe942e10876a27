// A pool's view with when each queued run will probably start: what the kubectl plugin's
// queue verb and the status page both show, decided once (nothing starts in a paused or
// invalid pool; durations come from the pool's recent runs, see eta.ts).
import type { PoolContents } from './cluster.js';
import { estimateStarts, recentDurations } from './eta.js';
import { type PoolDetail, viewPool } from './pools.js';

export interface PoolWithStarts {
  view: PoolDetail;
  /** Expected start (ms since the epoch) of each run of `view.queue`, by position; undefined when it cannot be told. */
  startsAtMs: (number | undefined)[];
}

export function viewPoolWithStarts(contents: PoolContents, nowMs: number): PoolWithStarts {
  const view = viewPool(contents, { nowMs });
  const starts = estimateStarts(view.queue, view.running, {
    maxWorkers: view.maxWorkers,
    paused: view.paused || view.state === 'Invalid',
    expected: recentDurations(contents.jobs),
    nowMs,
  });
  return { view, startsAtMs: starts.map((s) => s.startsAtMs) };
}
