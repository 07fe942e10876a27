// A WorkerPool as the admission core sees it, or why it cannot be used. Pure.
//
// The API server validated the pool against its CRD, but that schema cannot say
// everything (a duration that overflows, an object stored under an older CRD), and a
// pool the operator cannot read must say so in its status instead of failing every
// reconcile in silence.
import { parseWorkerPool } from './parse.js';
import type { WorkerPool, WorkerPoolSpec } from './types.js';
import { parseDuration } from '../core/duration.js';
import type { PoolPolicy } from '../core/types.js';

export type PolicyResult = { ok: true; policy: PoolPolicy; spec: WorkerPoolSpec } | { ok: false; message: string };

export function poolPolicy(pool: unknown): PolicyResult {
  const parsed = parseWorkerPool(pool);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const spec = parsed.value.spec;
  // Every duration, so one the operator cannot use makes the pool say so.
  const durations: [string, string | undefined][] = [
    ['spec.staleAfter', spec.staleAfter],
    ['spec.startupTimeout', spec.startupTimeout],
    ['spec.aging.interval', spec.aging?.interval],
    ['spec.retry.backoff.initial', spec.retry?.backoff?.initial],
    ['spec.retry.backoff.max', spec.retry?.backoff?.max],
    ['spec.retention.succeeded', spec.retention?.succeeded],
    ['spec.retention.failed', spec.retention?.failed],
  ];
  for (const [field, text] of durations) {
    if (text === undefined) continue;
    try {
      parseDuration(text);
    } catch (err) {
      return { ok: false, message: `${field}: ${(err as Error).message}` };
    }
  }
  return {
    ok: true,
    spec,
    policy: {
      maxWorkers: spec.maxWorkers,
      paused: spec.paused ?? false,
      sourceLimits: spec.sourceLimits ?? {},
      overlap: spec.overlap ?? 'Forbid',
      agingIntervalMs: spec.aging?.interval ? parseDuration(spec.aging.interval) : undefined,
    },
  };
}

export type { WorkerPool };
