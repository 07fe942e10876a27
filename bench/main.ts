// npm run bench: admission and slot-refill latency of a real operator process against
// the local control plane (or SYNCPOOL_TEST_KUBECONFIG's cluster), in an empty
// namespace and in a crowded one, side by side; the operator's API writes per task;
// heartbeats accepted per second and in a steady state, with each heartbeat store.
// Reports medians and p99 from one run; these machines are shared, so compare figures
// from the same run.
//
// SYNCPOOL_BENCH_CROWD (default 10000): finished Jobs, and again as many queued Jobs of
//   other pools, in the crowded namespace; 0 skips that scenario.
// SYNCPOOL_BENCH_SAMPLES (default 40), SYNCPOOL_BENCH_STARTS (default 5).
// SYNCPOOL_BENCH_HEARTBEAT_TASKS (default 1000; 0 skips the heartbeat section),
//   SYNCPOOL_BENCH_HEARTBEAT_SECONDS (default 60): live runs, and how long they beat.
// SYNCPOOL_BENCH_ONLY: a comma list of the sections to run (starts, latency, writes,
//   heartbeat, metrics); default all. metrics runs in process, without a control plane.
import { launch, stop } from '../src/testbed/launcher.js';
import { assertAllAccepted, type HeartbeatPlan, type HeartbeatResult, heartbeatReport, heartbeatScenario } from './heartbeat.js';
import { type ScenarioResult, scenario } from './latency.js';
import { metricsScrape, scrapeReport } from './metricsScrape.js';
import { fmt, mib, secs } from './stats.js';
import { testbedStart } from './testbed.js';
import { writesPerTask } from './writes.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${raw}`);
  return n;
}

function sideBySide(empty: ScenarioResult, crowded: ScenarioResult | undefined, crowd: number): string {
  const rows: [string, (r: ScenarioResult) => string][] = [
    ['admission latency (SyncTask created, free slot → Job unsuspended)', (r) => fmt(r.admission)],
    ['slot-refill latency (Job finished → next Job unsuspended, maxWorkers 1)', (r) => fmt(r.refill)],
    ['operator start → synced and idle', (r) => secs(r.settleMs)],
    ['operator RSS settled / after measuring', (r) => `${mib(r.rssSettled)} / ${mib(r.rssEnd)}`],
  ];
  const head = crowded ? `crowded: ${crowd} finished + ${crowd} queued Jobs of other pools` : '';
  const lines = [`${''.padEnd(74)}${'empty namespace'.padEnd(52)}${head}`];
  for (const [label, cell] of rows) lines.push(`${label.padEnd(74)}${cell(empty).padEnd(52)}${crowded ? cell(crowded) : ''}`);
  if (crowded?.crowd) {
    const c = crowded.crowd;
    lines.push(`(crowd loaded in ${secs(c.ms)}: ${c.jobs} Jobs, ${c.writes} writes, ${Math.round(c.writes / (c.ms / 1000))} writes/s)`);
  }
  return lines.join('\n');
}

const SECTIONS = ['starts', 'latency', 'writes', 'heartbeat', 'metrics'] as const;
type Section = typeof SECTIONS[number];

function sections(): Set<Section> {
  const raw = process.env.SYNCPOOL_BENCH_ONLY;
  if (!raw) return new Set(SECTIONS);
  const asked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`SYNCPOOL_BENCH_ONLY must list sections among ${SECTIONS.join(', ')}, got ${raw}`);
  return new Set(asked as Section[]);
}

/** Memory store, then Redis; printed side by side; any refused heartbeat fails the bench. */
async function heartbeats(plan: HeartbeatPlan, lastSection: boolean): Promise<void> {
  const results: HeartbeatResult[] = [await heartbeatScenario('memory', plan, true)];
  results.push(await heartbeatScenario('redis', plan, !lastSection));
  out(heartbeatReport(results, plan));
  assertAllAccepted(results);
}

async function main(): Promise<void> {
  const began = Date.now();
  const only = sections();
  const samples = envCount('SYNCPOOL_BENCH_SAMPLES', 40);
  const crowd = only.has('latency') ? envCount('SYNCPOOL_BENCH_CROWD', 10_000) : 0;
  const starts = only.has('starts') ? envCount('SYNCPOOL_BENCH_STARTS', 5) : 0;
  const hbTasks = only.has('heartbeat') ? envCount('SYNCPOOL_BENCH_HEARTBEAT_TASKS', 1000) : 0;
  const hbSeconds = envCount('SYNCPOOL_BENCH_HEARTBEAT_SECONDS', 60);
  if (hbTasks > 10_000 || (hbTasks > 0 && hbSeconds === 0)) {
    throw new Error('SYNCPOOL_BENCH_HEARTBEAT_TASKS must be at most 10000 (a pool\'s maxWorkers), SYNCPOOL_BENCH_HEARTBEAT_SECONDS at least 1');
  }
  if (only.has('metrics')) out(scrapeReport(await metricsScrape({ tasks: 10_000, sources: 50, syncTypes: 4, pools: 10, maxWorkers: 50 })));
  if (starts > 0) out(await testbedStart(starts));
  if (!['latency', 'writes', 'heartbeat'].some((s) => only.has(s as Section))) return void out(`bench took ${secs(Date.now() - began)}`);
  let dir: string | undefined;
  if (!process.env.SYNCPOOL_TEST_KUBECONFIG) {
    const state = await launch({ attached: true });
    process.env.SYNCPOOL_TEST_KUBECONFIG = state.kubeconfig;
    dir = state.dir;
  }
  try {
    const empty = only.has('latency') ? await scenario('bench-empty', samples, undefined, true) : undefined;
    if (only.has('writes')) out(await writesPerTask(20, 40));
    if (hbTasks > 0) {
      await heartbeats({ tasks: hbTasks, steadySeconds: hbSeconds, periodMs: 10_000, senders: 32, burstSeconds: 10 }, crowd === 0);
    }
    // Last, and its namespace's deletion not waited for: nothing is measured after it.
    const crowded = crowd > 0 ? await scenario('bench-crowd', samples, { finished: crowd, queued: crowd }, false) : undefined;
    if (empty) out(sideBySide(empty, crowded, crowd));
  } finally {
    if (dir) await stop(dir);
  }
  out(`bench took ${secs(Date.now() - began)}`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack}\n`);
  process.exit(1);
});
