// The pure core alone, in process: one admission decision over a queue of 100,000 kept
// in a QueueIndex (what each admission cycle does), the index following runs that leave
// and arrive one by one (what a pool's view does on each cache event), and the full plan with every waiting run's position and reason
// (what the read models build). No control plane, no I/O.
import { decideAdmission, planAdmission } from '../src/core/admission.js';
import { QueueIndex } from '../src/core/queueIndex.js';
import type { PoolPolicy, QueuedRun, RunRef } from '../src/core/types.js';
import { type Percentiles, percentiles } from './stats.js';

export interface CoreResult {
  queued: number;
  /** 49 of 50 slots busy: one admission. */
  decideOne: Percentiles;
  /** All 50 free (an unpause): fifty admissions. */
  decideFifty: Percentiles;
  /** The index following 50 runs that left (the queue's head) and 50 that arrived, one change at a time. */
  update: Percentiles;
  plan: Percentiles;
}

const NOW = Date.parse('2026-12-01T00:00:00Z');
// Sources and sync types as in the depth bench; no overlap rule, so the walk's length is
// the admission's own cost (runs held by overlap are read one by one: see decideAdmission).
const POLICY: PoolPolicy = { maxWorkers: 50, paused: false, sourceLimits: { 'src-7': 2 }, overlap: 'Allow', agingIntervalMs: 600_000 };

const run = (i: number): QueuedRun => ({ name: `t-${i}`, source: `src-${i % 50}`, syncType: `type-${i % 4}`, priority: i % 5, enqueuedAtMs: NOW - 3_600_000 + i });
const busy = (n: number): RunRef[] => Array.from({ length: n }, (_, i) => ({ name: `r-${i}`, source: `src-${i % 50}`, syncType: 'running' }));

/** Untimed calls first: the operator calls these all the time, so its figure is the JIT-compiled code's, not the first calls'. */
const WARMUP = 10;

function time(calls: number, fn: (i: number) => void): Percentiles {
  for (let i = 0; i < WARMUP; i++) fn(-1 - i);
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  return percentiles(ms);
}

export function coreBench(queued: number, calls: number): CoreResult {
  const queue = Array.from({ length: queued }, (_, i) => run(i));
  const index = new QueueIndex();
  index.sync(queue);
  const decideOne = time(calls, (i) => decideAdmission({ policy: POLICY, running: busy(49), queue: index, nowMs: NOW + i }));
  const decideFifty = time(calls, (i) => decideAdmission({ policy: POLICY, running: [], queue: index, nowMs: NOW + i }));
  let arrivals = queued;
  const update = time(Math.min(calls, 50), () => {
    for (const gone of queue.splice(0, 50)) index.delete(gone);
    for (let j = 0; j < 50; j++) {
      const arrived = run(arrivals++);
      queue.push(arrived);
      index.add(arrived);
    }
  });
  const plan = time(Math.min(calls, 30), (i) => planAdmission({ policy: POLICY, running: busy(49), queued: queue, nowMs: NOW + i }));
  return { queued, decideOne, decideFifty, update, plan };
}

export function coreReport(r: CoreResult): string {
  const f = (p: Percentiles) => `p50=${p.p50.toFixed(3)} p99=${p.p99.toFixed(3)} max=${p.max.toFixed(3)} ms (n=${p.n})`;
  return [
    `${r.queued} queued, maxWorkers 50, 5 priorities, aging on:`,
    `  decision, 49 of 50 slots busy (one admission)   ${f(r.decideOne)}`,
    `  decision, all 50 free (fifty admissions)        ${f(r.decideFifty)}`,
    `  kept queue following 50 out, 50 in, one by one  ${f(r.update)}`,
    `  full plan, every waiting run's place and reason ${f(r.plan)}`,
  ].join('\n');
}
