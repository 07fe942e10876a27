// The pool gauges' read model: a pool and what the caches hold of it → its numbers.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { WorkerPool } from '../../../src/api/types.js';
import type { TaskObject } from '../../../src/jobs/poolSnapshot.js';
import { type PoolContents, poolGauges } from '../../../src/metrics/poolGauges.js';

const pool = (maxWorkers: unknown): WorkerPool => ({
  apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { namespace: 'ns', name: 'p' },
  spec: { maxWorkers, template: { image: 'x' } },
} as WorkerPool);

const task = (name: string, o: { cancel?: boolean; status?: TaskObject['status'] } = {}): TaskObject => ({
  apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
  metadata: { namespace: 'ns', name, uid: `u-${name}`, creationTimestamp: '2026-11-23T10:00:00Z' as never },
  spec: { pool: 'p', source: 'hubspot', syncType: name, priority: 0, cancel: o.cancel ?? false },
  status: o.status,
} as TaskObject);

type JobState = 'queued' | 'running' | 'terminating' | 'deleting-queued';
const job = (taskName: string, state: JobState): V1Job => ({
  metadata: {
    namespace: 'ns', name: `${taskName}-1`, uid: `job-${taskName}`,
    labels: { 'syncpool.dev/pool': 'p', 'syncpool.dev/source': 'hubspot', 'syncpool.dev/sync-type': taskName },
    ownerReferences: [{ apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', name: taskName, uid: `u-${taskName}`, controller: true }],
    ...(state === 'deleting-queued' && { deletionTimestamp: new Date() }),
  },
  spec: { suspend: state === 'queued' || state === 'deleting-queued' || state === 'terminating', template: {} },
  // A Job suspended while its pod still terminates holds its slot until the pod is gone.
  status: state === 'terminating' ? { terminating: 1 } : {},
});

const orphanPod = (name: string): V1Pod => ({
  metadata: { namespace: 'ns', name, labels: { 'syncpool.dev/pool': 'p', 'batch.kubernetes.io/controller-uid': 'job-deleted' } },
  status: { phase: 'Running' },
});

function contents(jobs: V1Job[], tasks: TaskObject[], pods: V1Pod[] = []): PoolContents {
  return { jobs, pods, tasks };
}

test.each([
  {
    what: 'an idle pool',
    max: 3, jobs: [], tasks: [], pods: [],
    want: { maxWorkers: 3, active: 0, queued: 0, utilization: 0 },
  },
  {
    what: 'running and queued Jobs; a terminating pod still holds its slot',
    max: 4, jobs: [job('a', 'running'), job('b', 'running'), job('c', 'terminating'), job('d', 'queued'), job('e', 'queued')],
    tasks: ['a', 'b', 'c', 'd', 'e'].map((n) => task(n)), pods: [],
    want: { maxWorkers: 4, active: 3, queued: 2, utilization: 0.75 },
  },
  {
    what: 'a pod that outlived its Job counts as active, like the admission cycle counts it',
    max: 2, jobs: [job('a', 'running')], tasks: [task('a')], pods: [orphanPod('gone-1-x')],
    want: { active: 2, queued: 0, utilization: 1 },
  },
  {
    what: 'not queued: a task whose Job is still being made, a cancelled task\'s Job, a queued Job being deleted',
    max: 1, jobs: [job('c', 'queued'), job('d', 'deleting-queued')], tasks: [task('new'), task('c', { cancel: true }), task('d')], pods: [],
    want: { active: 0, queued: 0 },
  },
  {
    what: 'more running than the cap, right after it was lowered: utilization above 1',
    max: 2, jobs: [job('a', 'running'), job('b', 'running'), job('c', 'running')], tasks: [], pods: [],
    want: { active: 3, utilization: 1.5 },
  },
  {
    what: 'a cap of 0 with a run still going is a full pool',
    max: 0, jobs: [job('a', 'running')], tasks: [task('a')], pods: [],
    want: { maxWorkers: 0, active: 1, utilization: 1 },
  },
  {
    what: 'a cap the operator cannot read counts as 0',
    max: 'three', jobs: [], tasks: [], pods: [],
    want: { maxWorkers: 0, utilization: 0 },
  },
])('$what', ({ max, jobs, tasks, pods, want }) => {
  expect(poolGauges(pool(max), contents(jobs, tasks, pods))).toMatchObject({ namespace: 'ns', pool: 'p', ...want });
});
