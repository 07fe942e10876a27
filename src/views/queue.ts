// A pool's queue in the order its runs will start, with why each waits. Positions come
// from the admission plan itself, so "position 1" is the run the next free slot goes to.
import { effectivePriority, orderQueue } from '../core/ordering.js';
import type { QueuedRun, WaitReason } from '../core/types.js';
import { jobName, LABEL_TASK } from '../jobs/labels.js';
import type { PoolContents } from './cluster.js';
import type { PoolLoad } from './load.js';

/**
 * Besides the admission core's reasons: Admitting (the plan would start it now; the
 * operator is writing it, or this view is a moment ahead of it) and PoolInvalid.
 */
export type QueueReason = WaitReason | 'Admitting' | 'PoolInvalid';

export interface QueueEntry {
  /** 1-based place in the order runs will start. */
  position: number;
  /** The Job's name (`<task>-<attempt>`), made or about to be made. */
  job: string;
  /** The SyncTask it runs for; undefined for a run of an adopted CronJob. */
  task?: string;
  source: string;
  syncType: string;
  priority: number;
  /** Priority plus aging: what the order uses. */
  effectivePriority: number;
  enqueuedAt: string;
  waitingSeconds: number;
  reason: QueueReason;
  /** false while the task's Job is not created yet (it holds its place all the same). */
  jobCreated: boolean;
}

export function queueOf({ jobs, tasks }: PoolContents, load: PoolLoad, nowMs: number): QueueEntry[] {
  const jobTask = new Map(jobs.map((j) => [j.metadata!.name!, j.metadata?.labels?.[LABEL_TASK]]));
  const reservedTask = new Map(tasks.map((t) => [jobName(t.metadata!.name!, t.status?.attempt ?? 1), t.metadata!.name!]));
  const aging = load.policy?.agingIntervalMs;
  const entry = (run: QueuedRun, position: number, reason: QueueReason): QueueEntry => {
    const reserved = load.snapshot.reserved.has(run.name);
    return {
      position,
      job: run.name,
      task: reserved ? reservedTask.get(run.name) : jobTask.get(run.name),
      source: run.source,
      syncType: run.syncType,
      priority: run.priority,
      effectivePriority: effectivePriority(run, aging, nowMs),
      enqueuedAt: new Date(run.enqueuedAtMs).toISOString(),
      waitingSeconds: Math.max(0, Math.round((nowMs - run.enqueuedAtMs) / 1000)),
      reason,
      jobCreated: !reserved,
    };
  };
  if (load.invalid !== undefined) {
    return orderQueue(load.snapshot.queued, undefined, nowMs).map((run, i) => entry(run, i + 1, 'PoolInvalid'));
  }
  const { admit, waiting } = load.plan;
  return [
    ...admit.map((run, i) => entry(run, i + 1, 'Admitting')),
    ...waiting.map((w) => entry(w.run, admit.length + w.position, w.reason)),
  ];
}
