// Is a running attempt alive? Pure: the reconciler gathers the facts (its Job, its pod,
// the heartbeat store), this decides, and says when to look again.
//
// Two ways an admitted run is given up on:
// - it never started: no pod running `startupTimeout` after admission (refused pods,
//   unschedulable, an image that cannot be pulled). It would hold a slot forever.
// - it went stale: running, but no heartbeat for `staleAfter`. Times are the operator's
//   receive times, never the worker's clock; and nothing is stale until `staleAfter`
//   after the heartbeat store was last known complete (a restart, a flush, Redis away),
//   so a gap in the store never fails every run at once.

export interface RunFacts {
  /** When the Job was admitted (its start time). */
  admittedAtMs: number;
  /** When its pod was first seen running; undefined while it has not started. */
  runningSinceMs?: number;
  /** The newest heartbeat of this attempt known anywhere (store or status). */
  lastHeartbeatMs?: number;
  /** Since when the heartbeat store holds everything (see src/heartbeat/store.ts). */
  storeCompleteSinceMs: number;
  staleAfterMs: number;
  startupTimeoutMs: number;
  /** Optional: a run that never sent a heartbeat is never stale. */
  heartbeat: 'Required' | 'Optional';
}

export type Liveness =
  | { verdict: 'alive'; recheckAtMs: number }
  | { verdict: 'neverStarted'; waitedMs: number }
  | { verdict: 'stale'; silentForMs: number; lastHeartbeatMs?: number };

export function judgeRun(run: RunFacts, nowMs: number): Liveness {
  if (run.runningSinceMs === undefined) {
    const deadline = run.admittedAtMs + run.startupTimeoutMs;
    if (nowMs >= deadline) return { verdict: 'neverStarted', waitedMs: nowMs - run.admittedAtMs };
    return { verdict: 'alive', recheckAtMs: deadline };
  }
  // Look again later all the same: the first heartbeat starts the clock.
  if (run.heartbeat === 'Optional' && run.lastHeartbeatMs === undefined) return { verdict: 'alive', recheckAtMs: nowMs + run.staleAfterMs };
  const since = Math.max(run.runningSinceMs, run.lastHeartbeatMs ?? -Infinity, run.storeCompleteSinceMs);
  const deadline = since + run.staleAfterMs;
  if (nowMs >= deadline) {
    const heard = Math.max(run.runningSinceMs, run.lastHeartbeatMs ?? -Infinity);
    return { verdict: 'stale', silentForMs: nowMs - heard, lastHeartbeatMs: run.lastHeartbeatMs };
  }
  return { verdict: 'alive', recheckAtMs: deadline };
}
