// The numbers a WorkerPool's status, printer columns and gauges show.
import type { PoolPolicy } from './types.js';

export interface PoolSummary {
  active: number;
  queued: number;
  /** Whole percent of the cap in use, e.g. "67%". */
  utilization: string;
  /** Work is queued and there is no free slot for it. */
  saturated: boolean;
}

/**
 * Utilization may exceed 100% right after the cap is lowered below the running count: that
 * is the truth, and hiding it would make a lowered cap look already in effect. With a cap
 * of 0 there is no ratio; anything running then counts as a full pool ("100%").
 *
 * A paused pool is not saturated merely because it is paused: pausing is reported on its
 * own, and saturation means "more workers would help".
 */
export function summarizePool(policy: PoolPolicy, active: number, queued: number): PoolSummary {
  return {
    active,
    queued,
    utilization: `${utilizationPercent(policy.maxWorkers, active)}%`,
    saturated: queued > 0 && active >= policy.maxWorkers,
  };
}

function utilizationPercent(maxWorkers: number, active: number): number {
  if (maxWorkers <= 0) return active > 0 ? 100 : 0;
  return Math.round((active / maxWorkers) * 100);
}
