// What the controllers, the work loop, the writers and the heartbeat receiver tell the
// metrics: one method per kind of event, called at the one place that event is decided.
// Plain data only, so callers never touch prom-client, and `noMetrics` keeps unit tests
// and the simulation free of it. The Prometheus side is prometheus.ts.
import type { V1Job } from '@kubernetes/client-node';
import type { HeartbeatResult } from '../heartbeat/receiver.js';
import type { EventWriteOutcome } from '../kube/events.js';

/**
 * How a run ended for good. stale: the operator ended it for silence (HeartbeatTimeout);
 * never_started: for not starting (StartupTimeout); failed: any other failure.
 */
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'stale' | 'never_started';

/** A run's labels: all bounded (pools and their allowed source/syncType pairs), never a task's name. */
export interface RunLabels {
  namespace: string;
  pool: string;
  source: string;
  syncType: string;
}

export interface PoolRef {
  namespace: string;
  pool: string;
}

export interface Metrics {
  /** A run's final outcome was written (once per run); `durationSeconds` if it started. */
  runFinished(run: RunLabels, outcome: RunOutcome, durationSeconds?: number): void;
  /** The operator ended a running attempt (HeartbeatTimeout, StartupTimeout). */
  runEnded(pool: PoolRef, reason: string): void;
  /** A failed attempt's next attempt was scheduled. */
  retried(pool: PoolRef): void;
  /** The pool's admission of this Job landed, at `atMs`. */
  admitted(job: V1Job, atMs: number): void;
  /** One reconcile of `controller` took `seconds`. */
  reconciled(controller: string, seconds: number, outcome: 'success' | 'error' | 'requeue'): void;
  /** A request to the API server made by the controllers' writers. */
  apiRequest(verb: string): void;
  /** A heartbeat was answered. */
  heartbeat(result: HeartbeatResult): void;
  /** An Event was created, its series updated, its write failed, or it was dropped from a full queue. */
  eventWrite(outcome: EventWriteOutcome): void;
}

export const noMetrics: Metrics = {
  runFinished() {},
  runEnded() {},
  retried() {},
  admitted() {},
  reconciled() {},
  apiRequest() {},
  heartbeat() {},
  eventWrite() {},
};
