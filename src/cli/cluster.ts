// What the plugin reads and writes, with the user's own credentials. Reads return the
// plain lists the read models (src/views) take; a missing object is a CliError that
// names what exists instead.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/common.js';
import { LABEL_POOL } from '../jobs/labels.js';
import { isNotFound, mergePatch } from '../kube/client.js';
import { POOLS, TASKS } from '../kube/writers.js';
import type { ClusterState, PoolObject, TaskObject } from '../views/index.js';
import { CliError } from './failures.js';
import { scopeWords, type Session } from './session.js';

type List<T> = { items: T[] };

const ref = (plural: string, namespace: string) => ({ group: GROUP, version: VERSION, namespace, plural });

async function listCustom<T>(s: Session, plural: string): Promise<T[]> {
  const list = s.allNamespaces
    ? s.kube.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
    : s.kube.custom.listNamespacedCustomObject(ref(plural, s.namespace));
  return ((await list) as List<T>).items;
}

export const listPools = (s: Session) => listCustom<PoolObject>(s, POOLS);
export const listTasks = (s: Session) => listCustom<TaskObject>(s, TASKS);

export async function listJobs(s: Session, labelSelector = LABEL_POOL): Promise<V1Job[]> {
  const list = s.allNamespaces
    ? s.kube.batch.listJobForAllNamespaces({ labelSelector })
    : s.kube.batch.listNamespacedJob({ namespace: s.namespace, labelSelector });
  return (await list).items;
}

export async function listPods(s: Session, labelSelector = LABEL_POOL): Promise<V1Pod[]> {
  const list = s.allNamespaces
    ? s.kube.core.listPodForAllNamespaces({ labelSelector })
    : s.kube.core.listNamespacedPod({ namespace: s.namespace, labelSelector });
  return (await list).items;
}

/** Pools, tasks and the pools' Jobs and pods; with `pool`, Jobs and pods of that pool only. */
export async function loadState(s: Session, o: { pool?: string } = {}): Promise<ClusterState> {
  const selector = o.pool === undefined ? LABEL_POOL : `${LABEL_POOL}=${o.pool}`;
  const pools = listPools(s);
  const tasks = listTasks(s);
  const jobs = listJobs(s, selector);
  const pods = listPods(s, selector);
  // All four at once, but a failure is reported in this order, so the same one every time.
  for (const pending of [pools, tasks, jobs, pods]) pending.catch(() => undefined);
  return { pools: await pools, tasks: await tasks, jobs: await jobs, pods: await pods };
}

export async function getTask(s: Session, name: string): Promise<TaskObject> {
  try {
    return await s.kube.custom.getNamespacedCustomObject({ ...ref(TASKS, s.namespace), name }) as TaskObject;
  } catch (err) {
    if (isNotFound(err) && isStatusBody(err)) throw new CliError(`SyncTask ${name} not found in namespace ${s.namespace}`);
    throw err;
  }
}

export async function getPool(s: Session, name: string): Promise<PoolObject> {
  try {
    return await s.kube.custom.getNamespacedCustomObject({ ...ref(POOLS, s.namespace), name }) as PoolObject;
  } catch (err) {
    if (isNotFound(err) && isStatusBody(err)) throw await poolNotFound(s, name);
    throw err;
  }
}

/** "WorkerPool crmm not found in namespace data; pools there: crm, exports" */
export async function poolNotFound(s: Session, name: string): Promise<CliError> {
  const names = await listPools(s)
    .then((pools) => pools.map((p) => (s.allNamespaces ? `${p.metadata!.namespace}/${p.metadata!.name}` : p.metadata!.name!)).sort(), () => undefined);
  const where = s.allNamespaces ? '' : ' there';
  const there = names === undefined ? '' : names.length === 0 ? `; there are no pools${where}` : `; pools${where}: ${names.join(', ')}`;
  return new CliError(`WorkerPool ${name} not found in ${scopeWords(s)}${there}`);
}

export async function patchTaskSpec(s: Session, name: string, spec: object): Promise<TaskObject> {
  return await s.kube.custom.patchNamespacedCustomObject({ ...ref(TASKS, s.namespace), name, body: { spec } }, mergePatch) as TaskObject;
}

export async function patchPoolSpec(s: Session, name: string, spec: object): Promise<PoolObject> {
  return await s.kube.custom.patchNamespacedCustomObject({ ...ref(POOLS, s.namespace), name, body: { spec } }, mergePatch) as PoolObject;
}

export async function createTask(s: Session, body: object): Promise<TaskObject> {
  return await s.kube.custom.createNamespacedCustomObject({ ...ref(TASKS, s.namespace), body }) as TaskObject;
}

/** A 404 about an object (a Status body), not about a path the server does not serve at all. */
function isStatusBody(err: unknown): boolean {
  const body = (err as { body?: unknown }).body;
  return typeof body !== 'string' || body.trimStart().startsWith('{');
}
