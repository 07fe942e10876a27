// Where each kind the operator watches lives on the API server, and how to list it.
// The generic informer (src/runtime) knows nothing of syncpool; this is the only place
// that knows our URLs and selectors.
import type { KubernetesObject, V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/common.js';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { LABEL_POOL, PARAMETER_PREFIX, SYNC_CONTAINER } from '../jobs/labels.js';
import { type InformerOptions, type ListPage, ResilientInformer } from '../runtime/informer.js';
import type { KubeClients } from './client.js';
import { POOLS, TASKS } from './writers.js';

export type TaskObject = SyncTask & KubernetesObject;
export type PoolObject = WorkerPool & KubernetesObject;

type CustomList<T> = { items: T[]; metadata?: { resourceVersion?: string; continue?: string } };

/** managedFields is bookkeeping for server-side apply; no reader here needs it. */
function withoutManagedFields<T extends KubernetesObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  return { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
}

/** `namespace` undefined: every namespace. */
function customInformer<T extends KubernetesObject>(
  clients: KubeClients, plural: string, namespace: string | undefined, opts: InformerOptions<T>,
): ResilientInformer<T> {
  const path = `/apis/${GROUP}/${VERSION}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
  const list = async (page: ListPage) => (namespace
    ? clients.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, ...page })
    : clients.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural, ...page })) as Promise<CustomList<T>>;
  return new ResilientInformer<T>(clients, path, list as never, opts);
}

export const taskInformer = (clients: KubeClients, namespace: string | undefined, opts: InformerOptions<TaskObject>) =>
  customInformer<TaskObject>(clients, TASKS, namespace, { ...opts, transform: withoutManagedFields });

export const poolInformer = (clients: KubeClients, namespace: string | undefined, opts: InformerOptions<PoolObject>) =>
  customInformer<PoolObject>(clients, POOLS, namespace, opts);

/**
 * A Job as the operator reads it: all of its metadata but managedFields, its status, the
 * spec fields that decide a run (suspend, deadline, retries), and of its pod template only
 * the sync container's SYNCPOOL_* variables and parameter Secret, which tell whether a
 * queued Job still runs what its task says (jobs/drift.ts). The rest of the template (the
 * image, resources, security context, volumes) is most of a Job and nobody here reads
 * it: with 10,000 Jobs queued it was most of the operator's memory.
 */
export function slimJob(job: V1Job): V1Job {
  const spec = job.spec;
  const sync = spec?.template?.spec?.containers?.find((c) => c.name === SYNC_CONTAINER);
  return {
    apiVersion: job.apiVersion,
    kind: job.kind,
    metadata: withoutManagedFields(job).metadata,
    spec: spec && {
      suspend: spec.suspend,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      backoffLimit: spec.backoffLimit,
      parallelism: spec.parallelism,
      completions: spec.completions,
      template: {
        spec: {
          containers: sync ? [{
            name: sync.name,
            env: sync.env?.filter((e) => e.name.startsWith('SYNCPOOL_')),
            envFrom: sync.envFrom?.filter((e) => e.prefix === PARAMETER_PREFIX),
          }] : [],
        },
      },
    } as V1Job['spec'],
    status: job.status,
  };
}

/** Only Jobs labelled with a pool: the pools' queues and runs, nothing else. */
export function jobInformer(clients: KubeClients, namespace: string | undefined, opts: InformerOptions<V1Job>): ResilientInformer<V1Job> {
  const path = `/apis/batch/v1${namespace ? `/namespaces/${namespace}` : ''}/jobs`;
  const list = (page: ListPage) => (namespace
    ? clients.batch.listNamespacedJob({ namespace, labelSelector: LABEL_POOL, ...page })
    : clients.batch.listJobForAllNamespaces({ labelSelector: LABEL_POOL, ...page }));
  return new ResilientInformer<V1Job>(clients, path, list, { ...opts, labelSelector: LABEL_POOL, transform: slimJob });
}

/**
 * Every CronJob in scope: those periodic SyncTasks own, and plain ones a user labels
 * with a pool (adoption); a label removed must be seen too, so no selector.
 */
export function cronJobInformer(clients: KubeClients, namespace: string | undefined, opts: InformerOptions<V1CronJob>): ResilientInformer<V1CronJob> {
  const path = `/apis/batch/v1${namespace ? `/namespaces/${namespace}` : ''}/cronjobs`;
  const list = (page: ListPage) => (namespace
    ? clients.batch.listNamespacedCronJob({ namespace, ...page })
    : clients.batch.listCronJobForAllNamespaces(page));
  return new ResilientInformer<V1CronJob>(clients, path, list, { ...opts, transform: withoutManagedFields });
}

/**
 * The pools' sync pods, reduced to what the cap needs: which pool, which Job, alive or
 * not. A pod can outlive its Job (a Job deleted with background propagation, as garbage
 * collection does when a task is deleted); until it is gone it still holds its slot.
 */
export function podInformer(clients: KubeClients, namespace: string | undefined, opts: InformerOptions<V1Pod>): ResilientInformer<V1Pod> {
  const path = `/api/v1${namespace ? `/namespaces/${namespace}` : ''}/pods`;
  const list = (page: ListPage) => (namespace
    ? clients.core.listNamespacedPod({ namespace, labelSelector: LABEL_POOL, ...page })
    : clients.core.listPodForAllNamespaces({ labelSelector: LABEL_POOL, ...page }));
  return new ResilientInformer<V1Pod>(clients, path, list, { ...opts, labelSelector: LABEL_POOL, transform: slimPod });
}

/**
 * What the cap and the startup check need of a pod: which pool and Job, alive or not,
 * running since when, and if it is not running, why (unschedulable, image not pulled).
 */
export function slimPod(pod: V1Pod): V1Pod {
  return {
    metadata: {
      namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion, labels: pod.metadata?.labels, deletionTimestamp: pod.metadata?.deletionTimestamp,
    },
    status: {
      phase: pod.status?.phase,
      startTime: pod.status?.startTime,
      conditions: pod.status?.conditions?.filter((c) => c.type === 'PodScheduled' && c.status !== 'True'),
      containerStatuses: pod.status?.containerStatuses?.map((c) => ({
        name: c.name, image: c.image, imageID: c.imageID, ready: c.ready, restartCount: c.restartCount, state: c.state,
      })),
    },
  };
}
