// Every write the controllers make, in one thin layer: status patches for our two
// kinds and the three things we do to Jobs (create, admit, delete). Reads come from
// informer caches, never from here.
import type { V1Job } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/common.js';
import { ANNOTATION_PRIORITY } from '../jobs/labels.js';
import { isAlreadyExists, isNotFound, type KubeClients, mergePatch } from './client.js';

export const TASKS = 'synctasks';
export const POOLS = 'workerpools';

export class Writers {
  constructor(private readonly kube: KubeClients, private readonly onRequest: (verb: string) => void = () => {}) {}

  /** Returns the object as stored after the patch. */
  async patchStatus<T>(plural: typeof TASKS | typeof POOLS, namespace: string, name: string, status: object): Promise<T> {
    this.onRequest('patch');
    return (await this.kube.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, namespace, name, body: { status } }, mergePatch)) as T;
  }

  /** Creates the Job; false if it already existed (names are deterministic, so that is success). */
  async createJob(job: V1Job): Promise<boolean> {
    this.onRequest('create');
    try {
      await this.kube.batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  /** Admits a queued Job: unsuspending it lets the Job controller start its pod. */
  async admitJob(namespace: string, name: string): Promise<void> {
    this.onRequest('patch');
    await this.kube.batch.patchNamespacedJob({ namespace, name, body: { spec: { suspend: false } } }, mergePatch);
  }

  /** Re-ranks a queued Job: the pool orders its queue by this annotation. */
  async setJobPriority(namespace: string, name: string, priority: number): Promise<void> {
    this.onRequest('patch');
    await this.kube.batch.patchNamespacedJob(
      { namespace, name, body: { metadata: { annotations: { [ANNOTATION_PRIORITY]: String(priority) } } } }, mergePatch);
  }

  /** Deletes a Job and its pods; false if it was already gone. */
  async deleteJob(namespace: string, name: string): Promise<boolean> {
    this.onRequest('delete');
    try {
      await this.kube.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
