// How long a finished task (and its Jobs) is kept. Pure.

export interface Retention {
  succeededMs: number;
  failedMs: number;
}

/** A day for what went well; a week to inspect what did not. */
export const DEFAULT_RETENTION: Retention = { succeededMs: 24 * 3_600_000, failedMs: 7 * 24 * 3_600_000 };

/** Succeeded and Cancelled use `succeeded`; Failed and Rejected use `failed`. */
export function expiresAtMs(phase: string, finishedAtMs: number, retention: Retention): number {
  const keep = phase === 'Succeeded' || phase === 'Cancelled' ? retention.succeededMs : retention.failedMs;
  return finishedAtMs + keep;
}
