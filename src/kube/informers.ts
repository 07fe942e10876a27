// Where each kind the operator watches lives on the API server, and how to list it.
// The generic informer (src/runtime) knows nothing of syncpool; this is the only place
// that knows our URLs and selectors.
import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/common.js';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { LABEL_POOL } from '../jobs/labels.js';
import { type InformerOptions, ResilientInformer } from '../runtime/informer.js';
import type { KubeClients } from './client.js';
import { POOLS, TASKS } from './writers.js';

export type TaskObject = SyncTask & KubernetesObject;
export type PoolObject = WorkerPool & KubernetesObject;

type CustomList<T> = { items: T[]; metadata?: { resourceVersion?: string } };

/** `namespace` undefined: every namespace. */
function customInformer<T extends KubernetesObject>(
  clients: KubeClients, plural: string, namespace: string | undefined, opts: InformerOptions,
): ResilientInformer<T> {
  const path = `/apis/${GROUP}/${VERSION}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
  const list = async () => (namespace
    ? clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
    : clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as Promise<CustomList<T>>;
  return new ResilientInformer<T>(clients, path, list as never, opts);
}

export const taskInformer = (clients: KubeClients, namespace: string | undefined, opts: InformerOptions) =>
  customInformer<TaskObject>(clients, TASKS, namespace, opts);

export const poolInformer = (clients: KubeClients, namespace: string | undefined, opts: InformerOptions) =>
  customInformer<PoolObject>(clients, POOLS, namespace, opts);

/** Only Jobs labelled with a pool: the pools' queues and runs, nothing else. */
export function jobInformer(clients: KubeClients, namespace: string | undefined, opts: InformerOptions): ResilientInformer<V1Job> {
  const path = `/apis/batch/v1${namespace ? `/namespaces/${namespace}` : ''}/jobs`;
  const list = () => (namespace
    ? clients.batch.listNamespacedJob({ namespace, labelSelector: LABEL_POOL })
    : clients.batch.listJobForAllNamespaces({ labelSelector: LABEL_POOL }));
  return new ResilientInformer<V1Job>(clients, path, list, { ...opts, labelSelector: LABEL_POOL });
}
