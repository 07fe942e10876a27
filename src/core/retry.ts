// When a failed attempt is tried again. Pure: the reconciler hands in the policy, the
// attempt that failed and when it failed; nothing here reads a clock.

export interface Backoff {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export interface RetryRules {
  /** Retries after the first attempt: limit 2 means at most 3 attempts. */
  limit: number;
  backoff: Backoff;
}

/** 60 s, 120 s, 240 s … capped at an hour: what our users' Celery setups did. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 60_000, factor: 2, maxMs: 3_600_000 };

/** No policy on the task or its pool: a failed attempt is final. */
export const NO_RETRIES: RetryRules = { limit: 0, backoff: DEFAULT_BACKOFF };

/** The wait after attempt `failed` (1-based) failed: initial × factor^(failed−1), capped at max. */
export function retryDelayMs(backoff: Backoff, failed: number): number {
  const delay = backoff.initialMs * backoff.factor ** Math.max(0, failed - 1);
  // Past the cap the power may overflow to Infinity; the cap still holds.
  return Math.min(backoff.maxMs, Number.isFinite(delay) ? delay : backoff.maxMs);
}

export type RetryDecision =
  | { retry: true; attempt: number; atMs: number; delayMs: number }
  | { retry: false };

/** After attempt `failed` failed at `failedAtMs`: another attempt, and when it queues, or none left. */
export function nextAttempt(rules: RetryRules, failed: number, failedAtMs: number): RetryDecision {
  if (failed > rules.limit) return { retry: false };
  const delayMs = retryDelayMs(rules.backoff, failed);
  return { retry: true, attempt: failed + 1, atMs: failedAtMs + delayMs, delayMs };
}
