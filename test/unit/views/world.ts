// A small cluster for the read models: pools, tasks, the Jobs the operator would make for
// them (built by the real buildJob) and their pods, at a fixed instant.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { API_VERSION } from '../../../src/api/common.js';
import type { SyncTask, WorkerPool } from '../../../src/api/types.js';
import { buildJob } from '../../../src/jobs/build.js';
import { JOB_UID_LABEL } from '../../../src/jobs/labels.js';
import type { ClusterState, PoolObject, TaskObject } from '../../../src/views/index.js';

export const NS = 'data';
/** "Now" in every test: 2026-03-01T10:00:00Z. */
export const NOW = Date.parse('2026-03-01T10:00:00Z');
/** The ISO time `seconds` from now (negative: in the past). */
export const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

export function pool(name: string, spec: Partial<WorkerPool['spec']> = {}, namespace = NS): PoolObject {
  return {
    apiVersion: API_VERSION, kind: 'WorkerPool', metadata: { namespace, name, uid: `pool-${name}` },
    spec: { maxWorkers: 1, paused: false, overlap: 'Forbid', staleAfter: '30m', heartbeat: 'Required', template: { image: 'sync:1' }, ...spec },
  } as PoolObject;
}

export interface TaskInput {
  pool?: string;
  source?: string;
  syncType?: string;
  priority?: number;
  schedule?: string;
  cancel?: boolean;
  parameters?: Record<string, unknown>;
  /** Queued at this many seconds from now (default -60). */
  queuedAt?: number;
  status?: SyncTask['status'];
  namespace?: string;
}

export function task(name: string, o: TaskInput = {}): TaskObject {
  return {
    apiVersion: API_VERSION, kind: 'SyncTask',
    metadata: { namespace: o.namespace ?? NS, name, uid: `task-${name}`, creationTimestamp: new Date(at(-3600)) as never },
    spec: {
      pool: o.pool ?? 'crm', source: o.source ?? 'hubspot', syncType: o.syncType ?? name, priority: o.priority ?? 0,
      cancel: o.cancel ?? false, ...(o.schedule && { schedule: o.schedule }), ...(o.parameters && { parameters: o.parameters }),
    },
    status: { phase: 'Queued', attempt: 1, queuedAt: at(o.queuedAt ?? -60), ...o.status },
  } as TaskObject;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobInput {
  /** Seconds from now. */
  startedAt?: number;
  finishedAt?: number;
  attempt?: number;
}

/** The Job of a task's current attempt (or `o.attempt`), in the given state. */
export function job(t: TaskObject, state: JobState, o: JobInput = {}): V1Job {
  const attempt = o.attempt ?? t.status?.attempt ?? 1;
  const built = buildJob({
    task: { namespace: t.metadata!.namespace!, name: t.metadata!.name!, uid: t.metadata!.uid!, apiVersion: API_VERSION, kind: 'SyncTask', spec: t.spec },
    pool: { spec: { template: { image: 'sync:1' } } },
    attempt, enqueuedAt: t.status?.queuedAt ?? at(-60), heartbeatUrl: 'http://op/api/v1/heartbeat',
  });
  const started = o.startedAt ?? -30;
  const finished = o.finishedAt ?? -1;
  const condition = (type: string) => [{ type, status: 'True', lastTransitionTime: new Date(at(finished)) }];
  return {
    ...built,
    metadata: { ...built.metadata, uid: `job-${built.metadata!.name}`, creationTimestamp: new Date(at(-3600)) },
    spec: { ...built.spec!, suspend: state === 'queued' },
    status: state === 'queued' ? {}
      : state === 'running' ? { active: 1, startTime: new Date(at(started)) }
        : { startTime: new Date(at(started)), completionTime: state === 'succeeded' ? new Date(at(finished)) : undefined,
          conditions: condition(state === 'succeeded' ? 'Complete' : 'Failed') as never },
  };
}

/** A pod of this Job (its labels and the Job controller's uid label). */
export function pod(j: V1Job, phase: string, startedAt = -30, name = `${j.metadata!.name}-x`): V1Pod {
  return {
    metadata: {
      namespace: j.metadata!.namespace, name,
      labels: { ...j.spec!.template.metadata!.labels, [JOB_UID_LABEL]: j.metadata!.uid! },
    },
    status: { phase, startTime: new Date(at(startedAt)) },
  };
}

/** Sorts objects into a cluster state by kind. */
export function world(...objects: (PoolObject | TaskObject | V1Job | V1Pod)[]): ClusterState {
  const of = (kind: string) => objects.filter((o) => (o as { kind?: string }).kind === kind);
  return {
    pools: of('WorkerPool') as PoolObject[],
    tasks: of('SyncTask') as TaskObject[],
    jobs: of('Job') as V1Job[],
    pods: objects.filter((o) => (o as { kind?: string }).kind === undefined) as V1Pod[],
  };
}
