// A WorkerPool as people look at it: its numbers, a one-word state and a sentence saying
// why, what runs, what waits (in admission order), and what finished lately. Shared by
// the status page and `kubectl syncpool`; pure.
import { byPool, type ClusterState, type PoolContents } from './cluster.js';
import { loadOf } from './load.js';
import { queueOf, type QueueEntry } from './queue.js';
import { type FinishedRun, recentOutcomes, runningOf, type RunningRun } from './runs.js';

/**
 * - Available: a slot is free and nothing waits.
 * - Busy: every slot is taken but nothing waits, or runs wait only for their source's
 *   limit or a running duplicate.
 * - Overloaded: runs wait and every slot is taken: the queue is building up.
 * - Paused: admits nothing (spec.paused, or a cap of 0); running runs continue.
 * - Invalid: the spec cannot be used; it admits nothing until fixed.
 */
export type PoolState = 'Available' | 'Busy' | 'Overloaded' | 'Paused' | 'Invalid';

export interface PoolView {
  namespace: string;
  name: string;
  maxWorkers: number;
  active: number;
  queued: number;
  /** active / maxWorkers; may exceed 1 right after the cap is lowered; 0 or 1 with a cap of 0. */
  utilization: number;
  paused: boolean;
  state: PoolState;
  /** The state in words. */
  message: string;
  sourceLimits: Record<string, number>;
}

export interface PoolDetail extends PoolView {
  running: RunningRun[];
  queue: QueueEntry[];
  recent: FinishedRun[];
}

export interface ViewOptions {
  nowMs: number;
  /** How many finished runs to list per pool (newest first). */
  recent?: number;
}

export function viewPool(contents: PoolContents, o: ViewOptions): PoolDetail {
  const { pool } = contents;
  const load = loadOf(contents, o.nowMs);
  const maxWorkers = Number(pool.spec?.maxWorkers) || 0;
  const { active, queued } = load;
  const utilization = maxWorkers > 0 ? active / maxWorkers : active > 0 ? 1 : 0;
  const queue = queueOf(contents, load, o.nowMs);
  // Runs the plan starts now are about to take slots, not waiting for one.
  const admitting = queue.filter((q) => q.reason === 'Admitting').length;
  const waiting = queue.length - admitting;
  const { state, message } = stateOf({ invalid: load.invalid, paused: pool.spec?.paused ?? false, maxWorkers, active, admitting, waiting });
  return {
    namespace: pool.metadata!.namespace!,
    name: pool.metadata!.name!,
    maxWorkers, active, queued, utilization,
    paused: pool.spec?.paused ?? false,
    state, message,
    sourceLimits: pool.spec?.sourceLimits ?? {},
    running: runningOf(contents, o.nowMs),
    queue,
    recent: recentOutcomes(contents, o.recent ?? 20),
  };
}

/** Every pool of the state, by namespace then name. */
export function viewPools(state: ClusterState, o: ViewOptions): PoolDetail[] {
  return byPool(state).map((c) => viewPool(c, o))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** The summary without the lists (for `status` and the pools index). */
export function summaryOf({ running: _r, queue: _q, recent: _f, ...view }: PoolDetail): PoolView {
  return view;
}

interface StateFacts {
  invalid?: string;
  paused: boolean;
  maxWorkers: number;
  active: number;
  /** Runs the admission plan starts now (the operator is writing them, or this view is a moment ahead). */
  admitting?: number;
  /** Runs that wait: not admitting. */
  waiting: number;
}

export function stateOf({ invalid, paused, maxWorkers, active, admitting = 0, waiting }: StateFacts): { state: PoolState; message: string } {
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  if (invalid !== undefined) return { state: 'Invalid', message: `spec cannot be used: ${invalid}` };
  if (paused) return { state: 'Paused', message: `paused: ${runs(waiting)} waiting; ${active} running continue` };
  // A cap of 0 is a way to stop admitting, not a pool short of slots.
  if (maxWorkers <= 0) return { state: 'Paused', message: `admits nothing (maxWorkers 0): ${runs(waiting)} waiting; ${active} running continue` };
  const starting = admitting > 0 ? `; ${admitting} starting` : '';
  const free = Math.max(0, maxWorkers - active - admitting);
  const all = maxWorkers === 1 ? 'the only slot' : `all ${maxWorkers} slots`;
  if (waiting > 0 && free === 0) return { state: 'Overloaded', message: `${runs(waiting)} waiting, ${all} busy${starting}` };
  if (waiting > 0) return { state: 'Busy', message: `${runs(waiting)} waiting for their source's limit or a running duplicate; ${free} of ${maxWorkers} slots free${starting}` };
  if (free === 0) return { state: 'Busy', message: `${all} busy, nothing waiting${starting}` };
  return { state: 'Available', message: `${free} of ${maxWorkers} slots free${starting}` };
}
