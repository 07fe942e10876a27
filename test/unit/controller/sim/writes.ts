// The operator's side of the API: implements ClusterWrites against the FakeCluster, but
// every call is a PendingWrite that lands only when settled. The interleaving schedule
// holds writes to let other reconciles run in between; unit tests settle them at once.
//
// How a write ends (its Fate):
// - land: applied, the promise resolves (or rejects with the API server's own refusal,
//   e.g. 404/409 from a uid precondition);
// - refuse: never applied, the promise rejects with the given error (a 429, a 500…);
// - landThenTimeout: applied, then the promise rejects with a plain Error, as a request
//   whose response was lost: the caller cannot know it landed;
// - landSilently / dropSilently: the operator died with this request in flight; it
//   lands or not, and nobody hears back.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { isDefiniteRefusal } from '../../../../src/kube/client.js';
import type { ClusterWrites, JobRef, POOLS, TASKS } from '../../../../src/kube/writers.js';
import { deepFreeze, type FakeCluster, type WriteContext } from './cluster.js';

export type Fate = 'land' | 'landThenTimeout' | 'landSilently' | 'dropSilently' | { refuse: unknown };

export interface PendingWrite {
  readonly id: number;
  readonly what: string;
  /** Whatever the writer's context said when the call was made (the reconcile, for the sim). */
  readonly owner: unknown;
  settle(fate: Fate): void;
}

export interface SimWritesOptions {
  origin: string;
  /** Every call comes here first: settle it now, or keep it for later. */
  onWrite: (w: PendingWrite) => void;
  /** Who is writing: the in-flight reconcile, and what pool version it read. */
  context?: () => { owner: unknown; poolSeenRv?: number } | undefined;
}

export class TimeoutError extends Error {
  constructor(what: string) {
    super(`${what}: request timed out (the write may have landed)`);
    this.name = 'TimeoutError';
  }
}

let ids = 0;

export class SimWrites implements ClusterWrites {
  /** Every call, in order, with how it ended: for unit tests' assertions. */
  readonly calls: { what: string; fate?: string }[] = [];

  constructor(private readonly cluster: FakeCluster, private readonly o: SimWritesOptions) {}

  patchStatus<T>(plural: typeof TASKS | typeof POOLS, namespace: string, name: string, status: object, resourceVersion?: string): Promise<T> {
    // Frozen rather than copied (status patches are the most frequent write): the caller
    // cannot change what it sent, and the merge skips undefined fields as JSON would.
    const body = deepFreeze(status);
    return this.submit(`status ${plural === 'synctasks' ? 'task' : 'pool'} ${name} → ${describeStatus(body)}`,
      () => this.cluster.patchStatus<T>(plural, namespace, name, body, resourceVersion));
  }

  /** A read, but a request all the same: it can be slow, fail or time out like the writes. */
  getJob(namespace: string, name: string): Promise<V1Job | undefined> {
    return this.submit(`get Job ${name}`, () => this.cluster.getJob(namespace, name));
  }

  /** A live list of the Job's pods: slow, failing or timing out like any request. */
  alivePods(namespace: string, jobUid: string): Promise<number> {
    return this.submit(`list pods of Job ${jobUid}`, () => this.cluster.alivePodsOfJob(namespace, jobUid));
  }

  /** Pods of any Job of that name, alive now. */
  alivePodsOfJobNamed(namespace: string, jobName: string): Promise<number> {
    return this.submit(`list pods of Job named ${jobName}`, () => this.cluster.alivePodsOfJobNamed(namespace, jobName));
  }

  /** Whether the pool exists now (a read, failing or timing out like any request). */
  poolExists(_namespace: string, name: string): Promise<boolean> {
    return this.submit(`get pool ${name}`, () => this.cluster.pools.get(name) !== undefined);
  }

  /** A Job created unsuspended is an admission: judged when it lands, like admitJob. */
  createJob(job: V1Job): Promise<V1Job | undefined> {
    const body = wire(job);
    const ctx = this.ctx();
    const admits = body.spec?.suspend === false;
    return this.submit(`create Job ${job.metadata?.name}${admits ? ' admitted' : ''}`, () => this.cluster.createJob(body, ctx),
      admits ? () => this.cluster.noteUncertainCreate(body, ctx) : undefined);
  }

  checkJob(job: V1Job): Promise<void> {
    const body = wire(job);
    return this.submit(`dry-run Job ${job.metadata?.name ?? job.metadata?.generateName}`, () => this.cluster.checkJob(body));
  }

  admitJob(ref: JobRef): Promise<V1Job> {
    const ctx = this.ctx();
    return this.submit(`admit Job ${ref.name} (${ref.uid})`, () => this.cluster.admitJob(ref, ctx),
      () => this.cluster.noteUncertainAdmit(ref.uid, ctx));
  }

  annotateJob(ref: JobRef, annotations: Record<string, string>): Promise<void> {
    return this.submit(`annotate Job ${ref.name} (${ref.uid})`, () => this.cluster.annotateJob(ref, annotations));
  }

  setJobPriority(ref: JobRef, priority: number): Promise<void> {
    return this.submit(`priority of Job ${ref.name} (${ref.uid}) → ${priority}`, () => this.cluster.setJobPriority(ref, priority));
  }

  deleteJob(ref: JobRef): Promise<boolean> {
    return this.submit(`delete Job ${ref.name} (${ref.uid})`, () => this.cluster.deleteJob(ref));
  }

  terminateJob(ref: JobRef, reason: string, message: string): Promise<void> {
    return this.submit(`terminate Job ${ref.name} (${ref.uid}): ${reason}`, () => this.cluster.terminateJob(ref, reason, message));
  }

  /** The sim has no Events: no warning to tell. */
  jobWarning(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  deleteTask(namespace: string, name: string, uid: string): Promise<boolean> {
    return this.submit(`delete task ${name} (${uid})`, () => this.cluster.deleteTaskByUid(namespace, name, uid));
  }

  createCronJob(cronJob: V1CronJob): Promise<boolean> {
    const body = wire(cronJob);
    return this.submit(`create CronJob ${cronJob.metadata?.name}`, () => this.cluster.createCronJob(body));
  }

  patchCronJob(ref: JobRef, patch: object, resourceVersion?: string): Promise<V1CronJob> {
    const body = wire(patch);
    return this.submit(`patch CronJob ${ref.name} (${ref.uid})`, () => this.cluster.patchCronJob(ref, body, resourceVersion));
  }

  replaceCronJob(current: V1CronJob, desired: V1CronJob): Promise<V1CronJob> {
    const body = wire(desired);
    return this.submit(`replace CronJob ${current.metadata?.name}`, () => this.cluster.replaceCronJob(current, body));
  }

  deleteCronJob(ref: JobRef): Promise<boolean> {
    return this.submit(`delete CronJob ${ref.name} (${ref.uid})`, () => this.cluster.deleteCronJob(ref));
  }

  private ctx(): WriteContext {
    return { origin: this.o.origin, poolSeenRv: this.o.context?.()?.poolSeenRv };
  }

  private submit<R>(what: string, apply: () => R, onUncertain: () => void = () => {}): Promise<R> {
    const call: { what: string; fate?: string } = { what };
    this.calls.push(call);
    const owner = this.o.context?.()?.owner;
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const w: PendingWrite = {
        id: ++ids, what, owner,
        settle: (fate) => {
          if (settled) return;
          settled = true;
          call.fate = typeof fate === 'string' ? fate : `refused ${describeError(fate.refuse)}`;
          if (typeof fate === 'object') {
            if (!isDefiniteRefusal(fate.refuse)) onUncertain();
            reject(fate.refuse);
            return;
          }
          if (fate === 'dropSilently') return;
          let result: R;
          try {
            result = apply();
          } catch (err) {
            call.fate = `answered ${describeError(err)}`;
            if (fate === 'land') reject(err);
            if (fate === 'landThenTimeout') { onUncertain(); reject(new TimeoutError(what)); }
            return;
          }
          if (fate === 'land') resolve(result);
          else if (fate === 'landThenTimeout') { onUncertain(); reject(new TimeoutError(what)); }
        },
      };
      this.o.onWrite(w);
    });
  }
}

/**
 * The body as the API server receives it: serialized when the call is made (a held
 * write must not see later changes to the caller's object), undefined fields dropped.
 */
const wire = <T>(body: T): T => JSON.parse(JSON.stringify(body)) as T;

export function describeError(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'number') return `HTTP ${code}`;
  return err instanceof Error ? err.name : String(err);
}

function describeStatus(status: object): string {
  const s = status as { phase?: string; active?: number; queued?: number; conditions?: { type: string; status: string; reason: string }[] };
  if (s.phase) return s.phase;
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  return `active ${s.active ?? '-'} queued ${s.queued ?? '-'}${ready ? ` Ready=${ready.status}/${ready.reason}` : ''}`;
}
