// Backoff strategies as plain functions of the failure count, shared by the work queue
// (per-key retries) and the informer (reconnects).

/** Delay before retry number `failures` (0 = first retry): base × 2^failures, capped. */
export type Backoff = (failures: number) => number;

export function exponentialBackoff(baseMs: number, maxMs: number): Backoff {
  return (failures) => Math.min(maxMs, baseMs * 2 ** Math.max(0, failures));
}

/**
 * Shortens each delay by up to `fraction` at random, so clients that failed together
 * (an API server restart) do not come back in lockstep. Downwards, so the cap still
 * holds and delays at the cap are spread too.
 */
export function jittered(backoff: Backoff, fraction = 0.2, random: () => number = Math.random): Backoff {
  return (failures) => backoff(failures) * (1 - fraction * random());
}
