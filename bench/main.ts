// npm run bench: admission and slot-refill latency of a real operator process against
// the local control plane (or SYNCPOOL_TEST_KUBECONFIG's cluster), in an empty
// namespace and in a crowded one, side by side; then the operator's API writes per
// task. Reports medians and p99 from one run; these machines are shared, so compare
// figures from the same run.
//
// SYNCPOOL_BENCH_CROWD (default 10000): finished Jobs, and again as many queued Jobs of
//   other pools, in the crowded namespace; 0 skips that scenario.
// SYNCPOOL_BENCH_SAMPLES (default 40), SYNCPOOL_BENCH_STARTS (default 5).
import { launch, stop } from '../src/testbed/launcher.js';
import { type ScenarioResult, scenario } from './latency.js';
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

async function main(): Promise<void> {
  const began = Date.now();
  const samples = envCount('SYNCPOOL_BENCH_SAMPLES', 40);
  const crowd = envCount('SYNCPOOL_BENCH_CROWD', 10_000);
  const starts = envCount('SYNCPOOL_BENCH_STARTS', 5);
  if (starts > 0) out(await testbedStart(starts));
  let dir: string | undefined;
  if (!process.env.SYNCPOOL_TEST_KUBECONFIG) {
    const state = await launch({ attached: true });
    process.env.SYNCPOOL_TEST_KUBECONFIG = state.kubeconfig;
    dir = state.dir;
  }
  try {
    const empty = await scenario('bench-empty', samples, undefined, true);
    out(await writesPerTask(20, 40));
    // Last, and its namespace's deletion not waited for: nothing is measured after it.
    const crowded = crowd > 0 ? await scenario('bench-crowd', samples, { finished: crowd, queued: crowd }, false) : undefined;
    out(sideBySide(empty, crowded, crowd));
  } finally {
    if (dir) await stop(dir);
  }
  out(`bench took ${secs(Date.now() - began)}`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack}\n`);
  process.exit(1);
});
