// npm run bench: reproducible benchmarks of a real operator process against the local
// control plane, written to bench/results/ as JSON and Markdown with the machine and the
// targets of issue 13 beside what was measured. Every run checks itself (all tasks
// Succeeded, never more Jobs admitted than the cap) and fails rather than report a
// figure from a run that went wrong.
//
// Two control-plane settings, each a fresh testbed:
//   controller-bound: the controller-manager at its default client rate (20 QPS): the
//     Job controller is the bound; syncpool should keep up with the oracle.
//   admission-bound: that rate raised (SYNCPOOL_BENCH_QPS, default 200): the operator's
//     own admission speed shows. Every section but the first drain runs here.
// With SYNCPOOL_TEST_KUBECONFIG set, everything runs on that cluster as it is configured.
// The operator runs in a memory cgroup of the chart's limit where the bench can make one
// (SYNCPOOL_BENCH_MEMORY_LIMIT=0: never; see memoryLimit.ts).
//
// Sections (SYNCPOOL_BENCH_ONLY: a comma list; default all):
//   starts     testbed warm start (SYNCPOOL_BENCH_STARTS, default 5)
//   drain      SYNCPOOL_BENCH_DRAIN_TASKS (2000) one-shot tasks, maxWorkers 50, syncpool
//              beside the oracle, SYNCPOOL_BENCH_DRAIN_PAIRS (3) pairs admission-bound;
//              SYNCPOOL_BENCH_SLOW_TASKS (2000) in SYNCPOOL_BENCH_SLOW_PAIRS (1) pairs
//              controller-bound (about 10 minutes per 2,000-task drain on 2 cores);
//              SYNCPOOL_BENCH_APISERVER_PROFILE=<seconds>: also a CPU profile of
//              kube-apiserver over each drain's first seconds (needs `go`)
//   latency    admission (SYNCPOOL_BENCH_ADMISSIONS, 200) and slot-refill (SYNCPOOL_BENCH_SAMPLES,
//              40) latency, empty and at each queue depth
//   depth      API requests, CPU and memory per task at each queue depth
//              (SYNCPOOL_BENCH_DEPTHS, default 100,1000,10000), then the deepest again
//              with a CPU profile (SYNCPOOL_BENCH_PROFILE=0: not)
//   core       the pure admission core with 100,000 queued
//   heartbeat  heartbeats accepted per second (SYNCPOOL_BENCH_HEARTBEAT_TASKS, 1000)
//   metrics    /metrics size and render time with 10,000 tasks (in process)
import { launch, stop } from '../src/testbed/launcher.js';
import { coreBench, coreReport } from './core.js';
import { type DepthResult, queueDepth } from './depth.js';
import { apiserverProfileSeconds } from './apiserverProfile.js';
import { compareDrains, type DrainComparison, drainReport } from './drainCompare.js';
import { assertAllAccepted, type HeartbeatPlan, type HeartbeatResult, heartbeatReport, heartbeatScenario } from './heartbeat.js';
import { type ScenarioResult, scenario } from './latency.js';
import { metricsScrape, scrapeReport } from './metricsScrape.js';
import { BenchReport } from './report.js';
import { fmt, mib, secs } from './stats.js';
import { testbedStart } from './testbed.js';

const SECTIONS = ['starts', 'drain', 'latency', 'depth', 'core', 'heartbeat', 'metrics'] as const;
type Section = typeof SECTIONS[number];
const ON_CLUSTER: Section[] = ['drain', 'latency', 'depth', 'heartbeat'];

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${raw}`);
  return n;
}

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const xs = raw.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`${name} must be a comma list of whole numbers > 0, got ${raw}`);
  return xs;
}

function sections(): Set<Section> {
  const raw = process.env.SYNCPOOL_BENCH_ONLY;
  if (!raw) return new Set(SECTIONS);
  const asked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`SYNCPOOL_BENCH_ONLY must list sections among ${SECTIONS.join(', ')}, got ${raw}`);
  return new Set(asked as Section[]);
}

const settings = () => ({
  drainTasks: envCount('SYNCPOOL_BENCH_DRAIN_TASKS', 2000),
  drainPairs: envCount('SYNCPOOL_BENCH_DRAIN_PAIRS', 3),
  slowTasks: envCount('SYNCPOOL_BENCH_SLOW_TASKS', 2000),
  slowPairs: envCount('SYNCPOOL_BENCH_SLOW_PAIRS', 1),
  qps: envCount('SYNCPOOL_BENCH_QPS', 200),
  depths: envList('SYNCPOOL_BENCH_DEPTHS', [100, 1000, 10_000]),
  samples: envCount('SYNCPOOL_BENCH_SAMPLES', 40),
  admissions: envCount('SYNCPOOL_BENCH_ADMISSIONS', 200),
  profile: process.env.SYNCPOOL_BENCH_PROFILE !== '0',
  apiserverProfileSeconds: apiserverProfileSeconds(),
  starts: envCount('SYNCPOOL_BENCH_STARTS', 5),
  heartbeatTasks: envCount('SYNCPOOL_BENCH_HEARTBEAT_TASKS', 1000),
  heartbeatSeconds: envCount('SYNCPOOL_BENCH_HEARTBEAT_SECONDS', 60),
  timeoutMs: 1_800_000,
});
type Settings = ReturnType<typeof settings>;

/** Runs `fn` on a fresh testbed with the given controller-manager rate, or on the configured cluster. */
async function onTestbed<T>(qps: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (process.env.SYNCPOOL_BENCH_CLUSTER) return fn();
  const state = await launch({ attached: true, controllerManagerQps: qps });
  process.env.SYNCPOOL_TEST_KUBECONFIG = state.kubeconfig;
  try {
    return await fn();
  } finally {
    delete process.env.SYNCPOOL_TEST_KUBECONFIG;
    await stop(state.dir);
  }
}

function drainTargets(report: BenchReport, c: DrainComparison, ratioTarget: number): void {
  const m = c.median;
  report.target({
    figure: `drain ${c.plan.tasks} tasks, ${c.setting}: time vs oracle`, target: `≤ ${ratioTarget}×`,
    measured: `${m.ratio.toFixed(2)}× (${secs(m.syncpoolMs)} vs ${secs(m.oracleMs)}; mean slots busy ${m.syncpoolMeanBusy.toFixed(1)} vs ${m.oracleMeanBusy.toFixed(1)})`,
    met: m.ratio <= ratioTarget,
  });
  report.target({
    figure: `drain ${c.plan.tasks} tasks, ${c.setting}: API server CPU vs oracle`, target: '≤ 1.2×',
    measured: `${m.apiserverCpuRatio.toFixed(2)}×`, met: m.apiserverCpuRatio <= 1.2,
  });
}

function latencyReport(rows: { label: string; r: ScenarioResult }[]): string {
  return rows.map(({ label, r }) => [
    `${label}:`,
    `  admission (SyncTask created, free slot → Job unsuspended)  ${fmt(r.admission)}`,
    `    from the create request instead:                         ${fmt(r.admissionFromRequest)}`,
    `    the task's create itself (request → answer; the API server's write):   ${fmt(r.taskCreate)}`,
    `  slot refill (Job finished → next Job unsuspended)          ${fmt(r.refill)}`,
    `  operator start → synced and idle ${secs(r.settleMs)}; RSS settled ${mib(r.rssSettled)}, after ${mib(r.rssEnd)}`
      + (r.crowd ? `; crowd of ${r.crowd.jobs} Jobs loaded in ${secs(r.crowd.ms)}` : ''),
  ].join('\n')).join('\n');
}

function depthReport(rows: DepthResult[]): string {
  const lines = rows.map((d) => [
    `queue depth ${d.depth} (one pool, maxWorkers 50${d.profile ? '; again, with the CPU profiler on' : ''}): drained in ${secs(d.drainMs)}, peak ${d.peakBusy} busy`,
    `  operator writes per task: ${d.writesPerTask} = ${Object.entries(d.apiserverWritesPerTask).map(([k, v]) => `${k} ${v}`).join(', ')} (kube-apiserver's count)`
      + `, Events ${(d.eventsPerTask.created ?? 0) + (d.eventsPerTask.updated ?? 0)} (its own count: ${Object.entries(d.eventsPerTask).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`,
    `  of which refused by the API server: ${Object.entries(d.refusedWritesPerTask).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `  operator requests per task (its own count, by verb): ${Object.entries(d.operatorRequestsPerTask).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  operator CPU per task: ${d.cpuMsPerTaskQueueing} ms queueing + ${d.cpuMsPerTaskDraining} ms draining; RSS ${mib(d.rssQueuedBytes)} with the queue full`
      + ` (V8 heap ${mib(d.heapUsedQueuedBytes)} used of ${mib(d.heapTotalQueuedBytes)}), peak ${mib(d.rssPeakBytes)}`,
    `  pool admission cycles per task: ${d.poolCyclesPerTaskQueueing} queueing, ${d.poolCyclesPerTaskDraining} draining`,
  ].join('\n'));
  const prof = rows.find((d) => d.profile)?.profile;
  if (prof) {
    lines.push(`CPU profile at depth ${rows.find((d) => d.profile)!.depth} (${secs(prof.busyMs)} sampled, idle excluded):`);
    lines.push(`  by area: ${prof.byArea.map(([k, v]) => `${k} ${(100 * v / prof.busyMs).toFixed(0)}%`).join(', ')}`);
    lines.push('  top functions (self time):', ...prof.topFunctions.map(([k, v]) => `    ${String(v).padStart(6)} ms  ${k}`));
  }
  return lines.join('\n');
}

async function admissionBound(s: Settings, only: Set<Section>, report: BenchReport): Promise<void> {
  const setting = process.env.SYNCPOOL_BENCH_CLUSTER ? 'the configured cluster' : `admission-bound (controller-manager at ${s.qps} QPS)`;
  if (only.has('drain')) {
    const c = await compareDrains(setting, { tasks: s.drainTasks, maxWorkers: 50 }, s.drainPairs, s.timeoutMs);
    report.section(`Drain, ${setting}`, drainReport(c), c);
    drainTargets(report, c, 1.1);
  }
  if (only.has('latency')) {
    const samples = { admissions: s.admissions, refills: s.samples };
    const rows = [{ label: 'empty namespace', r: await scenario('bench-empty', samples, undefined, true) }];
    for (const d of s.depths) rows.push({ label: `${d} queued + ${d} finished Jobs of other pools`, r: await scenario(`bench-crowd-${d}`, samples, { finished: d, queued: d }, true) });
    report.section(`Admission and slot-refill latency, ${setting}`, latencyReport(rows), rows);
    for (const { label, r } of rows) {
      report.target({ figure: `admission latency p99, ${label}`, target: '≤ 50 ms', measured: `${r.admission.p99} ms (p50 ${r.admission.p50})`, met: r.admission.p99 <= 50 });
      report.target({ figure: `slot-refill latency p99, ${label}`, target: '≤ 100 ms', measured: `${r.refill.p99} ms (p50 ${r.refill.p50})`, met: r.refill.p99 <= 100 });
    }
  }
  if (only.has('depth')) {
    const rows: DepthResult[] = [];
    const deepest = Math.max(...s.depths);
    for (const d of s.depths) {
      rows.push(await queueDepth(d, { profile: false, timeoutMs: s.timeoutMs }));
      // Each depth as it is measured: a deeper one that fails must not take these along.
      process.stdout.write(`\n${depthReport(rows.slice(-1))}\n`);
    }
    // Where the time goes, from a run of its own: the profiler slows the operator, so the
    // figures above come from runs without it.
    if (s.profile) {
      rows.push(await queueDepth(deepest, { profile: true, timeoutMs: s.timeoutMs }));
      process.stdout.write(`\n${depthReport(rows.slice(-1))}\n`);
    }
    report.section(`Cost per task by queue depth, ${setting}`, depthReport(rows), rows);
    for (const d of rows.filter((r) => !r.profile)) {
      report.target({ figure: `operator writes per task, depth ${d.depth}`, target: '≤ 5', measured: String(d.writesPerTask), met: d.writesPerTask <= 5 });
    }
    const deep = rows.find((d) => d.depth === deepest && !d.profile)!;
    report.target({ figure: `operator RSS, ${deepest} queued`, target: '≤ 200 MB', measured: `${(deep.rssQueuedBytes / 1e6).toFixed(0)} MB (peak ${(deep.rssPeakBytes / 1e6).toFixed(0)} MB draining)`, met: deep.rssPeakBytes <= 200e6 });
    const cpu = deep.cpuMsPerTaskQueueing + deep.cpuMsPerTaskDraining;
    report.target({ figure: `operator CPU per task, ${deepest} queued`, target: '≤ 20 ms', measured: `${cpu.toFixed(1)} ms`, met: cpu <= 20 });
  }
  if (only.has('heartbeat') && s.heartbeatTasks > 0) {
    const plan: HeartbeatPlan = { tasks: s.heartbeatTasks, steadySeconds: s.heartbeatSeconds, periodMs: 10_000, senders: 32, burstSeconds: 10 };
    const results: HeartbeatResult[] = [await heartbeatScenario('memory', plan, true), await heartbeatScenario('redis', plan, false)];
    report.section('Heartbeats', heartbeatReport(results, plan), results);
    assertAllAccepted(results);
  }
}

/** The stated size bound of /metrics for the shape the bench scrapes (issue 10). */
const METRICS_BODY_LIMIT_KIB = 256;

async function main(): Promise<void> {
  const only = sections();
  const s = settings();
  if (s.heartbeatTasks > 10_000 || (s.heartbeatTasks > 0 && s.heartbeatSeconds === 0)) {
    throw new Error('SYNCPOOL_BENCH_HEARTBEAT_TASKS must be at most 10000 (a pool\'s maxWorkers), SYNCPOOL_BENCH_HEARTBEAT_SECONDS at least 1');
  }
  if (process.env.SYNCPOOL_TEST_KUBECONFIG) process.env.SYNCPOOL_BENCH_CLUSTER = '1';
  const report = new BenchReport();

  if (only.has('core')) {
    const r = coreBench(100_000, 200);
    report.section('Pure admission core', coreReport(r), r);
    const worst = Math.max(r.decideOne.p99, r.decideFifty.p99);
    report.target({
      figure: 'admission decision, 100,000 queued, p99', target: '≤ 1 ms', met: worst <= 1,
      measured: `${r.decideOne.p99.toFixed(3)} ms one admission, ${r.decideFifty.p99.toFixed(3)} ms fifty (full plan for views: ${r.plan.p50.toFixed(0)} ms p50)`,
    });
  }
  if (only.has('metrics')) {
    const r = await metricsScrape({ tasks: 10_000, sources: 50, syncTypes: 4, pools: 10, maxWorkers: 50 });
    report.section('/metrics at 10,000 tasks', scrapeReport(r), r);
    // Its size grows with pools × sources × sync types × outcomes, never with tasks: the
    // bound is stated for this shape (README, "Health and metrics").
    report.target({ figure: '/metrics body, 10,000 tasks, 50 sources × 4 sync types, 10 pools', target: `≤ ${METRICS_BODY_LIMIT_KIB} KiB`, measured: `${(r.bytes / 1024).toFixed(0)} KiB`, met: r.bytes <= METRICS_BODY_LIMIT_KIB * 1024 });
    report.target({ figure: '/metrics render, same shape, p99', target: '< 50 ms', measured: `${r.renderMs.p99.toFixed(1)} ms (p50 ${r.renderMs.p50.toFixed(1)})`, met: r.renderMs.p99 < 50 });
  }
  if (only.has('starts') && s.starts > 0) report.section('Testbed warm start', await testbedStart(s.starts));

  if (only.has('drain') && !process.env.SYNCPOOL_BENCH_CLUSTER && s.slowPairs > 0) {
    const setting = 'controller-bound (controller-manager at its default 20 QPS)';
    const c = await onTestbed(undefined, () => compareDrains(setting, { tasks: s.slowTasks, maxWorkers: 50 }, s.slowPairs, s.timeoutMs));
    report.section(`Drain, ${setting}`, drainReport(c), c);
    drainTargets(report, c, 1.05);
  }
  if (ON_CLUSTER.some((x) => only.has(x))) await onTestbed(s.qps, () => admissionBound(s, only, report));

  const name = process.env.SYNCPOOL_BENCH_ONLY ? `partial-${[...only].join('-')}` : 'latest';
  const path = report.write(name, s);
  process.stdout.write(`\nreport: ${path} (and .json)\n`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack}\n`);
  process.exit(1);
});
