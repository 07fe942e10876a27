// The operator's metrics on a registry of its own: the hooks become counters and
// histograms, the gauges are read at each scrape, and GET /metrics serves them.
import type { Server } from 'node:http';
import type { V1Job } from '@kubernetes/client-node';
import { createApp, listen } from '../../../src/operator/http.js';
import type { PoolGaugeValues } from '../../../src/metrics/poolGauges.js';
import { OperatorMetrics } from '../../../src/metrics/prometheus.js';

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

async function samples(m: OperatorMetrics, name: string): Promise<Sample[]> {
  const all = await m.registry.getMetricsAsJSON();
  return (all.find((x) => x.name === name)?.values ?? []) as Sample[];
}

const run = { namespace: 'ns', pool: 'p', source: 'hubspot', syncType: 'contacts' };

test('each process has its own registry; counters count, histograms observe', async () => {
  const a = new OperatorMetrics({ version: '1.2.3', processMetrics: false });
  const b = new OperatorMetrics({ version: '1.2.3', processMetrics: false });
  a.runFinished(run, 'succeeded', 42);
  a.runFinished(run, 'stale');
  a.runEnded({ namespace: 'ns', pool: 'p' }, 'HeartbeatTimeout');
  a.retried({ namespace: 'ns', pool: 'p' });
  a.reconciled('synctask', 0.02, 'success');
  a.reconciled('synctask', 0.5, 'error');
  a.apiRequest('patch');
  a.heartbeat('accepted');
  a.eventWrite('created');
  a.eventWrite('created');
  a.eventWrite('dropped');

  expect(await samples(a, 'syncpool_runs_finished_total')).toEqual(expect.arrayContaining([
    expect.objectContaining({ labels: { ...{ namespace: 'ns', pool: 'p', source: 'hubspot', sync_type: 'contacts' }, outcome: 'succeeded' }, value: 1 }),
    expect.objectContaining({ labels: expect.objectContaining({ outcome: 'stale' }), value: 1 }),
  ]));
  // Only the run that started has a duration.
  const durations = await samples(a, 'syncpool_run_duration_seconds');
  expect(durations.filter((s) => s.metricName === 'syncpool_run_duration_seconds_count')).toEqual([
    expect.objectContaining({ labels: { namespace: 'ns', pool: 'p', source: 'hubspot' }, value: 1 }),
  ]);
  expect(durations.find((s) => s.metricName === 'syncpool_run_duration_seconds_sum')?.value).toBe(42);
  expect(await samples(a, 'syncpool_stale_runs_total')).toEqual([expect.objectContaining({ labels: { namespace: 'ns', pool: 'p', reason: 'HeartbeatTimeout' }, value: 1 })]);
  expect(await samples(a, 'syncpool_retries_total')).toEqual([expect.objectContaining({ value: 1 })]);
  expect(await samples(a, 'syncpool_reconcile_errors_total')).toEqual([expect.objectContaining({ labels: { controller: 'synctask' }, value: 1 })]);
  expect(await samples(a, 'syncpool_api_requests_total')).toEqual([expect.objectContaining({ labels: { verb: 'patch' }, value: 1 })]);
  expect(await samples(a, 'syncpool_heartbeats_total')).toEqual([expect.objectContaining({ labels: { result: 'accepted' }, value: 1 })]);
  expect(await samples(a, 'syncpool_events_total')).toEqual([
    expect.objectContaining({ labels: { outcome: 'created' }, value: 2 }),
    expect.objectContaining({ labels: { outcome: 'dropped' }, value: 1 }),
  ]);
  expect(await samples(a, 'syncpool_build_info')).toEqual([expect.objectContaining({ labels: { version: '1.2.3', node: process.version }, value: 1 })]);

  expect(await samples(b, 'syncpool_runs_finished_total')).toEqual([]);
});

test('an admission observes the queue wait (since the Job was made) and the admission latency (since the run was due)', async () => {
  const m = new OperatorMetrics({ version: 'x', processMetrics: false });
  const job: V1Job = {
    metadata: {
      namespace: 'ns', name: 't-1', creationTimestamp: new Date('2026-11-23T10:00:10Z'),
      labels: { 'syncpool.dev/pool': 'p' }, annotations: { 'syncpool.dev/enqueued-at': '2026-11-23T10:00:08Z' },
    },
  };
  m.admitted(job, Date.parse('2026-11-23T10:00:40Z'));
  const sum = async (name: string) => (await samples(m, name)).find((s) => s.metricName === `${name}_sum`);
  expect(await sum('syncpool_queue_wait_seconds')).toMatchObject({ labels: { namespace: 'ns', pool: 'p' }, value: 30 });
  expect(await sum('syncpool_admission_latency_seconds')).toMatchObject({ labels: { namespace: 'ns', pool: 'p' }, value: 32 });
});

test('gauges are read at each scrape: pools from the leader\'s caches, none on a standby', async () => {
  let pools: PoolGaugeValues[] = [{ namespace: 'ns', pool: 'p', maxWorkers: 3, active: 2, queued: 5, utilization: 2 / 3 }];
  let leader = true;
  let reads = 0;
  const m = new OperatorMetrics({
    version: 'x', processMetrics: false, pools: () => { reads++; return pools; }, isLeader: () => leader,
    queueDepths: () => ({ synctask: 4, workerpool: 0 }),
  });
  expect(await samples(m, 'syncpool_pool_active_runs')).toEqual([expect.objectContaining({ labels: { namespace: 'ns', pool: 'p' }, value: 2 })]);
  expect(await samples(m, 'syncpool_pool_utilization_ratio')).toEqual([expect.objectContaining({ value: 2 / 3 })]);
  // Counters of a known pool exist at 0, so rate() and increase() see their first increment.
  expect(await samples(m, 'syncpool_stale_runs_total')).toEqual([
    expect.objectContaining({ labels: { namespace: 'ns', pool: 'p', reason: 'HeartbeatTimeout' }, value: 0 }),
    expect.objectContaining({ labels: { namespace: 'ns', pool: 'p', reason: 'StartupTimeout' }, value: 0 }),
  ]);
  expect(await samples(m, 'syncpool_retries_total')).toEqual([expect.objectContaining({ labels: { namespace: 'ns', pool: 'p' }, value: 0 })]);

  await m.scrape();
  reads = 0;
  await m.scrape();
  expect(reads).toBe(1); // one read of the caches for the four pool gauges of a scrape

  pools = [{ namespace: 'ns', pool: 'q', maxWorkers: 1, active: 0, queued: 0, utilization: 0 }];
  expect((await samples(m, 'syncpool_pool_max_workers')).map((s) => s.labels.pool)).toEqual(['q']); // p was deleted: gone
  expect(await samples(m, 'syncpool_workqueue_depth')).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { queue: 'synctask' }, value: 4 })]));
  expect(await samples(m, 'syncpool_leader')).toEqual([expect.objectContaining({ value: 1 })]);

  pools = [];
  leader = false;
  expect(await samples(m, 'syncpool_pool_queued_runs')).toEqual([]);
  expect(await samples(m, 'syncpool_leader')).toEqual([expect.objectContaining({ value: 0 })]);
});

describe('GET /metrics', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  test('serves the text exposition format with its content type, process metrics prefixed syncpool_', async () => {
    const m = new OperatorMetrics({ version: '0.1.0', isLeader: () => true });
    m.heartbeat('unauthenticated');
    server = await listen(createApp({ live: () => true, ready: () => ({ ok: true, detail: 'standby' }) }, [], m), '127.0.0.1', 0);
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE syncpool_heartbeats_total counter');
    expect(text).toContain('syncpool_heartbeats_total{result="unauthenticated"} 1');
    expect(text).toContain('syncpool_leader 1');
    expect(text).toMatch(/^syncpool_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^syncpool_nodejs_heap_size_used_bytes \d/m);
    // Every metric is ours: no unprefixed name.
    const names = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!);
    expect(names.filter((n) => !n.startsWith('syncpool_'))).toEqual([]);
  });
});
