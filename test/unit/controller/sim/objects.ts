// Builders for the objects a user applies, with the defaults the API server's CRD
// schema would fill in (so they parse as the operator's zod types expect).
import type { WorkerPool, SyncTask } from '../../../../src/api/types.js';
import type { PoolObject, TaskObject } from '../../../../src/kube/informers.js';
import { API_VERSION } from '../../../../src/api/common.js';

export const NS = 'sim';

export type PoolSpecInput = Partial<WorkerPool['spec']>;
export type TaskSpecInput = Partial<SyncTask['spec']> & { pool: string };

export function poolObject(name: string, spec: PoolSpecInput = {}): PoolObject {
  return {
    apiVersion: API_VERSION,
    kind: 'WorkerPool',
    metadata: { namespace: NS, name },
    spec: {
      maxWorkers: 1, paused: false, overlap: 'Forbid', staleAfter: '30m', heartbeat: 'Required',
      template: { image: 'registry.example/sync:1' },
      ...spec,
    },
  } as PoolObject;
}

export function taskObject(name: string, spec: TaskSpecInput): TaskObject {
  return {
    apiVersion: API_VERSION,
    kind: 'SyncTask',
    metadata: { namespace: NS, name },
    spec: { source: 'hubspot', syncType: 'contacts', priority: 0, cancel: false, ...spec },
  } as TaskObject;
}

export type { PoolObject, TaskObject };
