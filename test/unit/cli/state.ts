// A small ClusterState as the API server would hold it: one pool, tasks with their Jobs
// (running or queued), for the tests of what watch and submit --wait print.
import type { V1Job } from '@kubernetes/client-node';
import type { ClusterState, PoolObject, TaskObject } from '../../../src/views/index.js';

export const NOW = Date.parse('2026-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000);

export function pool(spec: Partial<PoolObject['spec']> = {}): PoolObject {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { name: 'crm', namespace: 'data', generation: 1 },
    spec: { maxWorkers: 1, template: { image: 'i' }, ...spec },
  } as PoolObject;
}

export function task(name: string, phase: string, o: { status?: object; priority?: number; syncType?: string } = {}): TaskObject {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
    metadata: { name, namespace: 'data', uid: `uid-${name}`, creationTimestamp: ago(600) },
    spec: { pool: 'crm', source: 'hubspot', syncType: o.syncType ?? name, priority: o.priority ?? 0 },
    status: { phase, attempt: 1, jobName: `${name}-1`, queuedAt: ago(300).toISOString(), ...o.status },
  } as TaskObject;
}

/** The task's first Job: admitted (running for `runningFor` s) or still suspended. */
export function job(t: TaskObject, o: { runningFor?: number; enqueuedAgo?: number } = {}): V1Job {
  const name = t.metadata!.name!;
  return {
    metadata: {
      name: `${name}-1`, namespace: 'data', uid: `job-${name}`, creationTimestamp: ago(o.enqueuedAgo ?? 300),
      labels: { 'syncpool.dev/pool': 'crm', 'syncpool.dev/task': name, 'syncpool.dev/source': t.spec.source, 'syncpool.dev/sync-type': t.spec.syncType, 'syncpool.dev/attempt': '1' },
      annotations: { 'syncpool.dev/priority': String(t.spec.priority ?? 0), 'syncpool.dev/enqueued-at': ago(o.enqueuedAgo ?? 300).toISOString() },
      ownerReferences: [{ apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', name, uid: t.metadata!.uid!, controller: true }],
    },
    spec: { suspend: o.runningFor === undefined, template: {} },
    status: o.runningFor === undefined ? {} : { startTime: ago(o.runningFor), active: 1 },
  };
}

export function state(pools: readonly PoolObject[], tasks: readonly TaskObject[], jobs: readonly V1Job[]): ClusterState {
  return { pools, tasks, jobs, pods: [] };
}
