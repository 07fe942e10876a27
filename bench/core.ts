// The pure core alone, in process: how long one admission decision takes with a very
// long queue, next to the full plan (every waiting run's position and reason) that the
// read models build. No control plane, no I/O.
import { planAdmission } from '../src/core/admission.js';
import type { PoolPolicy, QueuedRun, RunRef } from '../src/core/types.js';
import { type Percentiles, percentiles } from './stats.js';

export interface CoreResult { queued: number; plan: Percentiles }

function queueOf(n: number, nowMs: number): QueuedRun[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `t-${i}`, source: `src-${i % 50}`, syncType: `type-${i % 4}`, priority: i % 5, enqueuedAtMs: nowMs - 3_600_000 + i,
  }));
}

export function coreBench(queued: number, calls: number): CoreResult {
  const nowMs = Date.parse('2026-12-01T00:00:00Z');
  const policy: PoolPolicy = { maxWorkers: 50, paused: false, sourceLimits: { 'src-7': 2 }, overlap: 'Forbid', agingIntervalMs: 600_000 };
  const queue = queueOf(queued, nowMs);
  const running: RunRef[] = Array.from({ length: 49 }, (_, i) => ({ name: `r-${i}`, source: `src-${i % 50}`, syncType: 'running' }));
  const time = (fn: () => void) => Array.from({ length: calls }, (_, i) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0 + i * 0;
  });
  const plan = time(() => planAdmission({ policy, running, queued: queue, nowMs }));
  return { queued, plan: percentiles(plan) };
}

export function coreReport(r: CoreResult): string {
  const f = (p: Percentiles) => `p50=${p.p50.toFixed(3)} p99=${p.p99.toFixed(3)} max=${p.max.toFixed(3)} ms (n=${p.n})`;
  return `full plan (order, admit, every waiting run's position and reason), ${r.queued} queued, 49 of 50 slots busy: ${f(r.plan)}`;
}
