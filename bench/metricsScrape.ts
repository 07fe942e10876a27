// /metrics at scale, in process (no control plane): the leader's caches hold 10,000
// tasks of 50 sources across 10 pools, every (source, syncType, outcome) has finished
// runs, and each scrape recomputes the pool gauges from the caches and renders
// everything. Reports the body's size and series count, and render time percentiles.
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import {
  ALIVE_PODS_BY_POOL, alivePodsByPool, type IndexedCache, LIVE_TASKS_BY_POOL, liveTasksByPool, UNFINISHED_BY_POOL, unfinishedByPool,
} from '../src/controller/indexes.js';
import { ANNOTATION_ENQUEUED_AT, ANNOTATION_PRIORITY, LABEL_POOL, LABEL_SOURCE, LABEL_SYNC_TYPE, LABEL_TASK } from '../src/jobs/labels.js';
import type { PoolObject, TaskObject } from '../src/kube/informers.js';
import type { RunOutcome } from '../src/metrics/hooks.js';
import { readPoolGauges } from '../src/metrics/poolGauges.js';
import { OperatorMetrics } from '../src/metrics/prometheus.js';
import { percentiles } from './stats.js';

/** A cache with the operator's indexes, over plain maps. */
class MemoryCache<T extends KubernetesObject> implements IndexedCache<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, { keysOf: (o: T) => string[]; entries: Map<string, T[]> }>();
  constructor(indexes: Record<string, (o: T) => string[]> = {}) {
    for (const [name, keysOf] of Object.entries(indexes)) this.indexes.set(name, { keysOf, entries: new Map() });
  }
  add(obj: T): void {
    this.objects.set(`${obj.metadata!.namespace}/${obj.metadata!.name}`, obj);
    for (const index of this.indexes.values()) {
      for (const key of index.keysOf(obj)) index.entries.set(key, [...(index.entries.get(key) ?? []), obj]);
    }
  }
  get(namespace: string, name: string): T | undefined { return this.objects.get(`${namespace}/${name}`); }
  list(): T[] { return [...this.objects.values()]; }
  byIndex(name: string, key: string): T[] { return this.indexes.get(name)?.entries.get(key) ?? []; }
}

export interface ScrapeShape { tasks: number; sources: number; syncTypes: number; pools: number; maxWorkers: number }

export interface ScrapeResult {
  shape: ScrapeShape;
  bytes: number;
  lines: number;
  series: Record<string, number>;
  /** A whole scrape, and the part of it spent computing the pool gauges from the caches. */
  renderMs: ReturnType<typeof percentiles>;
  gaugesMs: ReturnType<typeof percentiles>;
}

const OUTCOMES: RunOutcome[] = ['succeeded', 'failed', 'cancelled', 'stale', 'never_started'];

export async function metricsScrape(shape: ScrapeShape, scrapes = 50): Promise<ScrapeResult> {
  const ns = 'data';
  const pools = new MemoryCache<PoolObject>();
  const jobs = new MemoryCache<V1Job>({ [UNFINISHED_BY_POOL]: unfinishedByPool });
  const pods = new MemoryCache<V1Pod>({ [ALIVE_PODS_BY_POOL]: alivePodsByPool });
  const tasks = new MemoryCache<TaskObject>({ [LIVE_TASKS_BY_POOL]: liveTasksByPool });
  for (let p = 0; p < shape.pools; p++) {
    pools.add({ apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { namespace: ns, name: `pool-${p}` },
      spec: { maxWorkers: shape.maxWorkers, template: { image: 'sync:1' } } } as PoolObject);
  }
  const sourceOf = (i: number) => `source-${i % shape.sources}`;
  const poolOf = (i: number) => `pool-${(i % shape.sources) % shape.pools}`;
  const running = new Map<string, number>();
  for (let i = 0; i < shape.tasks; i++) {
    const pool = poolOf(i);
    const name = `task-${i}`;
    const labels = { [LABEL_POOL]: pool, [LABEL_TASK]: name, [LABEL_SOURCE]: sourceOf(i), [LABEL_SYNC_TYPE]: `type-${i % shape.syncTypes}` };
    const admitted = (running.get(pool) ?? 0) < shape.maxWorkers;
    if (admitted) running.set(pool, (running.get(pool) ?? 0) + 1);
    const uid = `uid-${i}`;
    tasks.add({ apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', metadata: { namespace: ns, name, uid },
      spec: { pool, source: sourceOf(i), syncType: labels[LABEL_SYNC_TYPE], priority: i % 10 },
      status: { phase: admitted ? 'Running' : 'Queued', attempt: 1, jobName: `${name}-1` } } as TaskObject);
    jobs.add({ metadata: { namespace: ns, name: `${name}-1`, uid: `job-${uid}`, labels,
      annotations: { [ANNOTATION_PRIORITY]: String(i % 10), [ANNOTATION_ENQUEUED_AT]: new Date(1_700_000_000_000 + i).toISOString() },
      ownerReferences: [{ apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', name, uid, controller: true }] },
    spec: { suspend: !admitted, template: {} }, status: admitted ? { active: 1, startTime: new Date() } : {} } as V1Job);
    if (admitted) pods.add({ metadata: { namespace: ns, name: `${name}-1-x`, labels }, status: { phase: 'Running' } } as V1Pod);
  }
  const gaugeMs: number[] = [];
  const gauges = () => {
    const began = performance.now();
    const values = readPoolGauges({ pools, jobs, pods, tasks });
    gaugeMs.push(performance.now() - began);
    return values;
  };
  const metrics = new OperatorMetrics({ version: 'bench', pools: gauges, isLeader: () => true,
    queueDepths: () => ({ synctask: 0, workerpool: 0, cronjob: 0 }) });
  // The worst case for the run series: every pair has runs of every outcome.
  for (let s = 0; s < shape.sources; s++) {
    for (let t = 0; t < shape.syncTypes; t++) {
      const run = { namespace: ns, pool: poolOf(s), source: `source-${s}`, syncType: `type-${t}` };
      for (const outcome of OUTCOMES) metrics.runFinished(run, outcome, 30 + s);
    }
  }
  for (let p = 0; p < shape.pools; p++) {
    metrics.runEnded({ namespace: ns, pool: `pool-${p}` }, 'HeartbeatTimeout');
    metrics.retried({ namespace: ns, pool: `pool-${p}` });
  }
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < scrapes; i++) {
    const began = performance.now();
    text = (await metrics.scrape()).text;
    times.push(performance.now() - began);
  }
  const series: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const name = /^[a-z_:]+/.exec(line)![0].replace(/_(bucket|sum|count)$/, '');
    series[name] = (series[name] ?? 0) + 1;
  }
  return { shape, bytes: Buffer.byteLength(text), lines: lines.length, series, renderMs: percentiles(times), gaugesMs: percentiles(gaugeMs) };
}

export function scrapeReport(r: ScrapeResult): string {
  const top = Object.entries(r.series).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, c]) => `${n} ${c}`).join(', ');
  const ms = (x: number) => x.toFixed(1);
  return [
    `/metrics with ${r.shape.tasks} tasks (${r.shape.sources} sources × ${r.shape.syncTypes} sync types, every outcome seen; ${r.shape.pools} pools of ${r.shape.maxWorkers}):`,
    `  body ${(r.bytes / 1024).toFixed(0)} KiB, ${r.lines} samples; largest: ${top}`,
    `  render p50=${ms(r.renderMs.p50)} p90=${ms(r.renderMs.p90)} p99=${ms(r.renderMs.p99)} max=${ms(r.renderMs.max)} ms (n=${r.renderMs.n});`
      + ` of which pool gauges from the caches p50=${ms(r.gaugesMs.p50)} p99=${ms(r.gaugesMs.p99)} ms`,
  ].join('\n');
}
