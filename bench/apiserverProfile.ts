// Where kube-apiserver's CPU goes during a drain: its own Go CPU profile (/debug/pprof/profile,
// served by default to an admin), taken over a fixed window from the moment the queue is let
// go, so syncpool's drain and the oracle's are sampled alike. `go tool pprof` reads the file;
// the summary sorts the samples by the kind of work their stack shows, per task finished
// within the window.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { KubeClients } from '../src/kube/client.js';
import { apiserverGet } from './apiserverMetrics.js';

/** Seconds per profile (SYNCPOOL_BENCH_APISERVER_PROFILE), 0 or unset: none. */
export function apiserverProfileSeconds(): number {
  const s = Number(process.env.SYNCPOOL_BENCH_APISERVER_PROFILE ?? '0');
  if (!Number.isInteger(s) || s < 0) throw new Error(`SYNCPOOL_BENCH_APISERVER_PROFILE must be whole seconds, got ${process.env.SYNCPOOL_BENCH_APISERVER_PROFILE}`);
  return s;
}

/** Resolves with the profile once `seconds` have passed (the API server holds the request that long). */
export function fetchApiserverProfile(kube: KubeClients, seconds: number): Promise<Buffer> {
  return apiserverGet(kube, `/debug/pprof/profile?seconds=${seconds}`);
}

/**
 * What the API server was doing in a sample, by the first of these its stack matches: the
 * write paths first (a status write's CEL, managed fields and etcd round trip count as
 * that write), then watches, reads, per-request authentication, serving, the collector.
 */
const WORK: [label: string, frame: RegExp][] = [
  ['SyncTask status writes', /customresource\.\(\*StatusREST\)\.Update/],
  ['other custom resource writes', /apiextensions-apiserver\/pkg\/registry\/customresource\./],
  ['Job status writes (the Job controller)', /batch\/job\/storage\.\(\*StatusREST\)\.Update/],
  ['pod status writes (kwok)', /pod\/storage\.\(\*StatusREST\)\.Update/],
  ['other writes (Jobs, pods, bindings, Events)', /handlers\.(\(\*patcher\)|createHandler|UpdateResource|DeleteResource)|BindingREST|registry\.\(\*Store\)\.(Create|Update|Delete)/],
  ['watches served (encode, send)', /handlers\.\(\*WatchServer\)|handlers\.\(\*watchEncoder\)|cacher\.\(\*cacheWatcher\)/],
  ['watch cache (etcd watch, dispatch)', /storage\/cacher\.|etcd3\.\(\*watchChan\)|etcd3\.\(\*watcher\)/],
  ['reads (get, list)', /handlers\.(ListResource|GetResource|getResourceHandler)/],
  ['authentication (client certificates)', /withAuthentication|crypto\/x509\./],
  ['HTTP and TLS serving', /net\/http\.|crypto\/tls\.|golang\.org\/x\/net\/http2/],
  ['garbage collection', /runtime\.gcBgMarkWorker/],
];
const OTHER = 'other';

export interface ApiserverProfile {
  file: string;
  seconds: number;
  /** Tasks our watch saw finish inside the window. */
  tasksFinished: number;
  /** All samples, CPU ms per task finished in the window. */
  totalMsPerTask: number;
  /** label → CPU ms per task finished in the window. */
  msPerTask: Record<string, number>;
}

const toMs = (n: string, unit: string) => Number(n) * (unit === 's' ? 1000 : unit === 'min' ? 60_000 : unit === 'us' || unit === 'µs' ? 1e-3 : 1);

/** Saves the profile and sorts its samples into WORK by stack (`go tool pprof -traces`). */
export function summarizeApiserverProfile(profile: Buffer, file: string, seconds: number, tasksFinished: number): ApiserverProfile {
  writeFileSync(file, profile);
  const traces = execFileSync('go', ['tool', 'pprof', '-traces', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = new Map<string, number>();
  let total = 0;
  // Each trace: a line "<time> <leaf frame>", then one caller frame per line, then a rule.
  for (const block of traces.split(/^-+\+-+$/m)) {
    const head = /^\s*(\d+(?:\.\d+)?)(ms|s|min|us|µs)\s+(.*)$/m.exec(block);
    if (!head) continue;
    const sample = toMs(head[1]!, head[2]!);
    const stack = block.slice(head.index);
    const label = WORK.find(([, frame]) => frame.test(stack))?.[0] ?? OTHER;
    ms.set(label, (ms.get(label) ?? 0) + sample);
    total += sample;
  }
  const perTask = (x: number) => Math.round((x / Math.max(1, tasksFinished)) * 100) / 100;
  const msPerTask: Record<string, number> = {};
  for (const [label, x] of ms) msPerTask[label] = perTask(x);
  return { file, seconds, tasksFinished, totalMsPerTask: perTask(total), msPerTask };
}

export function apiserverProfileReport(who: string, p: ApiserverProfile): string {
  const rows = [...WORK.map(([label]) => label), OTHER].filter((label) => p.msPerTask[label] !== undefined)
    .map((label) => `    ${label.padEnd(46)} ${p.msPerTask[label]!.toFixed(2).padStart(6)} ms`);
  return [
    `  ${who}: kube-apiserver CPU per task over the first ${p.seconds} s, ${p.totalMsPerTask.toFixed(1)} ms (${p.tasksFinished} tasks finished; ${p.file}):`,
    ...rows,
  ].join('\n');
}
