// The lifecycle rules that apply to one task: its retry policy (its own, else its
// pool's), and its pool's heartbeat, startup and retention settings, with defaults.
// Pure. A duration the operator cannot read falls back to the default here; the pool
// reports it in its own status (InvalidSpec), so nothing is silently wrong for long.
import type { RetryPolicy, SyncTaskSpec, WorkerPool } from '../../api/types.js';
import { parseDuration } from '../../core/duration.js';
import { DEFAULT_RETENTION, type Retention } from '../../core/retention.js';
import { DEFAULT_BACKOFF, NO_RETRIES, type RetryRules } from '../../core/retry.js';

export interface Lifecycle {
  retry: RetryRules;
  staleAfterMs: number;
  startupTimeoutMs: number;
  heartbeat: 'Required' | 'Optional';
  retention: Retention;
}

export const DEFAULT_STALE_AFTER_MS = 30 * 60_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 10 * 60_000;

function ms(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseDuration(text);
  } catch {
    return fallback;
  }
}

function retryRules(policy: RetryPolicy | undefined): RetryRules {
  if (!policy) return NO_RETRIES;
  const b = policy.backoff;
  return {
    limit: policy.limit,
    backoff: {
      initialMs: ms(b?.initial, DEFAULT_BACKOFF.initialMs),
      factor: b?.factor ?? DEFAULT_BACKOFF.factor,
      maxMs: ms(b?.max, DEFAULT_BACKOFF.maxMs),
    },
  };
}

/** `pool` undefined (deleted while its runs go on): the defaults. */
export function lifecycleOf(spec: Pick<SyncTaskSpec, 'retry'>, pool: WorkerPool | undefined): Lifecycle {
  const p = pool?.spec;
  return {
    retry: retryRules(spec.retry ?? p?.retry),
    staleAfterMs: ms(p?.staleAfter, DEFAULT_STALE_AFTER_MS),
    startupTimeoutMs: ms(p?.startupTimeout, DEFAULT_STARTUP_TIMEOUT_MS),
    heartbeat: p?.heartbeat ?? 'Required',
    retention: {
      succeededMs: ms(p?.retention?.succeeded, DEFAULT_RETENTION.succeededMs),
      failedMs: ms(p?.retention?.failed, DEFAULT_RETENTION.failedMs),
    },
  };
}
