// /metrics and /readyz on the real control plane. While pools drain, every scrape's pool
// gauges match the pools' Jobs as our own watch sees them; at the end the runs counted
// by outcome are the tasks' final phases. After a crash the new leader's gauges are
// right at its first scrape (they are read from its caches), while its counters start
// again from 0, as Prometheus counters do on a restart. A standby reports no pool
// gauges, and is not ready while it cannot reach the API server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncTask } from '../../../src/api/types.js';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';
import { PoolJobCounts, type Scrape, scrapeMetrics } from '../support/metrics.js';
import { OperatorProcess } from '../support/operator.js';
import { FlakyProxy } from '../runtime/proxy.js';

/** How far apart the operator's watch and ours may see one change (two processes, two watches). */
const SLACK_MS = 500;
const IMAGE = 'registry.example/sync:1';

let stage: SyncpoolStage;
let counts: PoolJobCounts;

beforeAll(async () => {
  stage = await startSyncpool('metrics');
  counts = new PoolJobCounts(stage.kube, stage.ns);
  await counts.start();
});

afterEach(() => {
  // An operator that exited on its own (a lost Lease under load) explains any failure after it.
  const op = stage?.operator;
  if (op && op.proc.exitCode !== null && op.proc.signalCode === null) {
    process.stderr.write(`operator ${op.identity} exited ${op.proc.exitCode}:\n${op.tail(15)}\n`);
  }
});

afterAll(async () => {
  counts?.stop();
  await stage?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function leaderReady(op: OperatorProcess): Promise<void> {
  await eventually(`${op.identity} leading with synced caches`, async () => ((await op.readyz()) === '200 leader, caches synced' ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 100 });
}

/** The pool gauges of one scrape against what our watch saw around it; a message per disagreement. */
function disagreements(scrape: Scrape, pools: string[], tally = { exact: 0, within: 0 }): string[] {
  const out: string[] = [];
  const mid = (scrape.startedAt + scrape.endedAt) / 2;
  for (const pool of pools) {
    const labels = { namespace: stage.ns, pool };
    for (const [what, metric] of [['running', 'syncpool_pool_active_runs'], ['queued', 'syncpool_pool_queued_runs']] as const) {
      const reported = scrape.value(metric, labels);
      const seen = counts.valuesBetween(pool, what, scrape.startedAt - SLACK_MS, scrape.endedAt + SLACK_MS);
      if (reported === undefined || !seen.includes(reported)) out.push(`${pool}: ${metric} ${reported}, our watch saw ${what} ${seen.join('/')}`);
      else if (counts.valuesBetween(pool, what, mid, mid)[0] === reported) tally.exact++;
      else tally.within++;
    }
  }
  return out;
}

/** What runs_finished_total should say of finished one-shot tasks (no retries): their final phases. */
function outcomesOf(tasks: SyncTask[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tasks) {
    const reason = t.status?.conditions?.find((c) => c.type === 'Finished')?.reason;
    const outcome = t.status?.phase === 'Succeeded' ? 'succeeded' : t.status?.phase === 'Cancelled' ? 'cancelled'
      : reason === 'HeartbeatTimeout' ? 'stale' : reason === 'StartupTimeout' ? 'never_started' : 'failed';
    out[outcome] = (out[outcome] ?? 0) + 1;
  }
  return out;
}

test('while pools drain, every scrape\'s pool gauges match their Jobs; at the end, runs finished by outcome are the tasks\' final phases', async () => {
  const { api, operator } = stage;
  await api.createPool('drain', { maxWorkers: 3, overlap: 'Allow' }, '2s');
  await api.createPool('failing', {
    maxWorkers: 2, overlap: 'Allow', template: { image: IMAGE, annotations: { 'testbed.syncpool.dev/run-for': '1s', 'testbed.syncpool.dev/exit-code': '3' } },
  });
  await api.createPool('silent', { maxWorkers: 1, staleAfter: '3s' }, '600s'); // never sends a heartbeat: ended as stale
  await leaderReady(operator);

  for (let i = 0; i < 12; i++) await api.createTask(`drain-${i}`, { pool: 'drain', syncType: i % 2 ? 'contacts' : 'companies' });
  // Cancelled while it waits behind the others (lowest priority): its Job never runs.
  await api.createTask('cancelled', { pool: 'drain', syncType: 'companies', priority: -1 });
  for (let i = 0; i < 4; i++) await api.createTask(`fail-${i}`, { pool: 'failing', source: 'salesforce', syncType: 'accounts' });
  await api.createTask('silent', { pool: 'silent' });
  await api.waitForPhase('cancelled', 'Queued');
  await api.patchTask('cancelled', { cancel: true });
  await api.waitForPhase('cancelled', 'Cancelled');

  const pools = ['drain', 'failing', 'silent'];
  const problems: string[] = [];
  let scrapes = 0;
  let busiest = { active: 0, queued: 0 };
  const tally = { exact: 0, within: 0 };
  for (;;) {
    const tasks = await api.tasks();
    const done = tasks.every((t) => ['Succeeded', 'Failed', 'Cancelled'].includes(t.status?.phase ?? ''));
    const scrape = await scrapeMetrics(operator.port);
    scrapes++;
    problems.push(...disagreements(scrape, pools, tally).map((p) => `scrape ${scrapes}: ${p}`));
    const drain = { namespace: stage.ns, pool: 'drain' };
    const active = scrape.value('syncpool_pool_active_runs', drain) ?? 0;
    if (active > busiest.active || (active === busiest.active && (scrape.value('syncpool_pool_queued_runs', drain) ?? 0) > busiest.queued)) {
      busiest = { active, queued: scrape.value('syncpool_pool_queued_runs', drain) ?? 0 };
    }
    expect(scrape.value('syncpool_pool_max_workers', drain)).toBe(3);
    expect(active).toBeLessThanOrEqual(3);
    expect(scrape.value('syncpool_pool_utilization_ratio', drain)).toBeCloseTo(active / 3, 6);
    if (done) break;
    await sleep(250);
  }
  process.stderr.write(`metrics: ${scrapes} scrapes while draining; gauges equal to our count at the scrape's midpoint ${tally.exact}×, `
    + `within ${SLACK_MS} ms of it ${tally.within}×; busiest drain scrape: ${JSON.stringify(busiest)}\n`);
  expect(problems).toEqual([]);
  expect(scrapes).toBeGreaterThan(10);
  expect(busiest.active).toBe(3); // the scrapes did see a full pool…
  expect(busiest.queued).toBeGreaterThan(0); // …with a queue behind it

  // Final outcomes, as the tasks say them and as the counter counts them.
  const tasks = await api.tasks();
  const expected = outcomesOf(tasks);
  expect(expected).toEqual({ succeeded: 12, failed: 4, cancelled: 1, stale: 1 });
  const final = await eventually('runs_finished_total caught up with the tasks', async () => {
    const scrape = await scrapeMetrics(operator.port);
    const byOutcome = scrape.sumBy('syncpool_runs_finished_total', 'outcome', { namespace: stage.ns });
    const sorted = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort());
    return sorted(byOutcome) === sorted(expected) ? scrape : undefined;
  }, { timeoutMs: 10_000 });
  expect(final.sumBy('syncpool_runs_finished_total', 'outcome', { namespace: stage.ns })).toEqual(expected);
  expect(final.value('syncpool_runs_finished_total', { pool: 'failing', source: 'salesforce', sync_type: 'accounts', outcome: 'failed' })).toBe(4);
  expect(final.sumBy('syncpool_runs_finished_total', 'sync_type', { pool: 'drain', outcome: 'succeeded' })).toEqual({ companies: 6, contacts: 6 });

  // The rest of what a drain leaves behind.
  expect(final.value('syncpool_stale_runs_total', { pool: 'silent', reason: 'HeartbeatTimeout' })).toBe(1);
  expect(final.sum('syncpool_retries_total')).toBe(0);
  expect(final.value('syncpool_run_duration_seconds_count', { pool: 'drain', source: 'hubspot' })).toBe(12);
  expect(final.value('syncpool_run_duration_seconds_sum', { pool: 'drain', source: 'hubspot' }))
    .toBeGreaterThanOrEqual(12 * 1); // pods run 2 s; timestamps are whole seconds
  expect(final.value('syncpool_queue_wait_seconds_count', { pool: 'drain' })).toBe(12); // the cancelled one was never admitted
  expect(final.value('syncpool_admission_latency_seconds_count', { pool: 'drain' })).toBe(12);
  expect(final.value('syncpool_queue_wait_seconds_bucket', { pool: 'drain', le: '+Inf' })).toBe(12);
  expect(final.value('syncpool_reconcile_duration_seconds_count', { controller: 'synctask' })).toBeGreaterThan(18);
  expect(final.value('syncpool_api_requests_total', { verb: 'create' })).toBeGreaterThanOrEqual(18); // a Job per task, and the template checks
  expect(final.value('syncpool_api_requests_total', { verb: 'patch' })).toBeGreaterThan(18);
  expect(final.all('syncpool_workqueue_depth').map((s) => s.labels.queue).sort()).toEqual(['cronjob', 'synctask', 'workerpool']);
  expect(final.value('syncpool_leader')).toBe(1);
  expect(final.all('syncpool_build_info')).toEqual([{ name: 'syncpool_build_info', labels: { version: '0.1.0', node: process.version }, value: 1 }]);
  expect(final.value('syncpool_process_cpu_seconds_total')).toBeGreaterThan(0);
  expect(final.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');

  // A heartbeat without a token is refused, and counted as such.
  expect((await sendHeartbeat(operator.port, undefined, {})).status).toBe(401);
  expect((await scrapeMetrics(operator.port)).value('syncpool_heartbeats_total', { result: 'unauthenticated' })).toBe(1);
});

test('after a crash the new leader\'s gauges are right at its first scrape; its counters start again from 0', async () => {
  const { api } = stage;
  await api.createPool('slow', { maxWorkers: 2, overlap: 'Allow' }, '60s');
  for (let i = 0; i < 4; i++) await api.createTask(`slow-${i}`, { pool: 'slow' });
  await eventually('2 slow runs running, 2 queued', async () => {
    const now = counts.now('slow');
    return now.running === 2 && now.queued === 2 ? true : undefined;
  }, { timeoutMs: 30_000 });
  const before = await scrapeMetrics(stage.operator.port);
  expect(before.value('syncpool_pool_active_runs', { pool: 'slow' })).toBe(2);
  expect(before.sum('syncpool_runs_finished_total')).toBeGreaterThan(0);

  await stage.operator.kill();
  // The production lease (15 s): short ones are lost on a busy machine, and the operator exits.
  const op = await OperatorProcess.start({ namespace: stage.ns, identity: 'metrics-op-2' });
  stage.operator = op;
  // A standby until the dead leader's Lease runs out: it has no caches, so no pool gauges.
  const standby = await scrapeMetrics(op.port);
  expect(standby.value('syncpool_leader')).toBe(0);
  expect(standby.all('syncpool_pool_active_runs')).toEqual([]);
  await eventually('the new replica ready as a standby', async () => ((await op.readyz()) === '200 standby' ? true : undefined));

  await leaderReady(op);
  const first = await scrapeMetrics(op.port);
  expect(first.value('syncpool_leader')).toBe(1);
  expect(disagreements(first, ['slow', 'drain', 'failing', 'silent'])).toEqual([]);
  expect(first.value('syncpool_pool_active_runs', { pool: 'slow' })).toBe(2);
  expect(first.value('syncpool_pool_queued_runs', { pool: 'slow' })).toBe(2);
  expect(first.value('syncpool_pool_utilization_ratio', { pool: 'slow' })).toBe(1);
  expect(first.value('syncpool_pool_active_runs', { pool: 'drain' })).toBe(0);
  // Counters are this process's: nothing finished since it started.
  expect(first.sum('syncpool_runs_finished_total')).toBe(0);
  expect(first.sum('syncpool_heartbeats_total')).toBe(0);

  // A run's own heartbeat, counted by the new process.
  const running = (await api.tasks()).find((t) => t.spec.pool === 'slow' && t.status?.phase === 'Running')!;
  const token = await mintPodToken(stage.kube, await podOfTask(stage.kube, stage.ns, running.metadata.name));
  expect((await sendHeartbeat(op.port, token, { progress: 0.5 })).status).toBe(200);
  expect((await scrapeMetrics(op.port)).value('syncpool_heartbeats_total', { result: 'accepted' })).toBe(1);
});

test('a standby that cannot reach the API server is not ready, and is ready again once it can', async () => {
  const file = process.env.SYNCPOOL_TEST_KUBECONFIG!;
  const proxy = await FlakyProxy.start(new URL(stage.kube.config.getCurrentCluster()!.server));
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'syncpool-metrics-')), 'kubeconfig');
  writeFileSync(kubeconfig, proxy.kubeconfig(file).exportConfig());
  const standby = await OperatorProcess.start({ namespace: stage.ns, identity: 'metrics-standby', args: ['--kubeconfig', kubeconfig] });
  try {
    await eventually('standby ready', async () => ((await standby.readyz()) === '200 standby' ? true : undefined));
    proxy.down();
    await eventually('standby not ready', async () => ((await standby.readyz()) === '503 standby, API server unreachable' ? true : undefined),
      { timeoutMs: 20_000 });
    expect((await scrapeMetrics(standby.port)).value('syncpool_leader')).toBe(0); // metrics are served all the same
    proxy.up();
    await eventually('standby ready again', async () => ((await standby.readyz()) === '200 standby' ? true : undefined), { timeoutMs: 20_000 });
  } finally {
    await standby.stop();
    await proxy.close();
  }
});
