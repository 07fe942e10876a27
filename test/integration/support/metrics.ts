// Reading the operator's /metrics as Prometheus would (a tiny parser of the text
// exposition format), and an independent count of each pool's running and queued Jobs
// over time, from the test's own watch, to hold the pool gauges against.
import { type V1Job, Watch } from '@kubernetes/client-node';
import { jobState } from '../../../src/jobs/classify.js';
import { LABEL_POOL } from '../../../src/jobs/labels.js';
import type { KubeClients } from '../../../src/kube/client.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (version 0.0.4): one sample per non-comment line. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? +(\S+)(?: +-?\d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? ''), value: parseValue(m[3]!) });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;
  let m: RegExpExecArray | null;
  while (pair.lastIndex < text.length && (m = pair.exec(text))) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  if (pair.lastIndex < text.length && text.slice(pair.lastIndex).trim() !== '') throw new Error(`bad labels: {${text}}`);
  return labels;
}

/** Prometheus reads NaN and Inf case-insensitively (prom-client writes `Nan`, e.g. an event loop lag with no sample yet). */
function parseValue(text: string): number {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (word === 'nan') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad sample value: ${text}`);
  return value;
}

export class Scrape {
  constructor(readonly samples: Sample[], readonly contentType: string, readonly startedAt: number, readonly endedAt: number) {}

  /** Samples of `name` whose labels include `labels`. */
  all(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The one sample's value, undefined if there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.all(name, labels);
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  }

  sum(name: string, labels: Record<string, string> = {}): number {
    return this.all(name, labels).reduce((total, s) => total + s.value, 0);
  }

  /** Sums by one label's values, e.g. runs finished by outcome. */
  sumBy(name: string, label: string, labels: Record<string, string> = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.all(name, labels)) out[s.labels[label] ?? ''] = (out[s.labels[label] ?? ''] ?? 0) + s.value;
    return out;
  }
}

/** GET /metrics of an operator on 127.0.0.1:`port`. */
export async function scrapeMetrics(port: number): Promise<Scrape> {
  const startedAt = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const endedAt = Date.now();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`);
  return new Scrape(parseExposition(text), res.headers.get('content-type') ?? '', startedAt, endedAt);
}

type Count = { atMs: number; running: number; queued: number };

/**
 * Each pool's running Jobs (holding a slot) and queued Jobs (suspended, waiting) after
 * every change our own watch saw, with when we saw it.
 */
export class PoolJobCounts {
  private readonly jobs = new Map<string, V1Job>();
  private readonly history = new Map<string, Count[]>();
  private request?: { abort(): void };

  constructor(private readonly kube: KubeClients, private readonly namespace: string) {}

  async start(): Promise<void> {
    const watch = new Watch(this.kube.config);
    this.request = await watch.watch(`/apis/batch/v1/namespaces/${this.namespace}/jobs`, {}, (type, job: V1Job) => {
      const pool = job.metadata?.labels?.[LABEL_POOL];
      if (!pool) return;
      if (type === 'DELETED') this.jobs.delete(job.metadata!.name!);
      else this.jobs.set(job.metadata!.name!, job);
      this.record(pool);
    }, () => undefined);
  }

  stop(): void {
    this.request?.abort();
  }

  /** Now, as our watch shows it. */
  now(pool: string): { running: number; queued: number } {
    const last = this.history.get(pool)?.at(-1);
    return { running: last?.running ?? 0, queued: last?.queued ?? 0 };
  }

  /** Every value `what` took from `fromMs` (the one it had then) to `toMs`. */
  valuesBetween(pool: string, what: 'running' | 'queued', fromMs: number, toMs: number): number[] {
    const counts = this.history.get(pool) ?? [];
    const values = new Set<number>();
    let before = 0;
    for (const c of counts) {
      if (c.atMs <= fromMs) before = c[what];
      else if (c.atMs <= toMs) values.add(c[what]);
    }
    values.add(before);
    return [...values].sort((a, b) => a - b);
  }

  private record(pool: string): void {
    const mine = [...this.jobs.values()].filter((j) => j.metadata?.labels?.[LABEL_POOL] === pool);
    const running = mine.filter((j) => jobState(j) === 'Running').length;
    const queued = mine.filter((j) => jobState(j) === 'Queued').length;
    const counts = this.history.get(pool) ?? [];
    const last = counts.at(-1);
    if (last?.running !== running || last?.queued !== queued) counts.push({ atMs: Date.now(), running, queued });
    this.history.set(pool, counts);
  }
}
