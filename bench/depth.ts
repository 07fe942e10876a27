// One pool at a given queue depth: D one-shot tasks created into a paused pool of 50
// slots, then let go and drained. What it costs the operator per task, through both
// phases (the task queued: its Job created, its status written; then admitted, run,
// finished): API requests by verb (the operator's own count, cross-checked with what
// kube-apiserver counted for the operator's kinds of write), the Events it wrote, CPU,
// and memory with the whole queue waiting. Optionally with a CPU profile of the operator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, testClients } from '../test/integration/support/cluster.js';
import { scrapeMetrics } from '../test/integration/support/metrics.js';
import { delta, OPERATOR_WRITES, scrape, total } from './apiserverMetrics.js';
import { type CpuBreakdown, readProfile, summarizeProfile } from './cpuProfile.js';
import { lastFinish, verifyCap } from './drain.js';
import { createTasks } from './rawApi.js';
import { withStage } from './stage.js';

const POOL = 'deep';
const LOAD_CONCURRENCY = 16;

export interface DepthResult {
  depth: number;
  /** The operator's requests per task by verb, from its syncpool_api_requests_total. */
  operatorRequestsPerTask: Record<string, number>;
  /** Writes of the operator's kinds per task, as kube-apiserver counted them. */
  apiserverWritesPerTask: Record<string, number>;
  /**
   * Events the operator wrote per task, by outcome (its syncpool_events_total: the API
   * server cannot tell its Events from the Job controller's and the scheduler's).
   */
  eventsPerTask: Record<string, number>;
  /** Both: every write the operator made, per task. */
  writesPerTask: number;
  /** Of those, the ones the API server refused (a conflict, a throttle), by kind and code. */
  refusedWritesPerTask: Record<string, number>;
  /** Operator RSS with the whole queue waiting (settled), and the most seen while draining. */
  rssQueuedBytes: number;
  rssPeakBytes: number;
  /** V8's heap with the whole queue waiting: what is live, and what it has reserved. */
  heapUsedQueuedBytes: number;
  heapTotalQueuedBytes: number;
  cpuMsPerTaskQueueing: number;
  cpuMsPerTaskDraining: number;
  /** Admission cycles of the pool per task (workerpool reconciles), while queueing and while draining. */
  poolCyclesPerTaskQueueing: number;
  poolCyclesPerTaskDraining: number;
  drainMs: number;
  peakBusy: number;
  profile?: CpuBreakdown;
}

type Scrape = Awaited<ReturnType<typeof scrapeMetrics>>;

/** Every admission cycle is one workerpool reconcile. */
const poolCycles = (m: Scrape) => m.sum('syncpool_reconcile_duration_seconds_count', { controller: 'workerpool' });

/** The operator's own counters, from one scrape: its requests by verb, its Events by outcome, its pool's cycles. */
async function operatorCounts(port: number): Promise<{ requests: Record<string, number>; events: Record<string, number>; cycles: number }> {
  const m = await scrapeMetrics(port);
  return { requests: m.sumBy('syncpool_api_requests_total', 'verb'), events: m.sumBy('syncpool_events_total', 'outcome'), cycles: poolCycles(m) };
}

function perTask(after: Record<string, number>, before: Record<string, number>, tasks: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = Number((d / tasks).toFixed(2));
  }
  return out;
}

export async function queueDepth(depth: number, o: { profile: boolean; timeoutMs: number }): Promise<DepthResult> {
  const kube = testClients();
  const profileDir = o.profile ? mkdtempSync(join(tmpdir(), 'syncpool-prof-')) : undefined;
  try {
    return await withStage(`bench-depth-${depth}`, {
      measuredPools: [POOL],
      setup: async (_kube, api) => { await api.createPool(POOL, { maxWorkers: 50, paused: true }, '0s'); },
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    }, async ({ api, ns, times, operator }) => {
      const queuedGauge = async () => (await scrapeMetrics(operator.port)).value('syncpool_pool_queued_runs', { namespace: ns, pool: POOL });
      const api0 = await scrape(kube);
      const counts0 = await operatorCounts(operator.port);
      const cpu0 = operator.cpuMs();

      await createTasks(kube, ns, depth, LOAD_CONCURRENCY, (i) => ({
        name: `q-${i}`, spec: { pool: POOL, source: `src-${i % 50}`, syncType: `type-${i % 4}`, priority: i % 5 },
      }));
      // The operator's own gauge, not a list of D tasks every half second: the bench must
      // not be what loads the API server.
      const died = operator.died();
      died.catch(() => {}); // raced below; a clean stop at the end is no failure
      await Promise.race([died, eventually(`${depth} Jobs queued`, async () => ((await queuedGauge()) === depth ? true : undefined), { timeoutMs: o.timeoutMs, intervalMs: 1000 })]);
      await operator.settle();
      const rssQueuedBytes = operator.rssBytes();
      const cpu1 = operator.cpuMs();
      const queued = await scrapeMetrics(operator.port);
      const cycles1 = poolCycles(queued);
      const heapUsedQueuedBytes = queued.value('syncpool_nodejs_heap_size_used_bytes') ?? 0;
      const heapTotalQueuedBytes = queued.value('syncpool_nodejs_heap_size_total_bytes') ?? 0;

      let rssPeakBytes = rssQueuedBytes;
      const sampler = setInterval(() => {
        if (operator.exitedAt === undefined) rssPeakBytes = Math.max(rssPeakBytes, operator.rssBytes());
      }, 250);
      times.startOccupancy();
      const t0 = Date.now();
      await api.patchPool(POOL, { paused: false });
      const drainMs = await Promise.race([died, lastFinish(times, depth, o.timeoutMs)]) - t0;
      await Promise.race([died, eventually(`${depth} tasks Succeeded`, async () => {
        const done = (await scrapeMetrics(operator.port)).sum('syncpool_runs_finished_total', { namespace: ns, pool: POOL, outcome: 'succeeded' });
        return done === depth ? true : undefined;
      }, { timeoutMs: o.timeoutMs, intervalMs: 1000 })]);
      await operator.settle();
      clearInterval(sampler);
      const cpu2 = operator.cpuMs();
      const counts2 = await operatorCounts(operator.port);
      const events = perTask(counts2.events, counts0.events, depth);
      const api1 = await scrape(kube);
      verifyCap(`depth ${depth}`, times, { tasks: depth, maxWorkers: 50 });
      const notDone = (await api.tasks()).filter((t) => t.status?.phase !== 'Succeeded');
      if (notDone.length > 0) throw new Error(`depth ${depth}: ${notDone.length} tasks did not succeed, e.g. ${notDone[0]!.metadata.name} ${notDone[0]!.status?.phase}`);

      const writes: Record<string, number> = {};
      const refused: Record<string, number> = {};
      for (const [verb, resource, sub] of OPERATOR_WRITES) {
        const byCode = delta(api0, api1, verb, resource, sub);
        const kind = `${verb} ${resource}${sub ? `/${sub}` : ''}`;
        const n = total(byCode);
        if (n > 0) writes[kind] = Number((n / depth).toFixed(2));
        for (const [code, c] of byCode) if (Number(code) >= 400) refused[`${kind} ${code}`] = Number((c / depth).toFixed(3));
      }
      const result: DepthResult = {
        depth,
        operatorRequestsPerTask: perTask(counts2.requests, counts0.requests, depth),
        apiserverWritesPerTask: writes,
        eventsPerTask: events,
        writesPerTask: Number((Object.values(writes).reduce((a, b) => a + b, 0) + (events.created ?? 0) + (events.updated ?? 0)).toFixed(2)),
        refusedWritesPerTask: refused,
        rssQueuedBytes, rssPeakBytes, heapUsedQueuedBytes, heapTotalQueuedBytes,
        cpuMsPerTaskQueueing: Number(((cpu1 - cpu0) / depth).toFixed(2)),
        cpuMsPerTaskDraining: Number(((cpu2 - cpu1) / depth).toFixed(2)),
        poolCyclesPerTaskQueueing: Number(((cycles1 - counts0.cycles) / depth).toFixed(2)),
        poolCyclesPerTaskDraining: Number(((counts2.cycles - cycles1) / depth).toFixed(2)),
        drainMs, peakBusy: times.peakActive,
      };
      if (profileDir) {
        await operator.stop(); // the profile is written as it exits
        result.profile = summarizeProfile(readProfile(profileDir));
      }
      return result;
    });
  } finally {
    // SYNCPOOL_BENCH_KEEP_PROFILE keeps the operator's profile (e.g. of a run that failed) for a closer look.
    if (profileDir && !process.env.SYNCPOOL_BENCH_KEEP_PROFILE) rmSync(profileDir, { recursive: true, force: true });
    else if (profileDir) process.stderr.write(`operator CPU profile kept in ${profileDir}\n`);
  }
}
