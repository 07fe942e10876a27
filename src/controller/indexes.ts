// The informer indexes the reconcilers read through, so that one pool's admission
// cycle touches only that pool's unfinished Jobs and live tasks, whatever else the
// namespace holds (10,000 finished runs, other pools' queues).
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTask } from '../api/types.js';
import { isFinished } from '../jobs/classify.js';
import { JOB_UID_LABEL, LABEL_POOL, LABEL_TASK } from '../jobs/labels.js';
import type { Cache } from './cache.js';
import { TERMINAL_PHASES } from '../api/syncTask.js';

/** Jobs: `namespace/pool` of every unfinished Job (queued, running, terminating). */
export const UNFINISHED_BY_POOL = 'unfinishedByPool';
/** Jobs: `namespace/task` of every Job of a task, finished or not. */
export const JOBS_BY_TASK = 'jobsByTask';
/** Pods: `namespace/pool` of every sync pod not yet terminated. */
export const ALIVE_PODS_BY_POOL = 'alivePodsByPool';
/** Pods: `namespace/jobUid` of every sync pod, by the uid of the Job that made it. */
export const PODS_BY_JOB = 'podsByJob';
/** SyncTasks: `namespace/pool` of every task, finished or not (retention, re-judging Rejected). */
export const TASKS_BY_POOL = 'tasksByPool';
/** SyncTasks: `namespace/pool` of every task not in a final phase. */
export const LIVE_TASKS_BY_POOL = 'liveTasksByPool';

export interface IndexedCache<T extends KubernetesObject> extends Cache<T> {
  byIndex(index: string, key: string): T[];
}

export function unfinishedByPool(job: V1Job): string[] {
  const pool = job.metadata?.labels?.[LABEL_POOL];
  return pool && !isFinished(job) ? [`${job.metadata?.namespace}/${pool}`] : [];
}

export function jobsByTask(job: V1Job): string[] {
  const task = job.metadata?.labels?.[LABEL_TASK];
  return task ? [`${job.metadata?.namespace}/${task}`] : [];
}

export function liveTasksByPool(task: SyncTask & KubernetesObject): string[] {
  const phase = task.status?.phase;
  if (phase && TERMINAL_PHASES.has(phase)) return [];
  return task.spec?.pool ? [`${task.metadata?.namespace}/${task.spec.pool}`] : [];
}

export function alivePodsByPool(pod: V1Pod): string[] {
  const pool = pod.metadata?.labels?.[LABEL_POOL];
  const phase = pod.status?.phase;
  return pool && phase !== 'Succeeded' && phase !== 'Failed' ? [`${pod.metadata?.namespace}/${pool}`] : [];
}

export function podsByJob(pod: V1Pod): string[] {
  const job = pod.metadata?.labels?.[JOB_UID_LABEL];
  return job ? [`${pod.metadata?.namespace}/${job}`] : [];
}

export function tasksByPool(task: SyncTask & KubernetesObject): string[] {
  return task.spec?.pool ? [`${task.metadata?.namespace}/${task.spec.pool}`] : [];
}
