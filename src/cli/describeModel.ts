// What `kubectl syncpool describe <task>` tells: the task, why it waits, each attempt with
// its Job and pods (exit codes, reasons), heartbeats and progress, and its Events. Pure:
// the verb lists the objects, this shapes them. Parameters appear as keys only.
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Condition } from '../api/types.js';
import { jobOutcome } from '../jobs/classify.js';
import { JOB_UID_LABEL, LABEL_ATTEMPT, SYNC_CONTAINER } from '../jobs/labels.js';
import type { TaskObject } from '../views/index.js';
import type { PoolQueue } from './poolQueue.js';
import { waitWords } from './reasons.js';
import { summarizeTask, type TaskSummary } from './tasks.js';

export interface TaskDetail extends TaskSummary {
  /** Keys only: values can name secrets. */
  parameterKeys: string[];
  parametersFromSecret?: string;
  timeZone?: string;
  suspend?: boolean;
  activeDeadlineSeconds?: number;
  progressMessage?: string;
  conditions: Condition[];
}

export interface Waiting {
  position: number;
  of: number;
  reason: string;
  /** The reason in words. */
  why: string;
  startsAt?: string;
}

export interface PodStory {
  name: string;
  phase?: string;
  node?: string;
  exitCode?: number;
  /** The container's or the pod's reason: Completed, Error, OOMKilled, Unschedulable, ImagePullBackOff… */
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface Attempt {
  job: string;
  attempt?: number;
  /** Queued, Running, Succeeded, Failed, Gone. */
  state: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
  reason?: string;
  message?: string;
  pods: PodStory[];
}

export interface EventLine {
  time?: string;
  type?: string;
  reason?: string;
  /** kind/name of what it is about. */
  object: string;
  message?: string;
  count: number;
}

export interface TaskStory {
  task: TaskDetail;
  waiting?: Waiting;
  attempts: Attempt[];
  events: EventLine[];
}

const iso = (d: Date | string | undefined | null) => (d ? new Date(d).toISOString() : undefined);

export function taskDetail(task: TaskObject): TaskDetail {
  const spec = task.spec;
  return {
    ...summarizeTask(task),
    parameterKeys: Object.keys(spec.parameters ?? {}).sort(),
    parametersFromSecret: spec.parametersFrom?.secretRef.name,
    timeZone: spec.timeZone,
    suspend: spec.suspend,
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    progressMessage: task.status?.progressMessage,
    conditions: task.status?.conditions ?? [],
  };
}

/** Where the task stands in its pool's queue, if it is in it. */
export function waitingOf(task: TaskObject, found: PoolQueue | undefined): Waiting | undefined {
  const entry = found?.queue.find((q) => q.task === task.metadata!.name);
  if (!found || !entry) return undefined;
  return { position: entry.position, of: found.queue.length, reason: entry.reason, why: waitWords(entry, found.pool), startsAt: entry.startsAt };
}

export function podStory(pod: V1Pod): PodStory {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.find((c) => c.name === SYNC_CONTAINER) ?? status.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  const waiting = container?.state?.waiting;
  const unscheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return {
    name: pod.metadata!.name!,
    phase: status.phase,
    node: pod.spec?.nodeName,
    exitCode: terminated?.exitCode,
    reason: terminated?.reason ?? waiting?.reason ?? status.reason ?? unscheduled?.reason,
    message: terminated?.message ?? waiting?.message ?? status.message ?? unscheduled?.message,
    startedAt: iso(terminated?.startedAt ?? container?.state?.running?.startedAt ?? status.startTime),
    finishedAt: iso(terminated?.finishedAt),
  };
}

export function attemptsOf(jobs: readonly V1Job[], pods: readonly V1Pod[]): Attempt[] {
  return [...jobs]
    .sort((a, b) => String(iso(a.metadata?.creationTimestamp)).localeCompare(String(iso(b.metadata?.creationTimestamp)))
      || a.metadata!.name!.localeCompare(b.metadata!.name!))
    .map((job) => {
      const o = jobOutcome(job);
      const attempt = Number(job.metadata?.labels?.[LABEL_ATTEMPT]);
      const duration = o.startedAt && o.finishedAt ? Math.round((Date.parse(o.finishedAt) - Date.parse(o.startedAt)) / 1000) : undefined;
      return {
        job: job.metadata!.name!,
        attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
        state: o.state,
        createdAt: iso(job.metadata?.creationTimestamp),
        startedAt: o.startedAt,
        finishedAt: o.finishedAt,
        durationSeconds: duration === undefined ? undefined : Math.max(0, duration),
        reason: o.reason,
        message: o.message,
        pods: pods.filter((p) => p.metadata?.labels?.[JOB_UID_LABEL] === job.metadata?.uid).map(podStory)
          .sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt))),
      };
    });
}

export function eventLine(e: CoreV1Event): EventLine {
  const time = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return {
    time: iso(time as Date | string | undefined),
    type: e.type,
    reason: e.reason,
    object: `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name}`,
    message: e.message,
    count: e.series?.count ?? e.count ?? 1,
  };
}

export function storyOf(task: TaskObject, o: { jobs: V1Job[]; pods: V1Pod[]; events: CoreV1Event[]; queue?: PoolQueue }): TaskStory {
  return {
    task: taskDetail(task),
    waiting: waitingOf(task, o.queue),
    attempts: attemptsOf(o.jobs, o.pods),
    events: o.events.map(eventLine).sort((a, b) => String(a.time).localeCompare(String(b.time))),
  };
}
