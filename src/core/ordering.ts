// Queue order: effective priority (higher first), then enqueue time (older first), then
// name. The name makes the order total, so every replica and every reconcile sees the
// same queue and reports the same positions.
import type { QueuedRun } from './types.js';

/**
 * Priority plus one per full aging interval waited. Aging is off when the interval is
 * missing, zero, negative or not finite; a run enqueued "in the future" (clock skew
 * between writers) counts as not having waited rather than losing priority.
 */
export function effectivePriority(run: QueuedRun, agingIntervalMs: number | undefined, nowMs: number): number {
  if (agingIntervalMs === undefined || !Number.isFinite(agingIntervalMs) || agingIntervalMs <= 0) {
    return run.priority;
  }
  const waitedMs = Math.max(0, nowMs - run.enqueuedAtMs);
  return run.priority + Math.floor(waitedMs / agingIntervalMs);
}

export function compareQueued(
  a: QueuedRun,
  b: QueuedRun,
  agingIntervalMs: number | undefined,
  nowMs: number,
): number {
  const byPriority = effectivePriority(b, agingIntervalMs, nowMs) - effectivePriority(a, agingIntervalMs, nowMs);
  if (byPriority !== 0) return byPriority;
  return compareEnqueued(a, b);
}

/**
 * The order within one base priority, at any instant: a run enqueued earlier has waited
 * at least as long, so aging never lifts it below a later one (see queueIndex.ts).
 */
export function compareEnqueued(a: QueuedRun, b: QueuedRun): number {
  if (a.enqueuedAtMs !== b.enqueuedAtMs) return a.enqueuedAtMs - b.enqueuedAtMs;
  // Code-unit order, not localeCompare: the result must not depend on the host's locale.
  if (a.name === b.name) return 0;
  return a.name < b.name ? -1 : 1;
}

/** Returns a new array; the input is left as the caller gave it. */
export function orderQueue(queued: readonly QueuedRun[], agingIntervalMs: number | undefined, nowMs: number): QueuedRun[] {
  return [...queued].sort((a, b) => compareQueued(a, b, agingIntervalMs, nowMs));
}
