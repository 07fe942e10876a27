// An independent observer of a namespace's Jobs, through its own watch: it records
// the order in which Jobs were admitted (unsuspended), the peak number running at
// once per pool, and every Job name it ever saw (to catch duplicates).
import { type V1Job, Watch } from '@kubernetes/client-node';
import { jobState } from '../../../src/jobs/classify.js';
import { LABEL_POOL, LABEL_TASK } from '../../../src/jobs/labels.js';
import type { KubeClients } from '../../../src/kube/client.js';

export class JobWatcher {
  readonly admitted: string[] = [];
  readonly admittedAt = new Map<string, number>();
  readonly finishedAt = new Map<string, number>();
  readonly seen = new Map<string, V1Job>();
  readonly peak = new Map<string, number>();
  private request?: { abort(): void };

  constructor(private readonly kube: KubeClients, private readonly namespace: string) {}

  async start(): Promise<void> {
    const watch = new Watch(this.kube.config);
    this.request = await watch.watch(`/apis/batch/v1/namespaces/${this.namespace}/jobs`, {}, (type, job: V1Job) => {
      const name = job.metadata!.name!;
      if (type === 'DELETED') this.seen.delete(name);
      else this.observe(name, job);
    }, () => undefined);
  }

  private observe(name: string, job: V1Job): void {
    this.seen.set(name, job);
    const state = jobState(job);
    // Admitted means unsuspended; a queued Job being deleted (cancelled) never was.
    if (job.spec?.suspend === false && !this.admittedAt.has(name)) {
      this.admittedAt.set(name, Date.now());
      this.admitted.push(name);
    }
    if ((state === 'Succeeded' || state === 'Failed') && !this.finishedAt.has(name)) this.finishedAt.set(name, Date.now());
    const pool = job.metadata?.labels?.[LABEL_POOL] ?? '';
    const running = [...this.seen.values()].filter((j) => j.metadata?.labels?.[LABEL_POOL] === pool && jobState(j) === 'Running').length;
    this.peak.set(pool, Math.max(this.peak.get(pool) ?? 0, running));
  }

  runningIn(pool: string): string[] {
    return [...this.seen.values()].filter((j) => j.metadata?.labels?.[LABEL_POOL] === pool && jobState(j) === 'Running').map((j) => j.metadata!.name!);
  }

  /** Task name → the Job names made for it. */
  jobsPerTask(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const j of this.seen.values()) {
      const task = j.metadata?.labels?.[LABEL_TASK] ?? '';
      out.set(task, [...(out.get(task) ?? []), j.metadata!.name!]);
    }
    return out;
  }

  stop(): void {
    this.request?.abort();
  }
}
