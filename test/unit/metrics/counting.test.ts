// Counted once per event, however often the reconcilers look: the real task and pool
// reconcilers over the fake cluster, reconciled again and again, with caches that lag,
// a status write refused, an operator restart, and a write whose answer is lost.
import type { V1Job } from '@kubernetes/client-node';
import { CreateAdmissions } from '../../../src/controller/pools/claims.js';
import { PoolReconciler } from '../../../src/controller/pools/reconcile.js';
import { TemplateChecks } from '../../../src/controller/pools/templateCheck.js';
import { TaskReconciler } from '../../../src/controller/tasks/reconcile.js';
import { noEvents } from '../../../src/kube/events.js';
import { silentLogger } from '../../../src/runtime/clock.js';
import { apiError } from '../controller/sim/cluster.js';
import { Harness, NS } from '../controller/sim/harness.js';
import { RecordingMetrics } from './recorder.js';

const URL = 'http://syncpool.sim.svc:8080/api/v1/heartbeat';
const MIN = 60_000;

/** The operator's reconcilers, as the manager builds them, telling `metrics`. */
function counting(h: Harness, metrics: RecordingMetrics) {
  const op = h.op;
  const onAdmit = (job: V1Job) => metrics.admitted(job, h.clock.now());
  const pool = new PoolReconciler({
    pools: op.poolCache, jobs: op.caches.jobs, pods: op.caches.pods, tasks: op.caches.tasks, writes: op.writes, events: noEvents,
    now: () => h.clock.date(), log: silentLogger, expectations: op.expectations, departures: op.departures,
    templates: new TemplateChecks(op.writes, URL), onAdmit, checkViews: true,
  });
  const task = new TaskReconciler({
    tasks: op.taskCache, pools: op.caches.pools as never, jobs: op.caches.jobs, pods: op.caches.pods, cronJobs: op.caches.cronJobs,
    writes: op.writes, events: noEvents, heartbeatUrl: URL, now: () => h.clock.date(), log: silentLogger, heartbeats: h.heartbeats, metrics,
    admission: new CreateAdmissions({ pools: pool, expectations: op.expectations, writes: op.writes, onAdmit }),
  });
  /** Reconciles each task `times` times, then the pool as often; errors are retried by the next pass. */
  const pass = async (tasks: string[], times = 3) => {
    for (let i = 0; i < times; i++) {
      for (const t of tasks) await task.reconcile(`${NS}/${t}`).catch(() => undefined);
      await pool.reconcile(`${NS}/p`).catch(() => undefined);
    }
  };
  return { task, pool, pass };
}

test('a drain reconciled over and over, with lagging caches and a restart, counts each admission and outcome once', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 2 });
  for (const t of ['a', 'b', 'c']) h.cluster.createTask(t, { pool: 'p', syncType: t });
  h.deliverAll();
  const metrics = new RecordingMetrics();
  let op = counting(h, metrics);

  const phases = () => ['a', 'b', 'c'].map((t) => h.task(t)?.status?.phase);
  for (let round = 0; round < 20 && !phases().every((p) => p === 'Succeeded' || p === 'Failed'); round++) {
    await op.pass(['a', 'b', 'c']); // the caches lag behind these writes: reconciles see old states
    h.stepJobs({ failShare: h.task('c')?.status?.phase === 'Running' ? 1 : 0 }); // c, admitted last, fails
    await op.pass(['a', 'b', 'c']);
    h.deliverAll();
  }
  expect(phases()).toEqual(['Succeeded', 'Succeeded', 'Failed']);
  expect(metrics.of('admitted').sort()).toEqual(['admitted a-1', 'admitted b-1', 'admitted c-1']);
  expect(metrics.of('finished').map((c) => c.replace(/ \d+s$/, '')).sort())
    .toEqual(['finished p hubspot/a succeeded', 'finished p hubspot/b succeeded', 'finished p hubspot/c failed']);

  // A new operator lists finished tasks: nothing new happened, nothing is counted.
  h.restart();
  h.deliverAll();
  const after = new RecordingMetrics();
  op = counting(h, after);
  await op.pass(['a', 'b', 'c']);
  expect(after.calls).toEqual([]);
});

test('a final status write refused (409) is counted when a later one lands, once', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1 });
  h.cluster.createTask('t', { pool: 'p' });
  h.deliverAll();
  const metrics = new RecordingMetrics();
  const op = counting(h, metrics);
  await op.pass(['t'], 1);
  h.deliverAll();
  await op.pass(['t'], 1);
  h.runJobs();
  h.deliverAll();
  h.script.push({ match: /^status task t → .*Succeeded/, fate: { refuse: apiError(409, 'Conflict', 'the object has been modified') } });
  await expect(op.task.reconcile(`${NS}/t`)).rejects.toMatchObject({ code: 409 });
  expect(metrics.of('finished')).toEqual([]);
  await op.pass(['t'], 4);
  h.deliverAll();
  await op.pass(['t'], 2);
  expect(h.task('t')?.status?.phase).toBe('Succeeded');
  expect(metrics.of('finished')).toEqual([expect.stringMatching(/^finished p hubspot\/contacts succeeded/)]);
});

test('a stale run is ended and retried once each, then its final outcome is counted once', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1, staleAfter: '5m', retry: { limit: 1, backoff: { initial: '60s' } } });
  h.cluster.createTask('t', { pool: 'p' });
  h.deliverAll();
  const metrics = new RecordingMetrics();
  const op = counting(h, metrics);
  await op.pass(['t'], 1);
  h.deliverAll();
  await op.pass(['t'], 1);
  h.stepJobs({ finishChance: 0 }); // the pod runs, and never sends a heartbeat
  h.deliverAll();
  h.clock.advance(5 * MIN);
  for (let i = 0; i < 3; i++) {
    await op.pass(['t'], 2); // "stopping Job t-1: HeartbeatTimeout" is written once, then seen again and again
    h.stepJobs({ finishChance: 0 });
    h.deliverAll();
  }
  expect(metrics.of('ended')).toEqual(['ended p HeartbeatTimeout']);
  expect(metrics.of('finished')).toEqual([]); // the attempt failed, but the run goes on

  h.clock.advance(2 * MIN);
  await op.pass(['t'], 3);
  h.deliverAll();
  await op.pass(['t'], 3);
  expect(h.task('t')?.status).toMatchObject({ attempt: 2 });
  expect(metrics.of('retried')).toEqual(['retried p']);
  h.runJobs();
  h.deliverAll();
  await op.pass(['t'], 3);
  expect(h.task('t')?.status?.phase).toBe('Succeeded');
  expect(metrics.of('finished')).toEqual([expect.stringMatching(/^finished p hubspot\/contacts succeeded/)]);
  expect(metrics.of('ended')).toHaveLength(1);
  expect(metrics.of('retried')).toHaveLength(1);
});

test('a final status write whose answer is lost is never counted twice (at most once, here not at all)', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 1 });
  h.cluster.createTask('t', { pool: 'p' });
  h.deliverAll();
  const metrics = new RecordingMetrics();
  const op = counting(h, metrics);
  await op.pass(['t'], 1);
  h.deliverAll();
  await op.pass(['t'], 1);
  h.runJobs();
  h.deliverAll();
  h.script.push({ match: /^status task t → .*Succeeded/, fate: 'landThenTimeout' });
  await op.pass(['t'], 3);
  h.deliverAll();
  await op.pass(['t'], 3);
  expect(h.task('t')?.status?.phase).toBe('Succeeded');
  expect(metrics.of('finished').length).toBeLessThanOrEqual(1);
});

test('a Job created already admitted (a claim) is counted as admitted once, even when the create\'s answer is lost', async () => {
  const h = new Harness();
  h.cluster.applyPool('p', { maxWorkers: 2 });
  h.deliverAll();
  const metrics = new RecordingMetrics();
  const op = counting(h, metrics);
  await op.pass([], 1); // the pool's first cycle: its tasks may claim from now on
  h.cluster.createTask('a', { pool: 'p', syncType: 'a' });
  h.cluster.createTask('b', { pool: 'p', syncType: 'b' });
  h.deliverAll();
  h.script.push({ match: /^create Job b-1 admitted/, fate: 'landThenTimeout' });
  await op.pass(['a', 'b'], 3); // a's create answers; b's answer is lost, then b looks and finds it
  h.deliverAll();
  await op.pass(['a', 'b'], 2);
  expect(h.writes().filter((w) => w.startsWith('admit Job'))).toEqual([]);
  expect(metrics.of('admitted').sort()).toEqual(['admitted a-1', 'admitted b-1']);
});
