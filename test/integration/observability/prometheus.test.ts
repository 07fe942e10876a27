// The shipped dashboard and alerts against a real Prometheus scraping a real operator
// while pools drain (successes, failures retried then failed, a run ended as stale):
// every query of deploy/monitoring/dashboard.json, with its variables filled in as
// Grafana would, returns data, so no panel of a fresh install shows "No data"; the
// variables list the pools; the rules of deploy/monitoring/alerts.yaml load, evaluate
// without errors, and fire for what happened, and for nothing else.
import type { SyncTask } from '../../../src/api/types.js';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { sendHeartbeat } from '../support/heartbeats.js';
import { dashboard, panelsOf, ruleGroups } from './monitoring.js';
import { JOB, PrometheusServer, type Series } from './prometheusServer.js';

const IMAGE = 'registry.example/sync:1';
/** What Grafana makes of $__rate_interval at least 4 scrapes of 1 s wide, with room for a busy machine. */
const RATE_INTERVAL = '10s';
/** Panels that may rightly read 0 all along after a healthy drain; all the others must show something above 0. */
const MAY_BE_ZERO = new Set(['Reconcile errors', 'Work queue depth']);
const FINAL = ['Succeeded', 'Failed', 'Cancelled'];

let stage: SyncpoolStage;
let prom: PrometheusServer;

beforeAll(async () => {
  stage = await startSyncpool('obs');
  prom = await PrometheusServer.start({ target: `127.0.0.1:${stage.operator.port}`, rules: ruleGroups() });
});

afterAll(async () => {
  await prom?.stop();
  await stage?.stop();
});

/** Set by each test as its last step: a test that did not get there failed. */
let finished = false;
beforeEach(() => { finished = false; });
afterEach(() => {
  // Whatever failed, what Prometheus and the operator said last helps explain it.
  if (!finished) process.stderr.write(`prometheus:\n${prom?.tail()}\noperator:\n${stage?.operator.tail(15)}\n`);
});

/** A pool of each kind of run, drained to the end; resolves with the tasks. */
async function drain(): Promise<SyncTask[]> {
  const { api, operator } = stage;
  await api.createPool('drain', { maxWorkers: 2, overlap: 'Allow' }, '2s');
  await api.createPool('failing', {
    maxWorkers: 2, overlap: 'Allow', retry: { limit: 1, backoff: { initial: '1s', factor: 2, max: '1m' } },
    template: { image: IMAGE, annotations: { 'testbed.syncpool.dev/run-for': '1s', 'testbed.syncpool.dev/exit-code': '3' } },
  });
  await api.createPool('silent', { maxWorkers: 1, staleAfter: '3s' }, '600s'); // never sends a heartbeat: ended as stale
  await eventually('the operator leading', async () => ((await operator.readyz()) === '200 leader, caches synced' ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 100 });
  for (let i = 0; i < 8; i++) await api.createTask(`drain-${i}`, { pool: 'drain', syncType: i % 2 ? 'contacts' : 'companies' });
  for (let i = 0; i < 4; i++) await api.createTask(`fail-${i}`, { pool: 'failing', source: 'salesforce', syncType: 'accounts' });
  await api.createTask('silent', { pool: 'silent' });
  return eventually('every task finished', async () => {
    // A heartbeat without a token now and then: the heartbeat panel's traffic.
    await sendHeartbeat(operator.port, undefined, {});
    const tasks = await api.tasks();
    return tasks.every((t) => FINAL.includes(t.status?.phase ?? '')) ? tasks : undefined;
  }, { timeoutMs: 90_000, intervalMs: 1000 });
}

/** An instant query's result by outcome, in a stable order. */
const outcomes = (series: Series[]) => JSON.stringify(series.map((s) => [s.metric.outcome, Number(s.value![1])]).sort());

test('after pools drain, every query of the dashboard returns data, and its variables list the pools', async () => {
  const drainFrom = Date.now();
  const tasks = await drain();
  expect(tasks).toHaveLength(13);
  const { ns } = stage;
  // Until Prometheus has scraped the drain's end, the panels would be judged on half of it.
  await eventually('Prometheus scraped every run\'s outcome', async () => {
    const got = outcomes(await prom.query(`sum by (outcome) (syncpool_runs_finished_total{namespace="${ns}"})`));
    return got === JSON.stringify([['failed', 4], ['stale', 1], ['succeeded', 8]]) ? true : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  const to = Date.now();

  const d = dashboard();
  const vars: Record<string, string> = { namespace: ns, pool: '.*', job: JOB, __rate_interval: RATE_INTERVAL };
  const fill = (expr: string) => expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => vars[braced ?? bare!] ?? whole);

  // Imported into any Grafana, it asks for a Prometheus and every panel uses that one.
  expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  const panels = panelsOf(d);
  expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
  const elsewhere = panels.flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)].filter((ds) => ds?.uid !== '${datasource}').map(() => p.title));
  expect(elsewhere).toEqual([]);

  // The variables' queries (Grafana's label_values) list this namespace, its pools and the job.
  const listed: Record<string, string[]> = {};
  for (const v of d.templating.list.filter((t) => t.type === 'query')) {
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
    if (!m) throw new Error(`variable ${v.name}: not a label_values() query: ${query}`);
    const series = await prom.api<Record<string, string>[]>('series', { 'match[]': fill(m[1]!), start: String(drainFrom / 1000), end: String(to / 1000) });
    listed[v.name] = [...new Set(series.map((s) => s[m[2]!]!))].sort();
  }
  expect(listed).toEqual({ job: [JOB], namespace: [ns], pool: ['drain', 'failing', 'silent'] });

  // Every target over the drain, as a time-series panel asks for it.
  const problems: string[] = [];
  let queries = 0;
  for (const panel of panels) {
    for (const t of panel.targets ?? []) {
      const expr = fill(t.expr);
      const where = `${panel.title} [${t.refId}]`;
      if (expr.includes('$')) {
        problems.push(`${where}: a variable the test does not know: ${expr}`);
        continue;
      }
      queries++;
      let result: Series[];
      try {
        result = await prom.queryRange(expr, drainFrom, to);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}\n    ${expr}`);
        continue;
      }
      const values = result.flatMap((s) => s.values ?? []).map(([, v]) => Number(v)).filter(Number.isFinite);
      if (result.length === 0) problems.push(`${where}: no series\n    ${expr}`);
      else if (values.length === 0) problems.push(`${where}: only NaN or Inf\n    ${expr}`);
      else if (!MAY_BE_ZERO.has(panel.title) && !values.some((v) => v > 0)) problems.push(`${where}: 0 all along\n    ${expr}`);
    }
  }
  expect(problems).toEqual([]);
  expect(queries).toBeGreaterThanOrEqual(20);
  finished = true;
});

test('the rules load and evaluate cleanly, and fire for the stale run and the pool whose runs all fail, for nothing else', async () => {
  const { ns } = stage;
  const expected = ruleGroups().flatMap((g) => g.rules).map((r) => r.alert ?? r.record!).sort();
  const rules = await eventually('every rule evaluated', async () => {
    const all = await prom.rules();
    return all.length === expected.length && all.every((r) => r.health !== 'unknown') ? all : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  expect(rules.map((r) => r.name).sort()).toEqual(expected);
  expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError}`)).toEqual([]);

  type Alert = { labels: Record<string, string>; annotations: Record<string, string>; state: string };
  const alerts = await eventually('the stale run\'s alert firing and the failing pool\'s pending', async () => {
    const all = (await prom.api<{ alerts: Alert[] }>('alerts')).alerts;
    const has = (name: string, pool: string, state: string) => all.some((a) => a.labels.alertname === name && a.labels.pool === pool && a.state === state);
    return has('SyncpoolStaleRuns', 'silent', 'firing') && has('SyncpoolHighFailureRatio', 'failing', 'pending') ? all : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  const about = (a: Alert) => ({ alert: a.labels.alertname, namespace: a.labels.namespace, pool: a.labels.pool, reason: a.labels.reason, state: a.state });
  // The failing pool: 4 failed runs of 4 (for 5 minutes before it fires); the silent pool:
  // 1 stale run, too few for a ratio; the drain pool: all succeeded, and its queue drained.
  expect(alerts.filter((a) => a.labels.pool !== undefined).map(about).sort((a, b) => a.alert!.localeCompare(b.alert!))).toEqual([
    { alert: 'SyncpoolHighFailureRatio', namespace: ns, pool: 'failing', reason: undefined, state: 'pending' },
    { alert: 'SyncpoolStaleRuns', namespace: ns, pool: 'silent', reason: 'HeartbeatTimeout', state: 'firing' },
  ]);
  // The operator was up and leading all along.
  expect(alerts.map((a) => a.labels.alertname)).not.toContain('SyncpoolNoLeader');
  expect(alerts.map((a) => a.labels.alertname)).not.toContain('SyncpoolOperatorDown');
  // Whoever is paged reads where and what to do, with the real labels filled in.
  const stale = alerts.find((a) => a.labels.alertname === 'SyncpoolStaleRuns')!;
  expect(stale.annotations.summary).toBe(`Pool ${ns}/silent: runs ended for HeartbeatTimeout`);
  expect(stale.annotations.description).toContain(`syncpool ended 1 running attempt(s) of pool ${ns}/silent`);
  expect(stale.annotations.description).toContain(`kubectl syncpool list -n ${ns} --pool silent --phase Failed`);
  const others = alerts.filter((a) => a.labels.pool === undefined).map((a) => `${a.labels.alertname} ${a.state}`);
  if (others.length > 0) process.stderr.write(`observability: operator alerts active after the drain: ${others.join(', ')}\n`);
  finished = true;
});
