// The drain's independent witness: its own watches on a namespace's Jobs, WorkerPools and
// SyncTasks. After every Job event it counts each pool's active Jobs (the operator's own
// definition, jobState() === 'Running': unsuspended and not finished, or pods still alive,
// the same count JobWatcher and PoolJobCounts keep), remembers every Job ever made (by
// uid, to find two Jobs for one task attempt) and every task's final phase.
//
// Watch events arrive in resourceVersion order, and Jobs and pools share one etcd, so a
// count taken at a Job event is the true count at that resourceVersion, and the cap in
// force then is the pool version with the highest resourceVersion below it: the
// judgement does not depend on how late our watches deliver.
import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/api/common.js';
import type { SyncTask, WorkerPool } from '../../../src/api/types.js';
import { jobState, type JobState } from '../../../src/jobs/classify.js';
import { ANNOTATION_RETRY_OF } from '../../../src/jobs/cronJob.js';
import { ANNOTATION_FAILURE_REASON, LABEL_ATTEMPT, LABEL_POOL, LABEL_TASK } from '../../../src/jobs/labels.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { POOLS, TASKS } from '../../../src/kube/writers.js';
import { WatchLoop, type WatchEventType } from './watchLoop.js';

export const FINAL_PHASES = ['Succeeded', 'Failed', 'Cancelled', 'Rejected'];

/**
 * The over-cap rule. A sample is the pool's active count right after a Job event. It is
 * over cap when the event made a Job active (an admission; a lowered cap preempts
 * nothing, so Jobs admitted before it may keep the count above it while they finish)
 * and the count exceeds every maxWorkers the operator could have been acting on: the
 * one in force at that resourceVersion, and any one replaced less than CAP_GRACE_MS
 * before (an admission decided on a cap the operator had not yet seen replaced is a
 * race the design cannot close without preemption). The strict count, against the cap
 * in force only, is reported beside it.
 */
export const CAP_GRACE_MS = 3_000;

/** One Job, by uid: a Job deleted and made again under the same name is a second Job. */
export interface ObservedJob {
  uid: string;
  name: string;
  pool: string;
  task: string;
  attempt: string;
  /** A periodic run: its first attempt's name; '' for a one-shot task's attempts. */
  run: string;
  firstSeenAt: number;
  admittedAt?: number;
  finishedAt?: number;
  state: JobState;
  deleted: boolean;
  /** Why the operator ended it (HeartbeatTimeout, StartupTimeout), if it did. */
  endedBecause?: string;
}

export interface ObservedTask {
  name: string;
  periodic: boolean;
  phase: string;
  finalAt?: number;
  deleted: boolean;
}

export interface OverCapSample {
  pool: string;
  atMs: number;
  resourceVersion: number;
  active: number;
  allowed: number;
  /** How long before the sample the cap in force had been set (observer time). */
  capAgeMs: number;
  /** The Job whose admission made the count. */
  job: string;
}

interface ActiveSample { rv: number; atMs: number; active: number; rose: boolean; job: string }
interface CapVersion { rv: number; atMs: number; maxWorkers: number }

const rvOf = (o: KubernetesObject) => Number(o.metadata?.resourceVersion ?? Number.NaN);
const isFinal = (state: JobState) => state === 'Succeeded' || state === 'Failed';

export class DrainObserver {
  readonly jobs = new Map<string, ObservedJob>();
  readonly tasks = new Map<string, ObservedTask>();
  /** When each Job was first seen active, in order: the operator admitting. */
  readonly admissions: number[] = [];
  private readonly live = new Map<string, V1Job>();
  private readonly active = new Map<string, Set<string>>();
  private readonly samples = new Map<string, ActiveSample[]>();
  private readonly caps = new Map<string, CapVersion[]>();
  private readonly loops: WatchLoop<KubernetesObject>[] = [];

  constructor(private readonly kube: KubeClients, readonly namespace: string) {}

  async start(): Promise<void> {
    const ns = this.namespace;
    const custom = (plural: string) => () => this.kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural }) as
      Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }>;
    // Pools first: every Job event must find the cap it is judged against.
    this.loops.push(
      new WatchLoop(this.kube, `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${POOLS}`, custom(POOLS), {
        listed: (items) => items.forEach((p) => this.onPool(p as WorkerPool)),
        event: (type, p) => { if (type !== 'DELETED') this.onPool(p as WorkerPool); },
      }),
      new WatchLoop(this.kube, `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${TASKS}`, custom(TASKS), {
        listed: (items) => items.forEach((t) => this.onTask('ADDED', t as SyncTask)),
        event: (type, t) => this.onTask(type, t as SyncTask),
      }),
      new WatchLoop(this.kube, `/apis/batch/v1/namespaces/${ns}/jobs`, () => this.kube.batch.listNamespacedJob({ namespace: ns }), {
        listed: (items, rv) => this.onJobList(items as V1Job[], Number(rv)),
        event: (type, j) => this.onJob(type, j as V1Job),
      }),
    );
    for (const loop of this.loops) await loop.start();
  }

  stop(): void {
    for (const loop of this.loops) loop.stop();
  }

  /** Watches resumed and histories relisted, for the report (a relist may hide short-lived states). */
  watchHealth(): { resumed: number; relists: number } {
    return { resumed: this.loops.reduce((n, l) => n + l.resumed, 0), relists: this.loops.reduce((n, l) => n + l.relists, 0) };
  }

  maxActive(pool: string): number {
    return Math.max(0, ...(this.samples.get(pool) ?? []).map((s) => s.active));
  }

  /** Every maxWorkers the pool had, in order. */
  capsOf(pool: string): number[] {
    return (this.caps.get(pool) ?? []).map((v) => v.maxWorkers);
  }

  /** Admissions over the cap, by the rule above; `strict` judges against the cap in force only. */
  overCap({ strict = false } = {}): OverCapSample[] {
    const out: OverCapSample[] = [];
    for (const [pool, samples] of this.samples) {
      for (const s of samples) {
        if (!s.rose) continue;
        const { allowed, since } = this.allowedCap(pool, s, strict ? 0 : CAP_GRACE_MS);
        if (s.active > allowed) out.push({ pool, atMs: s.atMs, resourceVersion: s.rv, active: s.active, allowed, capAgeMs: s.atMs - since, job: s.job });
      }
    }
    return out;
  }

  /** (task, run, attempt) keys made into more than one Job. */
  duplicates(): { key: string; jobs: string[] }[] {
    const byAttempt = new Map<string, ObservedJob[]>();
    for (const j of this.jobs.values()) {
      const key = `${j.task}/${j.run}/${j.attempt}`;
      byAttempt.set(key, [...(byAttempt.get(key) ?? []), j]);
    }
    return [...byAttempt].filter(([, js]) => js.length > 1).map(([key, js]) => ({ key, jobs: js.map((j) => `${j.name} (${j.uid})`) }));
  }

  /** The first admission at or after `t`, if any yet. */
  firstAdmissionAfter(t: number): number | undefined {
    return this.admissions.find((at) => at >= t);
  }

  /** Jobs waiting in some pool's queue now, as far as our watch has seen. */
  queuedNow(): number {
    return [...this.live.values()].filter((j) => jobState(j) === 'Queued').length;
  }

  finishedJobs(): number {
    return [...this.jobs.values()].filter((j) => j.finishedAt !== undefined).length;
  }

  private allowedCap(pool: string, s: ActiveSample, graceMs: number): { allowed: number; since: number } {
    const versions = this.caps.get(pool) ?? [];
    let allowed = Number.NEGATIVE_INFINITY;
    let current: CapVersion | undefined;
    for (const [i, v] of versions.entries()) {
      if (v.rv > s.rv) break;
      current = v;
      const next = versions[i + 1];
      if (next && next.rv <= s.rv && next.atMs >= s.atMs - graceMs) allowed = Math.max(allowed, v.maxWorkers);
    }
    // No version yet at that point: the pool did not exist, and nothing may run in it.
    return { allowed: Math.max(allowed, current?.maxWorkers ?? 0), since: current?.atMs ?? 0 };
  }

  private onPool(pool: WorkerPool): void {
    const name = pool.metadata.name!;
    const versions = this.caps.get(name) ?? [];
    if (versions.at(-1)?.maxWorkers !== pool.spec.maxWorkers) versions.push({ rv: rvOf(pool), atMs: Date.now(), maxWorkers: pool.spec.maxWorkers });
    this.caps.set(name, versions);
  }

  private onTask(type: WatchEventType, task: SyncTask): void {
    const name = task.metadata.name!;
    const seen = this.tasks.get(name) ?? { name, periodic: Boolean(task.spec.schedule), phase: '', deleted: false };
    if (type === 'DELETED') seen.deleted = true;
    seen.phase = task.status?.phase ?? seen.phase;
    if (FINAL_PHASES.includes(seen.phase) && seen.finalAt === undefined) seen.finalAt = Date.now();
    this.tasks.set(name, seen);
  }

  private onJob(type: WatchEventType, job: V1Job): void {
    const pool = job.metadata?.labels?.[LABEL_POOL];
    if (!pool) return;
    const name = job.metadata!.name!;
    if (type === 'DELETED') this.live.delete(name);
    else this.live.set(name, job);
    this.remember(job, type === 'DELETED');
    this.count(pool, rvOf(job), name);
  }

  /** A relist: the truth at `rv`; Jobs we knew that it lacks were deleted meanwhile. */
  private onJobList(items: V1Job[], rv: number): void {
    const listed = new Set(items.map((j) => j.metadata!.name!));
    const touched = new Set<string>();
    for (const [name, job] of this.live) {
      if (listed.has(name)) continue;
      this.live.delete(name);
      this.remember(job, true);
      touched.add(job.metadata!.labels![LABEL_POOL]!);
    }
    for (const job of items) {
      const pool = job.metadata?.labels?.[LABEL_POOL];
      if (!pool) continue;
      this.live.set(job.metadata!.name!, job);
      this.remember(job, false);
      touched.add(pool);
    }
    // One sample per pool for the whole list: applying it item by item could show counts that never were.
    for (const pool of touched) this.count(pool, rv, '(relist)');
  }

  private remember(job: V1Job, deleted: boolean): void {
    const meta = job.metadata!;
    const uid = meta.uid!;
    const now = Date.now();
    const record = this.jobs.get(uid) ?? {
      uid, name: meta.name!, pool: meta.labels?.[LABEL_POOL] ?? '', task: meta.labels?.[LABEL_TASK] ?? '',
      attempt: meta.labels?.[LABEL_ATTEMPT] ?? '1', run: runOf(job), firstSeenAt: now, state: jobState(job), deleted: false,
    };
    record.state = jobState(job);
    record.deleted ||= deleted;
    record.endedBecause ??= meta.annotations?.[ANNOTATION_FAILURE_REASON];
    if (!deleted && record.state === 'Running' && record.admittedAt === undefined) {
      record.admittedAt = now;
      this.admissions.push(now);
    }
    if (isFinal(record.state) && record.finishedAt === undefined) record.finishedAt = now;
    this.jobs.set(uid, record);
  }

  /** Recounts `pool`'s active Jobs from the live view; a change is a sample. */
  private count(pool: string, rv: number, job: string): void {
    const now = new Set([...this.live.values()]
      .filter((j) => j.metadata?.labels?.[LABEL_POOL] === pool && jobState(j) === 'Running').map((j) => j.metadata!.name!));
    const before = this.active.get(pool)?.size ?? 0;
    this.active.set(pool, now);
    if (now.size === before) return;
    const samples = this.samples.get(pool) ?? [];
    samples.push({ rv, atMs: Date.now(), active: now.size, rose: now.size > before, job });
    this.samples.set(pool, samples);
  }
}

/** Which run a Job is an attempt of: '' for a one-shot task, else the periodic run's first Job. */
function runOf(job: V1Job): string {
  const retryOf = job.metadata?.annotations?.[ANNOTATION_RETRY_OF];
  if (retryOf) return retryOf;
  const byCronJob = job.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.controller);
  return byCronJob ? job.metadata!.name! : '';
}
