// What occupies a pool and what waits in it, at one instant. Pure: the reconciler hands
// in what its caches hold and what its expectations assume.
//
// The queue is more than the pool's suspended Jobs: a task the operator knows of whose
// Job is not created yet (a burst of applies, a restart with tasks applied while no
// operator ran) waits too. Such a task is a "reserved" run: it takes part in the order,
// and when its turn comes its slot is held for it rather than given to a lower-priority
// Job that happened to be created first.
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTask } from '../api/types.js';
import type { QueuedRun, RunRef } from '../core/types.js';
import { controllerUid, type JobState, jobState, queueFields } from './classify.js';
import { ANNOTATION_TASK_UID, JOB_UID_LABEL, jobName, LABEL_SOURCE, LABEL_SYNC_TYPE } from './labels.js';



export type TaskObject = SyncTask & KubernetesObject;

export interface SnapshotInput {
  /** The pool's unfinished Jobs, from the cache. */
  jobs: readonly V1Job[];
  /** The pool's sync pods not yet terminated, from the cache. */
  pods: readonly V1Pod[];
  /** The pool's tasks not in a final phase, from the cache. */
  tasks: readonly TaskObject[];
  /** uids of Jobs whose admission was written (or is being written) but not seen yet. */
  assumed: ReadonlySet<string>;
  /** Runs whose Job is gone but whose pod may still be alive (see departures.ts). */
  departed?: readonly RunRef[];
  /**
   * Runs admitted by creating their Job running, not yet settled by the cache (claims):
   * each holds a slot under its Job's name, whatever the cache shows of that name.
   */
  creating?: readonly RunRef[];
  /** Any Job of the namespace by name, finished ones included (a cache lookup). */
  jobNamed: (name: string) => V1Job | undefined;
}

export interface PoolSnapshot {
  running: RunRef[];
  queued: QueuedRun[];
  /** Names in `queued` that are tasks without a Job yet. */
  reserved: Set<string>;
}

/** Accepted.reason values of a Pending task that will get a Job once it is reconciled. */
const WILL_QUEUE = new Set(['PoolNotFound', 'PoolInvalid']);

export function awaitsJob(task: TaskObject): boolean {
  // A periodic task's runs are made by its CronJob on schedule: nothing to reserve.
  if (task.spec.cancel || task.spec.schedule) return false;
  const phase = task.status?.phase;
  if (phase === undefined || phase === 'Queued') return true;
  const accepted = task.status?.conditions?.find((c) => c.type === 'Accepted');
  return phase === 'Pending' && accepted !== undefined && WILL_QUEUE.has(accepted.reason);
}

/**
 * What a cycle reads of each unfinished Job, derived once per Job object (cached objects
 * are replaced on update, never changed): every cycle of a pool 10,000 deep reads all of
 * them, and deriving these anew was a sixth of the operator's CPU while such a pool drained.
 * `wantedBy`: the task whose wish decides whether it may run (by uid), or null for a run
 * of an adopted CronJob, which has no task and waits its turn like any other.
 */
export interface JobFacts {
  state: JobState;
  wantedBy: string | null;
}
const jobFacts = new WeakMap<V1Job, JobFacts>();
export function factsOf(job: V1Job): JobFacts {
  let facts = jobFacts.get(job);
  if (!facts) {
    // A periodic task's run is its CronJob's child and names the task in an annotation.
    const controller = job.metadata?.ownerReferences?.find((o) => o.controller);
    const wantedBy = controller?.kind === 'CronJob'
      ? (job.metadata?.annotations?.[ANNOTATION_TASK_UID] ?? null)
      : (controllerUid(job) ?? '');
    facts = { state: jobState(job), wantedBy };
    jobFacts.set(job, facts);
  }
  return facts;
}

/**
 * A queued Job is admitted only for a live task that still wants it: not for one whose
 * task was deleted (garbage collection is on its way) or is being cancelled.
 */
export function wanted(wantedBy: string | null, liveTasks: ReadonlyMap<string, TaskObject>): boolean {
  if (wantedBy === null) return true;
  const task = liveTasks.get(wantedBy);
  return task !== undefined && !task.spec.cancel;
}

export function enqueuedAtOf(task: TaskObject): string {
  return task.status?.queuedAt ?? new Date(task.metadata?.creationTimestamp ?? 0).toISOString();
}

/** Where an unfinished Job stands in its pool: holding a slot, waiting in its queue, or neither. */
function standing(job: V1Job, assumed: ReadonlySet<string>, liveTasks: ReadonlyMap<string, TaskObject>): 'running' | 'queued' | undefined {
  const facts = factsOf(job);
  if (facts.state === 'Running' || assumed.has(job.metadata!.uid!)) return 'running';
  return facts.state === 'Queued' && wanted(facts.wantedBy, liveTasks) ? 'queued' : undefined;
}

/**
 * Pods whose Job is gone (deleted in the background): each is still a sync running
 * against the source until it has terminated, and holds a slot like its Job did.
 * By uid: a task deleted and re-applied has a new Job of the same name.
 */
export function outlivedTheirJob(pods: readonly V1Pod[], isUnfinished: (jobUid: string) => boolean): V1Pod[] {
  return pods.filter((pod) => {
    const job = pod.metadata?.labels?.[JOB_UID_LABEL];
    return job !== undefined && !isUnfinished(job);
  });
}

const unfinishedUids = (jobs: readonly V1Job[]) => {
  const uids = new Set(jobs.map((j) => j.metadata!.uid!));
  return (uid: string) => uids.has(uid);
};

/** What holds a slot for a pod that outlived its Job: the pod, by name. */
export function podRun(pod: V1Pod): RunRef {
  const labels = pod.metadata?.labels ?? {};
  return { name: `pod/${pod.metadata!.name}`, source: labels[LABEL_SOURCE] ?? '', syncType: labels[LABEL_SYNC_TYPE] ?? '' };
}

/** A run as it holds a slot: its name, source and sync type, without its queue fields. */
export const slotOf = (run: RunRef): RunRef => ({ name: run.name, source: run.source, syncType: run.syncType });

/**
 * Whether a task's run still needs its Job made: no Job of the run's name, or one that
 * another task (an earlier one of the same name) controls.
 */
export function awaitsOwnJob(taskUid: string, run: RunRef, jobNamed: (name: string) => V1Job | undefined): boolean {
  const existing = jobNamed(run.name);
  return !existing || controllerUid(existing) !== taskUid;
}

/**
 * A queued Job's place in the order, derived once per Job object: cached objects are
 * replaced on update, never changed, and every admission cycle of a pool with 10,000
 * queued Jobs reads all of them (parsing dates and numbers each time was the snapshot's
 * main cost).
 */
const runs = new WeakMap<V1Job, QueuedRun>();
export function queuedRunOf(job: V1Job): QueuedRun {
  let run = runs.get(job);
  if (!run) {
    const { source, syncType, priority, enqueuedAtMs } = queueFields(job);
    run = { name: job.metadata!.name!, source, syncType, priority, enqueuedAtMs };
    runs.set(job, run);
  }
  return run;
}

/**
 * A reserved run's place in the order, derived once per task object, as queuedRunOf does
 * for Jobs. While 10,000 tasks are applied, their pool runs a cycle per task event over
 * every task still without a Job: parsing each one's queue time on every cycle was 26 of
 * the operator's 55 CPU seconds in the profile of such a burst, and the event loop fell
 * so far behind that the Lease was not renewed in time.
 */
const reservedRuns = new WeakMap<TaskObject, QueuedRun>();
export function reservedRunOf(task: TaskObject): QueuedRun {
  let run = reservedRuns.get(task);
  if (!run) {
    run = {
      name: jobName(task.metadata!.name!, task.status?.attempt ?? 1), source: task.spec.source, syncType: task.spec.syncType,
      priority: task.spec.priority ?? 0, enqueuedAtMs: Date.parse(enqueuedAtOf(task)),
    };
    reservedRuns.set(task, run);
  }
  return run;
}

const tasksByUid = (tasks: readonly TaskObject[]) => new Map(tasks.map((t) => [t.metadata!.uid!, t]));

export function snapshotPool({ jobs, pods, tasks, assumed, jobNamed, departed = [], creating = [] }: SnapshotInput): PoolSnapshot {
  const snap: PoolSnapshot = { running: [], queued: [], reserved: new Set() };
  const liveTasks = tasksByUid(tasks);
  // Counted once each, by the claim: a Job of the name the cache shows is not counted again.
  snap.running.push(...creating);
  const claimed = new Set(creating.map((run) => run.name));

  for (const job of jobs) {
    if (claimed.has(job.metadata!.name!)) continue;
    const where = standing(job, assumed, liveTasks);
    if (where === undefined) continue;
    const run = queuedRunOf(job);
    if (where === 'running') {
      snap.running.push(slotOf(run));
      continue;
    }
    snap.queued.push(run);
  }

  if (pods.length > 0) snap.running.push(...outlivedTheirJob(pods, unfinishedUids(jobs)).map(podRun));

  snap.running.push(...departed);

  for (const task of tasks) {
    if (!awaitsJob(task)) continue;
    const run = reservedRunOf(task);
    if (claimed.has(run.name) || !awaitsOwnJob(task.metadata!.uid!, run, jobNamed)) continue;
    snap.queued.push(run);
    snap.reserved.add(run.name);
  }
  return snap;
}

/**
 * The snapshot's two numbers without building it (gauges read them at every scrape, over
 * every Job of the pool): runs holding a slot, and suspended Jobs waiting for one. Tasks
 * whose Job is not made yet are not counted as queued, as in the pool's status.
 */
export function countPool({ jobs, pods, tasks }: Pick<SnapshotInput, 'jobs' | 'pods' | 'tasks'>): { running: number; queued: number } {
  const liveTasks = tasksByUid(tasks);
  const none = new Set<string>();
  let running = pods.length > 0 ? outlivedTheirJob(pods, unfinishedUids(jobs)).length : 0;
  let queued = 0;
  for (const job of jobs) {
    const where = standing(job, none, liveTasks);
    if (where === 'running') running++;
    else if (where === 'queued') queued++;
  }
  return { running, queued };
}
