// Which live sync run a pod is. A token proves which pod is calling; only a pod of a
// syncpool Job that is still running may speak for its task. Reads the pod cache of
// this replica (every replica keeps one), and the API server when the cache has not
// caught up yet: a pod can use its token before its watch event arrives.
import type { V1Pod } from '@kubernetes/client-node';
import { JOB_UID_LABEL, jobName, LABEL_ATTEMPT, LABEL_POOL, LABEL_TASK } from '../jobs/labels.js';

/** Set by the Job controller on its pods, with JOB_UID_LABEL. */
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/** One attempt of one task, as its pod tells it. */
export interface Run {
  namespace: string;
  task: string;
  pool: string;
  attempt: number;
  jobUid: string;
  jobName: string;
  podName: string;
  podUid: string;
}

export type RefusalReason = 'UnknownPod' | 'NotARun' | 'UidMismatch' | 'Finished' | 'Terminating';

export type RunLookup = { ok: true; run: Run } | { ok: false; reason: RefusalReason; message: string };

/** What RunDirectory reads: a pod cache (an informer) and one live GET. */
export interface RunDirectorySource {
  cached(namespace: string, name: string): V1Pod | undefined;
  /** Undefined when the pod does not exist. */
  read(namespace: string, name: string): Promise<V1Pod | undefined>;
}

export class RunDirectory {
  /** `namespace`: the one namespace this operator runs syncs in; undefined: all. */
  constructor(private readonly source: RunDirectorySource, private readonly namespace?: string) {}

  /** Throws only if the live read fails (API server unreachable). */
  async runOf(namespace: string, podName: string, podUid: string): Promise<RunLookup> {
    // Not ours to judge (and likely not ours to read: RBAC may stop at our namespace).
    if (this.namespace !== undefined && namespace !== this.namespace) {
      return refuse('NotARun', `pod ${namespace}/${podName} is outside namespace ${this.namespace}, where this operator runs syncs`);
    }
    let pod = this.source.cached(namespace, podName);
    // Unknown, or another incarnation of that name: the cache may lag; ask once.
    if (pod?.metadata?.uid !== podUid) pod = await this.source.read(namespace, podName);
    return judge(pod, namespace, podName, podUid);
  }
}

/** Pure: what a pod (as read) says about a caller that claims to be `podUid`. */
export function judge(pod: V1Pod | undefined, namespace: string, podName: string, podUid: string): RunLookup {
  const where = `pod ${namespace}/${podName}`;
  if (!pod) return refuse('UnknownPod', `${where} does not exist`);
  if (pod.metadata?.uid !== podUid) return refuse('UidMismatch', `${where} is another pod than the one this token was issued for`);
  const labels = pod.metadata?.labels ?? {};
  const task = labels[LABEL_TASK];
  const pool = labels[LABEL_POOL];
  const jobUid = labels[JOB_UID_LABEL];
  const attempt = Number(labels[LABEL_ATTEMPT]);
  if (!task || !pool || !jobUid || !Number.isInteger(attempt)) return refuse('NotARun', `${where} is not a syncpool sync run`);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return refuse('Finished', `${where} has finished (${phase}); its run is over`);
  if (pod.metadata?.deletionTimestamp) return refuse('Terminating', `${where} is terminating; its run is over`);
  return {
    ok: true,
    run: { namespace, task, pool, attempt, jobUid, jobName: labels[JOB_NAME_LABEL] ?? jobName(task, attempt), podName, podUid },
  };
}

const refuse = (reason: RefusalReason, message: string): RunLookup => ({ ok: false, reason, message });
