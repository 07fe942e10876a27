// Every write the controllers make, in one thin layer: status patches for our two
// kinds and what we do to Jobs (create, admit, re-rank, delete). Reads come from
// informer caches, never from here. Job writes carry the Job's uid as a precondition:
// a Job deleted and re-created under the same name (a task deleted and re-applied) is
// another run, and a decision made about the old one must not land on the new one.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/common.js';
import { ANNOTATION_FAILURE_MESSAGE, ANNOTATION_FAILURE_REASON, ANNOTATION_PRIORITY, JOB_NAME_LABEL, JOB_UID_LABEL } from '../jobs/labels.js';
import { isAlreadyExists, isNotFound, isConflict, type KubeClients, mergePatch } from './client.js';

export const TASKS = 'synctasks';
export const POOLS = 'workerpools';

/** Names a Job and the incarnation meant. */
export interface JobRef {
  namespace: string;
  name: string;
  uid: string;
}

/** What the reconcilers write; the fake in the unit tests implements the same. */
export interface ClusterWrites {
  /**
   * Returns the object as stored after the patch. `resourceVersion` is a precondition
   * (409 if the object changed since): a status computed for one incarnation must not
   * land on another of the same name, and a status subresource ignores a uid in the body.
   */
  patchStatus<T>(plural: typeof TASKS | typeof POOLS, namespace: string, name: string, status: object, resourceVersion?: string): Promise<T>;
  /**
   * The one live read: the cache cannot answer "is there a Job of this name that I just
   * made?" before its watch delivers it. Undefined when there is none.
   */
  getJob(namespace: string, name: string): Promise<V1Job | undefined>;
  /** Live too: how many pods of that Job (by uid) are alive (not Succeeded/Failed). */
  alivePods(namespace: string, jobUid: string): Promise<number>;
  /** Live: how many pods of any Job of that name are alive (for a Job whose uid is unknown). */
  alivePodsOfJobNamed(namespace: string, jobName: string): Promise<number>;
  /**
   * Live: whether the WorkerPool exists. Asked before a task is said to have no pool: the
   * pool cache may be behind the task cache (a pool applied together with its tasks).
   */
  poolExists(namespace: string, name: string): Promise<boolean>;
  /**
   * Creates the Job; returns it as stored, or undefined if the name was taken already
   * (names are deterministic: AlreadyExists).
   */
  createJob(job: V1Job): Promise<V1Job | undefined>;
  /** Whether the API server would accept this Job, without creating it (dry run). */
  checkJob(job: V1Job): Promise<void>;
  /** Unsuspends a queued Job; returns it as stored. Refused (404, or 422 on the uid) if it is gone or another one. */
  admitJob(job: JobRef): Promise<V1Job>;
  /** Adds annotations to a Job (that incarnation). */
  annotateJob(job: JobRef, annotations: Record<string, string>): Promise<void>;
  /** Re-ranks a queued Job: the pool orders its queue by this annotation. */
  setJobPriority(job: JobRef, priority: number): Promise<void>;
  /**
   * Deletes a Job; false if it (that incarnation) was already gone. Foreground: the Job
   * stays, holding its slot, until its pods are gone.
   */
  deleteJob(job: JobRef): Promise<boolean>;
  /**
   * Ends a running Job so that the Job controller fails it (DeadlineExceeded) and stops
   * its pods, recording why on the Job (ANNOTATION_FAILURE_REASON). The Job stays, as any
   * failed run does, for inspection; its slot frees once its pods are gone.
   */
  terminateJob(job: JobRef, reason: string, message: string): Promise<void>;
  /** The newest Warning Event about the Job (e.g. FailedCreate: a pod refused by quota). */
  jobWarning(namespace: string, jobUid: string): Promise<string | undefined>;
  /** Deletes a finished SyncTask (that incarnation); its Jobs and pods follow by garbage collection. */
  deleteTask(namespace: string, name: string, uid: string): Promise<boolean>;
  /** Creates a periodic task's CronJob; false if the name was taken. */
  createCronJob(cronJob: V1CronJob): Promise<boolean>;
  /**
   * A JSON merge patch of a CronJob, for that incarnation (uid) and, when given, that
   * version (resourceVersion): 409 if it changed since. Returns it as stored.
   */
  patchCronJob(ref: JobRef, patch: object, resourceVersion?: string): Promise<V1CronJob>;
  /**
   * Replaces a CronJob's spec, labels and annotations with `desired`'s, for the version
   * `current` is (409 if it changed since). Replace, not merge: a field the task dropped
   * (a nodeSelector key, the time zone) must go. Returns it as stored.
   */
  replaceCronJob(current: V1CronJob, desired: V1CronJob): Promise<V1CronJob>;
  /** Deletes a CronJob (that incarnation) and, in the foreground, its Jobs; false if gone. */
  deleteCronJob(ref: JobRef): Promise<boolean>;
}

export class Writers implements ClusterWrites {
  constructor(private readonly kube: KubeClients, private readonly onRequest: (verb: string) => void = () => {}) {}

  async patchStatus<T>(plural: typeof TASKS | typeof POOLS, namespace: string, name: string, status: object, resourceVersion?: string): Promise<T> {
    this.onRequest('patch');
    const body = resourceVersion ? { metadata: { resourceVersion }, status } : { status };
    return (await this.kube.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, namespace, name, body }, mergePatch)) as T;
  }

  async poolExists(namespace: string, name: string): Promise<boolean> {
    this.onRequest('get');
    try {
      await this.kube.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: POOLS, namespace, name });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async getJob(namespace: string, name: string): Promise<V1Job | undefined> {
    this.onRequest('get');
    try {
      return await this.kube.batch.readNamespacedJob({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async alivePods(namespace: string, jobUid: string): Promise<number> {
    this.onRequest('list');
    const pods = await this.kube.core.listNamespacedPod({ namespace, labelSelector: `${JOB_UID_LABEL}=${jobUid}` });
    return pods.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  }

  async alivePodsOfJobNamed(namespace: string, jobName: string): Promise<number> {
    this.onRequest('list');
    const pods = await this.kube.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${jobName}` });
    return pods.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  }

  async createJob(job: V1Job): Promise<V1Job | undefined> {
    this.onRequest('create');
    try {
      return await this.kube.batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      throw err;
    }
  }

  async checkJob(job: V1Job): Promise<void> {
    this.onRequest('create');
    await this.kube.batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job, dryRun: 'All' });
  }

  async admitJob({ namespace, name, uid }: JobRef): Promise<V1Job> {
    this.onRequest('patch');
    // metadata.uid in a patch is a precondition: another incarnation answers 422 (uid is immutable).
    return this.kube.batch.patchNamespacedJob({ namespace, name, body: { metadata: { uid }, spec: { suspend: false } } }, mergePatch);
  }

  async annotateJob({ namespace, name, uid }: JobRef, annotations: Record<string, string>): Promise<void> {
    this.onRequest('patch');
    await this.kube.batch.patchNamespacedJob({ namespace, name, body: { metadata: { uid, annotations } } }, mergePatch);
  }

  async setJobPriority({ namespace, name, uid }: JobRef, priority: number): Promise<void> {
    this.onRequest('patch');
    await this.kube.batch.patchNamespacedJob(
      { namespace, name, body: { metadata: { uid, annotations: { [ANNOTATION_PRIORITY]: String(priority) } } } }, mergePatch);
  }

  async deleteJob({ namespace, name, uid }: JobRef): Promise<boolean> {
    this.onRequest('delete');
    return deleted(this.kube.batch.deleteNamespacedJob({
      namespace, name, propagationPolicy: 'Foreground', body: { preconditions: { uid }, propagationPolicy: 'Foreground' },
    }));
  }

  async terminateJob({ namespace, name, uid }: JobRef, reason: string, message: string): Promise<void> {
    this.onRequest('patch');
    // The deadline counts from the Job's start, long past: the Job controller fails the
    // Job at its next sync and deletes its pods. (Deleting the Job would lose the run's
    // record; suspending it would put it back in the queue.)
    const annotations = { [ANNOTATION_FAILURE_REASON]: reason, [ANNOTATION_FAILURE_MESSAGE]: message.slice(0, 1024) };
    await this.kube.batch.patchNamespacedJob(
      { namespace, name, body: { metadata: { uid, annotations }, spec: { activeDeadlineSeconds: 1 } } }, mergePatch);
  }

  async jobWarning(namespace: string, jobUid: string): Promise<string | undefined> {
    this.onRequest('list');
    const events = await this.kube.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${jobUid},type=Warning` });
    const time = (e: (typeof events.items)[number]) => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
    const newest = [...events.items].sort((a, b) => time(b) - time(a))[0];
    return newest ? `${newest.reason}: ${newest.message}` : undefined;
  }

  async createCronJob(cronJob: V1CronJob): Promise<boolean> {
    this.onRequest('create');
    return created(this.kube.batch.createNamespacedCronJob({ namespace: cronJob.metadata!.namespace!, body: cronJob }));
  }

  async patchCronJob({ namespace, name, uid }: JobRef, patch: object, resourceVersion?: string): Promise<V1CronJob> {
    this.onRequest('patch');
    const p = patch as { metadata?: object };
    const body = { ...p, metadata: { ...p.metadata, uid, ...(resourceVersion && { resourceVersion }) } };
    return this.kube.batch.patchNamespacedCronJob({ namespace, name, body }, mergePatch);
  }

  async replaceCronJob(current: V1CronJob, desired: V1CronJob): Promise<V1CronJob> {
    this.onRequest('update');
    const { namespace, name, uid, resourceVersion } = current.metadata!;
    const body: V1CronJob = {
      ...desired,
      metadata: { ...current.metadata, labels: desired.metadata?.labels, annotations: desired.metadata?.annotations, uid, resourceVersion },
    };
    return this.kube.batch.replaceNamespacedCronJob({ namespace: namespace!, name: name!, body });
  }

  async deleteCronJob({ namespace, name, uid }: JobRef): Promise<boolean> {
    this.onRequest('delete');
    return deleted(this.kube.batch.deleteNamespacedCronJob({
      namespace, name, propagationPolicy: 'Foreground', body: { preconditions: { uid }, propagationPolicy: 'Foreground' },
    }));
  }

  async deleteTask(namespace: string, name: string, uid: string): Promise<boolean> {
    this.onRequest('delete');
    return deleted(this.kube.custom.deleteNamespacedCustomObject({
      group: GROUP, version: VERSION, plural: TASKS, namespace, name, propagationPolicy: 'Background', body: { preconditions: { uid } },
    }));
  }
}

/** A create with a deterministic name: false if the name was taken (AlreadyExists). */
async function created(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}

/** A delete with a uid precondition: false if that incarnation is gone, or only another one is left. */
async function deleted(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return true;
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return false;
    throw err;
  }
}
