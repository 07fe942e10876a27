// When a queued run will probably start: each slot frees when its run has run as long as
// recent runs of the same source and sync type did (their median), and the queue takes
// the slots in order. An estimate: source limits and overlap are not simulated, so a run
// held by them may start later than shown. Pure: durations and `now` are handed in.
import type { V1Job } from '@kubernetes/client-node';
import { isFinished } from '../jobs/classify.js';
import { LABEL_SOURCE, LABEL_SYNC_TYPE } from '../jobs/labels.js';
import type { QueueEntry } from './queue.js';
import { jobRunMs, type RunningRun } from './runs.js';

/** How long a run of (source, syncType) is expected to take, in ms; undefined if nothing is known. */
export type ExpectedDuration = (source: string, syncType: string) => number | undefined;

const key = (source: string, syncType: string) => JSON.stringify([source, syncType]);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of the last `window` finished runs of each (source, syncType) in these Jobs,
 * falling back to the median of every finished run when a pair has none.
 */
export function recentDurations(jobs: readonly V1Job[], window = 20): ExpectedDuration {
  const finished = jobs
    .filter(isFinished)
    .map((job) => ({ job, ms: jobRunMs(job) }))
    .filter((f): f is { job: V1Job; ms: number } => f.ms !== undefined)
    .sort((a, b) => String(b.job.status?.completionTime ?? '').localeCompare(String(a.job.status?.completionTime ?? '')));
  const byPair = new Map<string, number[]>();
  for (const { job, ms } of finished) {
    const labels = job.metadata?.labels ?? {};
    const k = key(labels[LABEL_SOURCE] ?? '', labels[LABEL_SYNC_TYPE] ?? '');
    const list = byPair.get(k) ?? [];
    if (list.length < window) list.push(ms);
    byPair.set(k, list);
  }
  const medians = new Map([...byPair].map(([k, list]) => [k, median(list)]));
  const overall = finished.length > 0 ? median(finished.slice(0, window * 5).map((f) => f.ms)) : undefined;
  return (source, syncType) => medians.get(key(source, syncType)) ?? overall;
}

export interface StartEstimate {
  job: string;
  /** Expected start, ms since the epoch; undefined when it cannot be told (unknown durations, paused pool). */
  startsAtMs?: number;
}

/** Expected starts for the queue in order, given the runs holding slots now. */
export function estimateStarts(
  queue: readonly QueueEntry[],
  running: readonly RunningRun[],
  o: { maxWorkers: number; paused: boolean; expected: ExpectedDuration; nowMs: number },
): StartEstimate[] {
  if (o.paused || o.maxWorkers <= 0) return queue.map((q) => ({ job: q.job }));
  // When each slot frees; Infinity for a run whose length nobody can tell.
  const frees = running.map((r) => {
    const ms = o.expected(r.source, r.syncType);
    if (ms === undefined) return Infinity;
    const started = r.startedAt === undefined ? o.nowMs : Date.parse(r.startedAt);
    return Math.max(o.nowMs, started + ms);
  });
  while (frees.length < o.maxWorkers) frees.push(o.nowMs);
  // A lowered cap: the extra runs must end before anything starts, so only the latest ones count.
  frees.sort((a, b) => a - b);
  const slots = frees.slice(frees.length - o.maxWorkers);
  return queue.map((q) => {
    slots.sort((a, b) => a - b);
    const startsAt = slots[0]!;
    if (!Number.isFinite(startsAt)) return { job: q.job };
    const ms = o.expected(q.source, q.syncType);
    slots[0] = ms === undefined ? Infinity : startsAt + ms;
    return { job: q.job, startsAtMs: startsAt };
  });
}
