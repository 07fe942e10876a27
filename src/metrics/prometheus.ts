// The metrics of one operator process on a prom-client Registry of its own (never the
// global one, so a test can make several): the hooks the controllers call, turned into
// the definitions' counters and histograms, and the gauges read at each scrape.
import type { V1Job } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { HeartbeatResult } from '../heartbeat/receiver.js';
import { queueFields } from '../jobs/classify.js';
import { LABEL_POOL } from '../jobs/labels.js';
import { defineMetrics, type MetricSet, PREFIX, type ScrapeSources } from './definitions.js';
import type { EventWriteOutcome } from '../kube/events.js';
import type { Metrics, PoolRef, RunLabels, RunOutcome } from './hooks.js';
import type { PoolGaugeValues } from './poolGauges.js';

export interface OperatorMetricsOptions extends Partial<ScrapeSources> {
  /** The operator's version (build_info). */
  version: string;
  /** prom-client's process and Node.js metrics, prefixed syncpool_ (default true). */
  processMetrics?: boolean;
}

export class OperatorMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly m: MetricSet;

  constructor(o: OperatorMetricsOptions) {
    this.m = defineMetrics(this.registry, {
      pools: once(o.pools ?? (() => [])),
      isLeader: o.isLeader ?? (() => false),
      queueDepths: o.queueDepths ?? (() => ({})),
    });
    this.m.buildInfo.set({ version: o.version, node: process.version }, 1);
    if (o.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  runFinished(run: RunLabels, outcome: RunOutcome, durationSeconds?: number): void {
    const labels = { namespace: run.namespace, pool: run.pool, source: run.source, sync_type: run.syncType, outcome };
    this.m.runsFinished.inc(labels);
    if (durationSeconds !== undefined) this.m.runDuration.observe({ namespace: run.namespace, pool: run.pool, source: run.source }, durationSeconds);
  }

  runEnded(pool: PoolRef, reason: string): void {
    this.m.staleRuns.inc({ ...pool, reason });
  }

  retried(pool: PoolRef): void {
    this.m.retries.inc({ ...pool });
  }

  admitted(job: V1Job, atMs: number): void {
    const pool = { namespace: job.metadata?.namespace ?? '', pool: job.metadata?.labels?.[LABEL_POOL] ?? '' };
    const created = new Date(job.metadata?.creationTimestamp ?? Number.NaN).getTime();
    // Clocks of the API server and the operator differ a little: never a negative wait.
    if (Number.isFinite(created)) this.m.queueWait.observe(pool, Math.max(0, atMs - created) / 1000);
    this.m.admissionLatency.observe(pool, Math.max(0, atMs - queueFields(job).enqueuedAtMs) / 1000);
  }

  reconciled(controller: string, seconds: number, outcome: 'success' | 'error' | 'requeue'): void {
    this.m.reconcileDuration.observe({ controller }, seconds);
    if (outcome === 'error') this.m.reconcileErrors.inc({ controller });
  }

  apiRequest(verb: string): void {
    this.m.apiRequests.inc({ verb });
  }

  heartbeat(result: HeartbeatResult): void {
    this.m.heartbeats.inc({ result });
  }

  eventWrite(outcome: EventWriteOutcome): void {
    this.m.events.inc({ outcome });
  }
}

/**
 * The four pool gauges are collected one after another in the same turn of the event
 * loop; reading the caches once for all of them keeps one scrape's numbers consistent.
 */
function once(read: () => readonly PoolGaugeValues[]): () => readonly PoolGaugeValues[] {
  let cached: readonly PoolGaugeValues[] | undefined;
  return () => {
    if (cached === undefined) {
      cached = read();
      queueMicrotask(() => { cached = undefined; });
    }
    return cached;
  };
}
