// The runs the CronJob controller makes on schedule for some periodic tasks, seen through
// a watch of our own: when each was due and made, and how many of a task's runs were
// unfinished at once (in resourceVersion order, so exact). Scheduled runs, not the drain's
// manual ones: these are what a stopped controller-manager can miss, or make in a burst.
import type { V1Job } from '@kubernetes/client-node';
import { isFinished } from '../../../src/jobs/classify.js';
import { LABEL_TASK } from '../../../src/jobs/labels.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { WatchLoop } from '../support/watchLoop.js';

/** Set by the CronJob controller on the Jobs it makes (Kubernetes ≥ 1.28). */
const SCHEDULED_AT = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface ScheduledRun {
  name: string;
  task: string;
  /** The activation it is for. */
  dueMs: number;
  /** creationTimestamp: when the controller made it (to the second). */
  madeMs: number;
  /** When our watch first saw it (milliseconds, unlike madeMs). */
  seenMs: number;
  finished: boolean;
}

/** Its activation: the annotation, else the name's suffix (minutes since the epoch, as the controller names runs). */
function dueOf(job: V1Job): number {
  const at = job.metadata?.annotations?.[SCHEDULED_AT];
  if (at) return Date.parse(at);
  return Number(job.metadata!.name!.split('-').at(-1)) * 60_000;
}

export class ScheduledRuns {
  readonly runs = new Map<string, ScheduledRun>();
  /** Task → the most of its runs unfinished at one resourceVersion. */
  readonly peakUnfinished = new Map<string, number>();
  private readonly loop: WatchLoop<V1Job>;

  constructor(kube: KubeClients, namespace: string, private readonly tasks: string[]) {
    this.loop = new WatchLoop<V1Job>(kube, `/apis/batch/v1/namespaces/${namespace}/jobs`, () => kube.batch.listNamespacedJob({ namespace }), {
      listed: (items) => items.forEach((j) => this.see(j)),
      event: (type, j) => { if (type !== 'DELETED') this.see(j); },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  of(task: string): ScheduledRun[] {
    return [...this.runs.values()].filter((r) => r.task === task).sort((a, b) => a.dueMs - b.dueMs);
  }

  private see(job: V1Job): void {
    const task = job.metadata?.labels?.[LABEL_TASK] ?? '';
    const byCronJob = job.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.controller);
    if (!this.tasks.includes(task) || !byCronJob) return;
    const name = job.metadata!.name!;
    const seenMs = this.runs.get(name)?.seenMs ?? Date.now();
    this.runs.set(name, { name, task, dueMs: dueOf(job), madeMs: new Date(job.metadata!.creationTimestamp!).getTime(), seenMs, finished: isFinished(job) });
    // A deleted run (history limit) has finished first, so it never counts as unfinished.
    const unfinished = this.of(task).filter((r) => !r.finished).length;
    this.peakUnfinished.set(task, Math.max(this.peakUnfinished.get(task) ?? 0, unfinished));
  }
}
