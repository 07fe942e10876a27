import type { V1Job } from '@kubernetes/client-node';
import { countPool, snapshotPool, type TaskObject } from '../../../src/jobs/poolSnapshot.js';

const task = (name: string, uid: string, over: Partial<TaskObject['spec']> = {}, status?: TaskObject['status']): TaskObject => ({
  apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
  metadata: { namespace: 'ns', name, uid, creationTimestamp: '2026-11-23T10:00:00Z' as never },
  spec: { pool: 'p', source: 'hubspot', syncType: name, priority: 0, cancel: false, ...over },
  status,
} as TaskObject);

const job = (name: string, owner: string, suspend: boolean, priority = 0): V1Job => ({
  metadata: {
    namespace: 'ns', name, uid: `job-${name}`,
    labels: { 'syncpool.dev/pool': 'p', 'syncpool.dev/source': 'hubspot', 'syncpool.dev/sync-type': name },
    annotations: { 'syncpool.dev/priority': String(priority), 'syncpool.dev/enqueued-at': '2026-11-23T10:00:01Z' },
    ownerReferences: [{ apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', name, uid: owner, controller: true }],
  },
  spec: { suspend, template: {} },
});

const byName = (jobs: V1Job[]) => (name: string) => jobs.find((j) => j.metadata!.name === name);

test('a task without a Job yet waits in the queue as a reservation, in priority order', () => {
  const low = job('low-1', 'u-low', true, 0);
  const snap = snapshotPool({
    jobs: [low], pods: [], tasks: [task('low', 'u-low'), task('high', 'u-high', { priority: 7 })], assumed: new Set(), jobNamed: byName([low]),
  });
  expect(snap.queued.map((q) => q.name).sort()).toEqual(['high-1', 'low-1']);
  expect([...snap.reserved]).toEqual(['high-1']);
  expect(snap.queued.find((q) => q.name === 'high-1')).toMatchObject({ priority: 7, enqueuedAtMs: Date.parse('2026-11-23T10:00:00Z') });
});

test('an assumed admission counts as running; a Job of a deleted or cancelling task is never queued', () => {
  const jobs = [job('a-1', 'u-a', true), job('gone-1', 'u-deleted', true), job('c-1', 'u-c', true)];
  const snap = snapshotPool({
    jobs, pods: [], tasks: [task('a', 'u-a'), task('c', 'u-c', { cancel: true })], assumed: new Set(['job-a-1']), jobNamed: byName(jobs),
  });
  expect(snap.running.map((r) => r.name)).toEqual(['a-1']);
  expect(snap.queued).toEqual([]);
  expect(snap.reserved.size).toBe(0);
});

test('a Job of the same name left by an earlier task is not this task\'s Job: the task still waits for its own', () => {
  const old = job('t-1', 'u-old', false);
  const snap = snapshotPool({ jobs: [old], pods: [], tasks: [task('t', 'u-new')], assumed: new Set(), jobNamed: byName([old]) });
  expect(snap.running.map((r) => r.name)).toEqual(['t-1']); // the old run still holds its slot
  expect([...snap.reserved]).toEqual(['t-1']);
});

test('tasks that will not get a Job soon reserve nothing', () => {
  const tasks = [
    task('pending-template', 'u1', {}, { phase: 'Pending', conditions: [{ type: 'Accepted', status: 'False', reason: 'InvalidTemplate', message: '', lastTransitionTime: '' }] }),
    task('running', 'u2', {}, { phase: 'Running' }),
    task('pending-pool', 'u3', {}, { phase: 'Pending', conditions: [{ type: 'Accepted', status: 'False', reason: 'PoolNotFound', message: '', lastTransitionTime: '' }] }),
  ];
  const snap = snapshotPool({ jobs: [], pods: [], tasks, assumed: new Set(), jobNamed: () => undefined });
  expect([...snap.reserved]).toEqual(['pending-pool-1']);
});

test('a pod that outlived its Job (deleted in the background) holds a slot until it is gone', () => {
  const pod = (name: string, job: string, phase = 'Running') => ({
    metadata: { namespace: 'ns', name, labels: { 'syncpool.dev/pool': 'p', 'batch.kubernetes.io/controller-uid': `job-${job}`, 'syncpool.dev/source': 'hubspot', 'syncpool.dev/sync-type': 'x' } },
    status: { phase },
  });
  const running = job('a-1', 'u-a', false);
  const snap = snapshotPool({
    jobs: [running], pods: [pod('a-1-xyz', 'a-1'), pod('gone-1-abc', 'gone-1')], tasks: [task('a', 'u-a')], assumed: new Set(), jobNamed: byName([running]),
  });
  expect(snap.running.map((r) => r.name)).toEqual(['a-1', 'pod/gone-1-abc']);
  expect(snap.running[1]).toMatchObject({ source: 'hubspot', syncType: 'x' });
});

test('countPool gives the snapshot\'s numbers (the gauges equal the pool\'s status) without building it', () => {
  const pod = (name: string, jobUid: string) => ({
    metadata: { namespace: 'ns', name, labels: { 'syncpool.dev/pool': 'p', 'batch.kubernetes.io/controller-uid': jobUid } },
    status: { phase: 'Running' },
  });
  const jobs = [
    job('run-1', 'u-run', false), job('wait-1', 'u-wait', true), job('orphan-1', 'u-deleted', true), job('cancel-1', 'u-cancel', true),
  ];
  const tasks = [task('run', 'u-run'), task('wait', 'u-wait'), task('cancel', 'u-cancel', { cancel: true }), task('new', 'u-new')];
  const pods = [pod('run-1-x', 'job-run-1'), pod('left-1-y', 'job-left-1')];
  const snap = snapshotPool({ jobs, pods, tasks, assumed: new Set(), jobNamed: byName(jobs) });
  // run-1 and the pod that outlived its Job hold slots; wait-1 waits; new-1 is reserved, not counted.
  expect(countPool({ jobs, pods, tasks })).toEqual({ running: 2, queued: 1 });
  expect(countPool({ jobs, pods, tasks })).toEqual({ running: snap.running.length, queued: snap.queued.length - snap.reserved.size });
});
