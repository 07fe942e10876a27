// The Job controller, the kubelet and the garbage collector, one step at a time. Each
// Job has at most one pod (backoffLimit 0, one completion):
// - an unsuspended Job gets a running pod (active=1), later finishes: first the interim
//   SuccessCriteriaMet (its pod succeeded) or FailureTarget (its pod still terminating),
//   then the terminal Complete/Failed once no pod is alive;
// - a Job being deleted (foreground) loses its pod (terminating, then gone), then disappears;
// - a Job whose owner task (by uid) is gone is deleted in the background, as the garbage
//   collector does for a SyncTask deleted with kubectl's default: the Job object goes at
//   once and its pod, if alive, lingers (terminating) for a while on its own.
import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { controllerUid } from '../../../../src/jobs/classify.js';
import { CONTROLLER_UID_LABEL, type FakeCluster, JOB_NAME_LABEL } from './cluster.js';
import type { Rng } from './random.js';

export interface JobControllerOptions {
  /** Per step, the chance that a running pod ends. */
  finishChance: number;
  /** Of those, the share that fails. */
  failShare: number;
  /** Per step, the chance that the garbage collector gets to a Job whose owner is gone. */
  gcChance: number;
  /** Per step, the chance that a terminating pod of a deleted Job is gone (its grace period). */
  graceChance: number;
}

export const QUICK: JobControllerOptions = { finishChance: 1, failShare: 0, gcChance: 1, graceChance: 1 };

const condition = (type: string, at: string, reason?: string): V1JobCondition =>
  ({ type, status: 'True', lastTransitionTime: at as never, lastProbeTime: at as never, ...(reason && { reason, message: `${reason} (simulated)` }) });

const has = (job: V1Job, type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
const alive = (pod: V1Pod | undefined) => pod !== undefined && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
/** Unique per Job incarnation, as the Job controller's random suffix is. */
const podName = (job: V1Job) => `${job.metadata!.name}-${job.metadata!.uid}`;

/** One step of every pod and Job; returns what changed, for the step log. */
export function tickJobController(cluster: FakeCluster, rng: Rng, o: JobControllerOptions): string[] {
  const changes: string[] = [];
  const now = cluster.clock.iso();
  // Owners a Job can have: a task (one-shot attempts) or a CronJob (periodic runs).
  const liveTasks = new Set([...cluster.tasks.list(), ...cluster.cronJobs.list()].map((o) => o.metadata!.uid));
  const terminate = (pod: V1Pod) => cluster.putPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: now as never } });

  // Pods whose Job is gone: the garbage collector deletes them too, after a grace period.
  for (const pod of cluster.pods.list()) {
    const job = pod.metadata!.labels?.[JOB_NAME_LABEL] ?? '';
    if (cluster.jobs.get(job, pod.metadata!.namespace)?.metadata!.uid === pod.metadata!.labels?.[CONTROLLER_UID_LABEL]) continue;
    if (alive(pod) && !pod.metadata!.deletionTimestamp) {
      terminate(pod);
      changes.push(`pod of deleted Job ${job} terminating`);
    } else if (!alive(pod) || rng.chance(o.graceChance)) {
      cluster.removePod(pod);
      changes.push(`pod of deleted Job ${job} gone`);
    }
  }

  for (const job of cluster.jobs.list()) {
    const name = job.metadata!.name!;
    const pod = cluster.pods.get(podName(job), job.metadata!.namespace);
    if (!job.metadata!.deletionTimestamp && !liveTasks.has(controllerUid(job) ?? '') && rng.chance(o.gcChance)) {
      cluster.removeJob(job);
      changes.push(`gc deleted ${name} (owner gone)${alive(pod) ? ', its pod lingers' : ''}`);
      continue;
    }
    const status = { ...job.status }; // stored objects are frozen: change a copy
    if (job.metadata!.deletionTimestamp) {
      if (alive(pod) && !pod!.metadata!.deletionTimestamp) {
        terminate(pod!);
        Object.assign(status, { active: 0, terminating: 1 });
        changes.push(`${name}: pod terminating (Job being deleted)`);
      } else if (pod) {
        cluster.removePod(pod);
        status.terminating = 0;
        changes.push(`${name}: pod gone (Job being deleted)`);
      } else {
        cluster.removeJob(job);
        changes.push(`${name}: deleted`);
        continue;
      }
    } else if (job.spec?.suspend || has(job, 'Complete') || has(job, 'Failed')) {
      continue;
    } else if (!status.startTime) {
      cluster.putPod(newPod(job, now));
      Object.assign(status, { startTime: now, active: 1 });
      changes.push(`${name}: pod running`);
    } else if (has(job, 'SuccessCriteriaMet')) {
      Object.assign(status, { conditions: [...(status.conditions ?? []), condition('Complete', now)], completionTime: now });
      changes.push(`${name}: Complete`);
    } else if (has(job, 'FailureTarget')) {
      if (pod) cluster.putPod({ ...pod, status: { phase: 'Failed' } });
      const reason = job.status?.conditions?.find((c) => c.type === 'FailureTarget')?.reason ?? 'BackoffLimitExceeded';
      Object.assign(status, { terminating: 0, conditions: [...(status.conditions ?? []), condition('Failed', now, reason)] });
      changes.push(`${name}: Failed`);
    } else if (status.active && (job.spec?.activeDeadlineSeconds === 1 || rng.chance(o.finishChance))) {
      // A deadline of 1 s is the operator ending the run (ClusterWrites.terminateJob).
      const deadline = job.spec?.activeDeadlineSeconds === 1;
      const failed = deadline || rng.chance(o.failShare);
      if (failed) {
        if (pod) terminate(pod); // the failed pod is still being torn down
        const reason = deadline ? 'DeadlineExceeded' : 'BackoffLimitExceeded';
        Object.assign(status, { active: 0, terminating: 1, failed: 1, conditions: [...(status.conditions ?? []), condition('FailureTarget', now, reason)] });
      } else {
        if (pod) cluster.putPod({ ...pod, status: { phase: 'Succeeded' } });
        Object.assign(status, { active: 0, succeeded: 1, conditions: [...(status.conditions ?? []), condition('SuccessCriteriaMet', now)] });
      }
      changes.push(`${name}: ${failed ? 'FailureTarget' : 'SuccessCriteriaMet'}`);
    } else {
      continue;
    }
    cluster.updateJob({ ...job, status });
  }
  return changes;
}

/** The pod the Job controller makes: the template's labels plus the Job's name. */
function newPod(job: V1Job, now: string): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      namespace: job.metadata!.namespace, name: podName(job), creationTimestamp: now as never,
      labels: { ...job.spec?.template?.metadata?.labels, [JOB_NAME_LABEL]: job.metadata!.name!, [CONTROLLER_UID_LABEL]: job.metadata!.uid! },
    },
    status: { phase: 'Running', startTime: now as never },
  };
}
