// What runs in a pool (with age, progress and heartbeat) and what finished there lately.
import { viewPools } from '../../../src/views/index.js';
import { at, job, NOW, pod, pool, task, world } from './world.js';

const view = (...objects: Parameters<typeof world>) => viewPools(world(pool('crm', { maxWorkers: 5 }), ...objects), { nowMs: NOW })[0]!;

describe('running runs', () => {
  test('age from the pod\'s start; progress, message and heartbeat age from the task\'s current run', () => {
    const t = task('contacts', { status: { phase: 'Running', attempt: 2, jobName: 'contacts-2', lastHeartbeat: at(-12), progress: 0.42, progressMessage: '12000/30000' } });
    const { running } = view(t, job(t, 'running', { startedAt: -125 }));
    expect(running).toEqual([{
      job: 'contacts-2', task: 'contacts', source: 'hubspot', syncType: 'contacts', attempt: 2,
      startedAt: at(-125), ageSeconds: 125, progress: 0.42, progressMessage: '12000/30000', lastHeartbeat: at(-12), heartbeatAgeSeconds: 12,
    }]);
  });

  test('a run the task no longer shows (an earlier attempt still terminating) borrows nothing from the task', () => {
    const t = task('contacts', { status: { phase: 'Running', attempt: 2, jobName: 'contacts-2', lastHeartbeat: at(-2), progress: 0.9 } });
    const old = { ...job(t, 'running', { attempt: 1, startedAt: -600 }), spec: { ...job(t, 'running').spec!, suspend: true } };
    old.status = { terminating: 1, startTime: new Date(at(-600)) };
    const { running } = view(t, old, job(t, 'running', { startedAt: -5 }));
    expect(running.map((r) => [r.job, r.progress, r.heartbeatAgeSeconds])).toEqual([['contacts-1', undefined, undefined], ['contacts-2', 0.9, 2]]);
  });

  test('a run with no heartbeat yet says so by leaving it out; one not started has no age', () => {
    const t = task('contacts', { status: { phase: 'Running', jobName: 'contacts-1' } });
    const j = job(t, 'running');
    j.status = { active: 0 };
    const [run] = view(t, j).running;
    expect(run).toMatchObject({ job: 'contacts-1', startedAt: undefined, ageSeconds: undefined, heartbeatAgeSeconds: undefined });
  });

  test('a pod that outlived its Job still runs (it holds a slot); pods of live Jobs and finished pods are not listed twice', () => {
    const gone = task('gone', { status: { phase: 'Running', jobName: 'gone-1' } });
    const goneJob = job(gone, 'running');
    const live = task('live', { status: { phase: 'Running', jobName: 'live-1' } });
    const liveJob = job(live, 'running', { startedAt: -50 });
    const stray = pod(goneJob, 'Running', -40, 'stray');
    delete stray.metadata!.labels!['batch.kubernetes.io/controller-uid'];
    const v = view(live, liveJob, pod(liveJob, 'Running', -50), pod(goneJob, 'Running', -300), pod(goneJob, 'Succeeded', -400, 'done-pod'), stray);
    expect(v.running.map((r) => [r.job, r.task, r.ageSeconds])).toEqual([['pod/gone-1-x', 'gone', 300], ['live-1', 'live', 50]]);
    expect(v.active).toBe(2); // the pool's count agrees with the list
  });

  test('a live pod of a Job already seen finished still holds its slot, as the pool counts it', () => {
    const t = task('late', { status: { phase: 'Running', jobName: 'late-1' } });
    const j = job(t, 'succeeded');
    const v = view(t, j, pod(j, 'Running', -20));
    expect(v.running.map((r) => r.job)).toEqual(['pod/late-1-x']);
    expect(v.active).toBe(1);
  });
});

describe('recent outcomes', () => {
  test('finished one-shot runs, newest first, with how long they took and why', () => {
    const ok = task('ok', { status: { phase: 'Succeeded', jobName: 'ok-1', startedAt: at(-100), finishedAt: at(-40) } });
    const failed = task('failed', { status: {
      phase: 'Failed', attempt: 3, jobName: 'failed-3', startedAt: at(-30), finishedAt: at(-10), message: 'no heartbeat for 30m (HeartbeatTimeout)',
    } });
    const cancelled = task('cancelled', { cancel: true, status: { phase: 'Cancelled', finishedAt: at(-5) } });
    const rejected = task('rejected', { status: { phase: 'Rejected', finishedAt: at(-1), message: 'unknown sync type' } });
    const { recent } = view(ok, failed, cancelled, rejected);
    expect(recent).toEqual([
      { task: 'cancelled', job: undefined, source: 'hubspot', syncType: 'cancelled', phase: 'Cancelled', finishedAt: at(-5), durationSeconds: undefined, message: undefined },
      { task: 'failed', job: 'failed-3', source: 'hubspot', syncType: 'failed', phase: 'Failed', finishedAt: at(-10), durationSeconds: 20, message: 'no heartbeat for 30m (HeartbeatTimeout)' },
      { task: 'ok', job: 'ok-1', source: 'hubspot', syncType: 'ok', phase: 'Succeeded', finishedAt: at(-40), durationSeconds: 60, message: undefined },
    ]);
  });

  test('a periodic task shows its last run, while the task itself goes on', () => {
    const nightly = task('nightly', { schedule: '0 2 * * *', status: {
      phase: 'Queued', lastRun: { jobName: 'nightly-29500000', phase: 'Failed', finishedAt: at(-3600), reason: 'BackoffLimitExceeded' },
    } });
    const never = task('never', { schedule: '0 3 * * *', status: { phase: 'Queued' } });
    expect(view(nightly, never).recent).toEqual([{
      task: 'nightly', job: 'nightly-29500000', source: 'hubspot', syncType: 'nightly', phase: 'Failed', finishedAt: at(-3600), message: 'BackoffLimitExceeded',
    }]);
  });

  test('at most `recent` of them', () => {
    const tasks = Array.from({ length: 30 }, (_, i) => task(`t${i}`, { status: { phase: 'Succeeded', finishedAt: at(-i) } }));
    const [v] = viewPools(world(pool('crm'), ...tasks), { nowMs: NOW, recent: 5 });
    expect(v!.recent.map((r) => r.task)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(view(...tasks).recent).toHaveLength(20);
  });
});
