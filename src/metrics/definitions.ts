// Every syncpool_ metric, in one place: its name, help, labels and buckets. Prometheus
// naming: base units (seconds, ratios), counters end in _total. Labels are bounded: pools,
// namespaces, the pools' sources and sync types, outcomes, verbs, controllers, reasons;
// never a task's name or parameters.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolGaugeValues } from './poolGauges.js';

/** The prefix of prom-client's process and Node.js metrics (syncpool_process_cpu_seconds_total, …). */
export const PREFIX = 'syncpool_';

const POOL = ['namespace', 'pool'] as const;
const RUN = ['namespace', 'pool', 'source', 'sync_type'] as const;

/** Syncs take seconds to hours. */
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400];
/** From a fraction of a second (a free slot) to hours (a long queue). Timestamps are whole seconds. */
const WAIT_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
const RECONCILE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the gauges read at each scrape. */
export interface ScrapeSources {
  /** Every pool's numbers, as the leader's caches show them now; none on a standby. */
  pools(): readonly PoolGaugeValues[];
  isLeader(): boolean;
  /** Keys waiting per work queue. */
  queueDepths(): Record<string, number>;
}

export function defineMetrics(registry: Registry, sources: ScrapeSources) {
  const registers = [registry];
  /** A pool gauge: recomputed from the caches at each scrape, so it never drifts and a deleted pool drops out. */
  const poolGauge = (name: string, help: string, value: (p: PoolGaugeValues) => number) => new Gauge({
    name, help: `${help} Reported by the leader only.`, labelNames: POOL, registers,
    collect() {
      this.reset();
      for (const p of sources.pools()) this.set({ namespace: p.namespace, pool: p.pool }, value(p));
    },
  });
  return {
    poolMaxWorkers: poolGauge('syncpool_pool_max_workers', 'The pool\'s cap on runs at once (spec.maxWorkers).', (p) => p.maxWorkers),
    poolActiveRuns: poolGauge('syncpool_pool_active_runs', 'Runs holding one of the pool\'s slots: admitted, and their pod not yet gone.', (p) => p.active),
    poolQueuedRuns: poolGauge('syncpool_pool_queued_runs', 'The pool\'s queue: its suspended Jobs waiting for a slot.', (p) => p.queued),
    poolUtilization: poolGauge('syncpool_pool_utilization_ratio',
      'Active runs / maxWorkers; above 1 right after maxWorkers is lowered below the running count; with maxWorkers 0, 1 if anything runs, else 0.', (p) => p.utilization),

    // Runs.
    runsFinished: new Counter({
      name: 'syncpool_runs_finished_total',
      help: 'Runs (a one-shot task, or one run of a periodic task, retries included) by final outcome: succeeded, failed, cancelled, stale (HeartbeatTimeout), never_started (StartupTimeout).',
      labelNames: [...RUN, 'outcome'], registers,
    }),
    // By pool and source only: with sync type and outcome too, 50 sources × 4 types × 5
    // outcomes × 18 series made /metrics 2.5 MB and 100 ms to render (npm run bench).
    runDuration: new Histogram({
      name: 'syncpool_run_duration_seconds', help: 'From a finished run\'s (last attempt\'s) start to its end, for runs that started, whatever their outcome.',
      labelNames: ['namespace', 'pool', 'source'], buckets: RUN_BUCKETS, registers,
    }),
    queueWait: new Histogram({
      name: 'syncpool_queue_wait_seconds', help: 'From a run\'s Job being created (queued, suspended) to its admission.',
      labelNames: POOL, buckets: WAIT_BUCKETS, registers,
    }),
    admissionLatency: new Histogram({
      name: 'syncpool_admission_latency_seconds',
      help: 'From a run becoming due (its task applied, its retry time, its CronJob run made) to its admission: the queue wait plus the time to make its Job.',
      labelNames: POOL, buckets: WAIT_BUCKETS, registers,
    }),
    // Both exist at 0 for every pool the leader knows: a series that appears only on its
    // first increment hides that increment from rate() and increase().
    staleRuns: new Counter({
      name: 'syncpool_stale_runs_total', help: 'Running attempts the operator ended, by reason: HeartbeatTimeout, StartupTimeout.',
      labelNames: [...POOL, 'reason'], registers,
      collect() {
        for (const p of sources.pools()) {
          for (const reason of ['HeartbeatTimeout', 'StartupTimeout']) this.inc({ namespace: p.namespace, pool: p.pool, reason }, 0);
        }
      },
    }),
    retries: new Counter({
      name: 'syncpool_retries_total', help: 'Failed attempts given another attempt.',
      labelNames: POOL, registers,
      collect() {
        for (const p of sources.pools()) this.inc({ namespace: p.namespace, pool: p.pool }, 0);
      },
    }),
    events: new Counter({
      name: 'syncpool_events_total',
      help: 'Events the operator wrote (created; updated: a repeat counted in its series), failed to write, or dropped from a full queue.',
      labelNames: ['outcome'], registers,
    }),
    heartbeats: new Counter({
      name: 'syncpool_heartbeats_total',
      help: 'Heartbeats answered by this replica: accepted, unauthenticated, not_a_run, run_finished, invalid_body, unavailable, error.',
      labelNames: ['result'], registers,
    }),

    // The operator itself.
    reconcileDuration: new Histogram({
      name: 'syncpool_reconcile_duration_seconds', help: 'How long one reconcile took.',
      labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers,
    }),
    reconcileErrors: new Counter({
      name: 'syncpool_reconcile_errors_total', help: 'Reconciles that failed (retried with backoff, or dropped when retrying cannot help).',
      labelNames: ['controller'], registers,
    }),
    workqueueDepth: new Gauge({
      name: 'syncpool_workqueue_depth', help: 'Keys waiting for a worker (not those being reconciled or waiting out a delay).',
      labelNames: ['queue'], registers,
      collect() {
        for (const [queue, depth] of Object.entries(sources.queueDepths())) this.set({ queue }, depth);
      },
    }),
    apiRequests: new Counter({
      name: 'syncpool_api_requests_total', help: 'Requests the controllers sent to the API server (writes and their few live reads), by verb.',
      labelNames: ['verb'], registers,
    }),
    leader: new Gauge({
      name: 'syncpool_leader', help: '1 on the replica holding the Lease (the one running the controllers and reporting pool gauges), else 0.',
      registers,
      collect() {
        this.set(sources.isLeader() ? 1 : 0);
      },
    }),
    buildInfo: new Gauge({
      name: 'syncpool_build_info', help: 'Always 1; the labels say what runs.', labelNames: ['version', 'node'], registers,
    }),
  };
}

export type MetricSet = ReturnType<typeof defineMetrics>;
