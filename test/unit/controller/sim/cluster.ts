// The API server's truth, in memory: SyncTasks, WorkerPools and Jobs with uids, one
// global resourceVersion counter, generations and ownerReferences, and writes with the
// semantics the reconcilers rely on (AlreadyExists on a taken name, uid preconditions,
// foreground deletion, no-op patches that change nothing). Every change is published
// to watchers (the lagging caches) in the order it happened.
//
// It also keeps the books the interleaving test checks: each admission is judged at the
// instant it lands, against what holds a slot of its pool at that instant: the pool's
// Jobs, and the pods still alive whose Job is already gone.
import { isDeepStrictEqual } from 'node:util';
import { ApiException, type KubernetesObject, type V1CronJob, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { controllerUid, holdsSlot } from '../../../../src/jobs/classify.js';
import { ANNOTATION_FAILURE_MESSAGE, ANNOTATION_FAILURE_REASON } from '../../../../src/jobs/labels.js';
import { ANNOTATION_PRIORITY, LABEL_ATTEMPT, LABEL_POOL } from '../../../../src/jobs/labels.js';
import type { JobRef } from '../../../../src/kube/writers.js';
import type { SimClock } from './clock.js';
import { NS, type PoolObject, type PoolSpecInput, poolObject, type TaskObject, type TaskSpecInput, taskObject } from './objects.js';

export type WatchEventType = 'add' | 'update' | 'delete';
export interface WatchEvent<T> {
  type: WatchEventType;
  obj: T;
}

/** A mutable deep copy (JSON: the objects are what the API server would send). */
export const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * One kind's objects, copy-on-write: a stored object is frozen and never changes; a
 * write stores a new one. So a watch event, a list and a write's answer can all hand out
 * the stored object itself, and a reconciler that mutated what it read would throw.
 */
export class Store<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly watchers = new Set<(e: WatchEvent<T>) => void>();

  constructor(readonly kind: string) {}

  get(name: string, namespace = NS): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /** Everything, as a list call returns it (a consistent snapshot). */
  snapshot(): T[] {
    return this.list();
  }

  /** Stores `obj` (freezing it) and publishes the change; returns it. */
  put(obj: T): T {
    deepFreeze(obj);
    const key = keyOf(obj);
    const type = this.objects.has(key) ? 'update' : 'add';
    this.objects.set(key, obj);
    this.publish(type, obj);
    return obj;
  }

  remove(obj: T): void {
    if (!this.objects.delete(keyOf(obj))) return;
    this.publish('delete', obj);
  }

  watch(fn: (e: WatchEvent<T>) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private publish(type: WatchEventType, obj: T): void {
    for (const w of this.watchers) w({ type, obj });
  }
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Set on every pod by the Job controller. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';

/** DESIGN's cap, in the fake's own words (see FakeCluster.slotsHeld). */
function occupiesSlot(job: V1Job): boolean {
  const pods = (job.status?.active ?? 0) + (job.status?.terminating ?? 0);
  const terminal = job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ?? false;
  return pods > 0 || (job.spec?.suspend === false && !terminal);
}

export function apiError(code: number, reason: string, message: string, causes?: { field: string; message?: string; reason?: string }[]): ApiException<unknown> {
  const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...(causes && { details: { causes } }) };
  return new ApiException(code, message, body, {});
}

/** A value as JSON.stringify would send it: undefined fields left out (undefined in a list is null). */
function asSent(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(asSent);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, asSent(x)]));
}

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(asSent);
  if (patch === null || typeof patch !== 'object') return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue; // not sent: JSON has no undefined
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** Where a write came from, for the books: which operator, and what its pool cycle read. */
export interface WriteContext {
  origin: string;
  /** resourceVersion of the pool object the admitting reconcile read from its cache. */
  poolSeenRv?: number;
}

/** Where an unsuspended create's unknown outcome is noted: its uid is not known yet. */
const createKey = (job: V1Job) => `create:${job.metadata!.namespace}/${job.metadata!.name}/${controllerUid(job)}`;

export class FakeCluster {
  readonly tasks = new Store<TaskObject>('SyncTask');
  readonly pools = new Store<PoolObject>('WorkerPool');
  readonly jobs = new Store<V1Job>('Job');
  /** The sync pods (one per started Job), as the operator's pod informer keeps them. */
  readonly pods = new Store<V1Pod>('Pod');
  /** Periodic tasks' CronJobs (the sim has no CronJob controller: nothing schedules runs). */
  readonly cronJobs = new Store<V1CronJob>('CronJob');
  /** Broken promises, in words; the interleaving test fails on the first. */
  readonly violations: string[] = [];
  /** Admissions that landed: job, pool, slots held just before, cap allowed. */
  readonly admissions: { job: string; pool: string; before: number; cap: number; origin: string }[] = [];
  /** The API server refuses a Job's content (create and dry run alike); unit tests set it. */
  refuseJob?: (job: V1Job) => ApiException<unknown> | undefined;
  /** Called with a line for the step log whenever the books record something. */
  note: (line: () => string) => void = () => {};

  private rv = 0;
  private uids = 0;
  /** pool key → the cap (0 when paused or absent) from each spec change on, by resourceVersion. */
  private readonly caps = new Map<string, { rv: number; cap: number }[]>();
  /** Job uid (or createKey) → earliest pool version seen by an admission of it whose outcome was unknown. */
  private readonly uncertainAdmits = new Map<string, number | undefined>();
  /** `taskUid/attempt` of every Job ever created, and whether one of them was admitted. */
  private readonly attempts = new Map<string, 'created' | 'admitted'>();

  constructor(readonly clock: SimClock) {}

  get resourceVersion(): number {
    return this.rv;
  }

  private bump(meta: { resourceVersion?: string }): void {
    meta.resourceVersion = String(++this.rv);
  }

  private newUid(kind: string): string {
    return `${kind}-${++this.uids}`;
  }

  /** Seconds, as the API server stamps creation. */
  private stamp(): string {
    return new Date(Math.floor(this.clock.now() / 1000) * 1000).toISOString();
  }

  // ---- What users do (kubectl apply / patch / delete) ----

  applyPool(name: string, spec: PoolSpecInput = {}): PoolObject {
    const current = this.pools.get(name);
    if (!current) {
      const pool = poolObject(name, spec);
      Object.assign(pool.metadata, { uid: this.newUid('pool'), generation: 1, creationTimestamp: this.stamp() });
      this.bump(pool.metadata);
      this.pools.put(pool);
      this.recordCap(pool);
      return pool;
    }
    const next = clone(current);
    next.spec = { ...next.spec, ...spec };
    if (isDeepStrictEqual(clone(next.spec), current.spec)) return current;
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    this.bump(next.metadata);
    this.pools.put(next);
    this.recordCap(next);
    return next;
  }

  deletePool(name: string): void {
    const pool = this.pools.get(name);
    if (!pool) return;
    this.pools.remove(pool);
    this.caps.get(keyOf(pool))?.push({ rv: ++this.rv, cap: 0 });
  }

  createTask(name: string, spec: TaskSpecInput): TaskObject {
    if (this.tasks.get(name)) throw apiError(409, 'AlreadyExists', `synctasks "${name}" already exists`);
    const task = taskObject(name, spec);
    Object.assign(task.metadata, { uid: this.newUid('task'), generation: 1, creationTimestamp: this.stamp() });
    this.bump(task.metadata);
    this.tasks.put(task);
    return task;
  }

  updateTaskSpec(name: string, change: Partial<TaskObject['spec']>): TaskObject | undefined {
    const current = this.tasks.get(name);
    if (!current) return undefined;
    const next = clone(current);
    next.spec = { ...next.spec, ...change };
    if (isDeepStrictEqual(clone(next.spec), current.spec)) return current;
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    this.bump(next.metadata);
    this.tasks.put(next);
    return next;
  }

  /** No finalizers on tasks: gone at once; the garbage collector deals with its Jobs later. */
  deleteTask(name: string): void {
    const task = this.tasks.get(name);
    if (task) this.tasks.remove(task);
  }

  // ---- What the operator writes (ClusterWrites semantics, applied synchronously) ----
  // Bodies arrive as sent over the wire (SimWrites copies them as JSON when the call is made).

  /**
   * `resourceVersion`, when given, is a precondition (metadata.resourceVersion in the
   * body): 409 if the object changed since, e.g. it is another incarnation of that name.
   * (A uid in the body would not do: the CRD status strategy copies metadata from the
   * stored object, so a status patch drops it unchecked.)
   */
  patchStatus<T>(plural: 'synctasks' | 'workerpools', namespace: string, name: string, status: object, resourceVersion?: string): T {
    const store = (plural === 'synctasks' ? this.tasks : this.pools) as unknown as Store<KubernetesObject & { status?: unknown }>;
    const current = store.get(name, namespace);
    if (!current) throw apiError(404, 'NotFound', `${plural} "${name}" not found`);
    if (resourceVersion !== undefined && current.metadata!.resourceVersion !== resourceVersion) {
      throw apiError(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const merged = applyMergePatch(current.status, status);
    // A patch that changes nothing is a no-op: no new resourceVersion, no watch event.
    if (isDeepStrictEqual(merged, current.status)) return current as T;
    const next = { ...current, metadata: { ...current.metadata }, status: merged };
    this.bump(next.metadata);
    return store.put(next) as T;
  }

  /**
   * Returns the Job as stored, undefined if the name was taken (AlreadyExists). A Job
   * created unsuspended is an admission (a claim's): judged like admitJob's, against what
   * holds a slot the instant it lands, with the writer's context.
   */
  createJob(job: V1Job, ctx: WriteContext = { origin: 'test' }): V1Job | undefined {
    const refusal = this.refuseJob?.(job);
    if (refusal) throw refusal;
    const name = job.metadata!.name!;
    if (this.jobs.get(name, job.metadata!.namespace)) return undefined; // AlreadyExists: the wrapper answers undefined
    const stored: V1Job = { ...job, metadata: { ...job.metadata, uid: this.newUid('job'), generation: 1, creationTimestamp: this.stamp() as never }, status: {} };
    this.bump(stored.metadata!);
    const owner = controllerUid(stored) ?? '';
    const attempt = `${owner}/${stored.metadata!.labels?.[LABEL_ATTEMPT]}`;
    // A reconcile working from a cache that has not seen its task's deletion yet may
    // re-create the Job of a task already gone: the garbage collector removes it, as for
    // any controller. Only a second Job for a task that still exists breaks the promise.
    // A queued Job that no longer matches its task is deleted and made again (jobs/drift.ts):
    // that is one run too. A second Job for an attempt whose earlier Job was admitted is not.
    const ownerLives = this.tasks.list().some((t) => t.metadata.uid === owner);
    if (this.attempts.get(attempt) === 'admitted' && ownerLives) this.violate(`two Jobs created for one task attempt: ${name} (owner/attempt ${attempt}), and the first one ran`);
    if (!ownerLives) this.note(() => `  ⤷ Job ${name} created for task ${owner}, which is already gone`);
    if (!this.attempts.has(attempt)) this.attempts.set(attempt, 'created');
    if (stored.spec?.suspend === false) this.judgeAdmission(stored, ctx, createKey(stored));
    this.jobs.put(stored);
    return stored;
  }

  /** A live read (GET): the truth now, not a cache. */
  getJob(namespace: string, name: string): V1Job | undefined {
    return this.jobs.get(name, namespace);
  }

  checkJob(job: V1Job): void {
    const refusal = this.refuseJob?.(job);
    if (refusal) throw refusal;
  }

  private jobFor(ref: JobRef): V1Job {
    const job = this.jobs.get(ref.name, ref.namespace);
    if (!job) throw apiError(404, 'NotFound', `jobs.batch "${ref.name}" not found`);
    if (job.metadata!.uid !== ref.uid) {
      // metadata.uid in a patch body: uid is immutable, so another incarnation answers 422.
      throw apiError(422, 'Invalid', `Job.batch "${ref.name}" is invalid: metadata.uid: Invalid value: "${ref.uid}": field is immutable`,
        [{ field: 'metadata.uid', reason: 'FieldValueInvalid', message: 'field is immutable' }]);
    }
    return job;
  }

  admitJob(ref: JobRef, ctx: WriteContext): V1Job {
    const job = this.jobFor(ref);
    if (job.spec?.suspend) this.judgeAdmission(job, ctx, ref.uid);
    else if (!this.uncertainAdmits.has(ref.uid)) {
      this.violate(`Job ${ref.name} admitted twice: ${ctx.origin} unsuspended it again though no earlier admission of it had an unknown outcome`);
    }
    if (job.spec?.suspend === false) return job;
    const next = { ...job, metadata: { ...job.metadata }, spec: { ...job.spec!, suspend: false } };
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    this.bump(next.metadata);
    return this.jobs.put(next);
  }

  annotateJob(ref: JobRef, annotations: Record<string, string>): void {
    const job = this.jobFor(ref);
    const next = { ...job, metadata: { ...job.metadata, annotations: { ...job.metadata!.annotations, ...annotations } } };
    this.bump(next.metadata);
    this.jobs.put(next);
  }

  setJobPriority(ref: JobRef, priority: number): void {
    const job = this.jobFor(ref);
    if (job.metadata!.annotations?.[ANNOTATION_PRIORITY] === String(priority)) return;
    const next = { ...job, metadata: { ...job.metadata, annotations: { ...job.metadata!.annotations, [ANNOTATION_PRIORITY]: String(priority) } } };
    this.bump(next.metadata);
    this.jobs.put(next);
  }

  /** Foreground: the Job stays (deletionTimestamp set) until the Job controller has removed its pods. */
  deleteJob(ref: JobRef): boolean {
    const job = this.jobs.get(ref.name, ref.namespace);
    if (!job || job.metadata!.uid !== ref.uid) return false; // 404 / 409: the wrapper answers false
    if (job.metadata!.deletionTimestamp) return true;
    const next = { ...job, metadata: { ...job.metadata, deletionTimestamp: this.clock.iso() as never, finalizers: ['foregroundDeletion'] } };
    this.bump(next.metadata);
    this.jobs.put(next);
    return true;
  }

  /** Records why on the Job and shortens its deadline; the sim's Job controller then fails it. */
  terminateJob(ref: JobRef, reason: string, message: string): void {
    const job = this.jobFor(ref);
    const annotations = { ...job.metadata!.annotations, [ANNOTATION_FAILURE_REASON]: reason, [ANNOTATION_FAILURE_MESSAGE]: message };
    const next = { ...job, metadata: { ...job.metadata, annotations }, spec: { ...job.spec!, activeDeadlineSeconds: 1 } };
    this.bump(next.metadata);
    this.jobs.put(next);
  }

  createCronJob(cronJob: V1CronJob): boolean {
    if (this.cronJobs.get(cronJob.metadata!.name!, cronJob.metadata!.namespace)) return false;
    const stored: V1CronJob = { ...cronJob, metadata: { ...cronJob.metadata, uid: this.newUid('cronjob'), generation: 1, creationTimestamp: this.stamp() as never } };
    this.bump(stored.metadata!);
    this.cronJobs.put(stored);
    return true;
  }

  patchCronJob(ref: JobRef, patch: object, resourceVersion?: string): V1CronJob {
    const current = this.cronJobs.get(ref.name, ref.namespace);
    if (!current) throw apiError(404, 'NotFound', `cronjobs.batch "${ref.name}" not found`);
    if (current.metadata!.uid !== ref.uid) throw apiError(422, 'Invalid', `CronJob.batch "${ref.name}" is invalid: metadata.uid: field is immutable`);
    if (resourceVersion !== undefined && current.metadata!.resourceVersion !== resourceVersion) throw apiError(409, 'Conflict', `cronjobs.batch "${ref.name}": the object has been modified`);
    const next = applyMergePatch(clone(current), patch) as V1CronJob;
    next.metadata = { ...next.metadata, uid: current.metadata!.uid };
    this.bump(next.metadata);
    return this.cronJobs.put(next);
  }

  replaceCronJob(current: V1CronJob, desired: V1CronJob): V1CronJob {
    const stored = this.cronJobs.get(current.metadata!.name!, current.metadata!.namespace);
    if (!stored || stored.metadata!.resourceVersion !== current.metadata!.resourceVersion) {
      throw apiError(409, 'Conflict', `cronjobs.batch "${current.metadata!.name}": the object has been modified`);
    }
    const next: V1CronJob = { ...desired, metadata: { ...stored.metadata, labels: desired.metadata?.labels, annotations: desired.metadata?.annotations } };
    this.bump(next.metadata!);
    return this.cronJobs.put(next);
  }

  deleteCronJob(ref: JobRef): boolean {
    const current = this.cronJobs.get(ref.name, ref.namespace);
    if (!current || current.metadata!.uid !== ref.uid) return false;
    this.cronJobs.remove(current);
    return true;
  }

  /** Deletes that incarnation of a task; false if it is gone (or another one). */
  deleteTaskByUid(namespace: string, name: string, uid: string): boolean {
    const task = this.tasks.get(name, namespace);
    if (!task || task.metadata.uid !== uid) return false;
    this.tasks.remove(task);
    return true;
  }

  /** An admission of this Job was sent and its outcome is unknown (it may or may not have landed). */
  noteUncertainAdmit(uid: string, ctx: WriteContext): void {
    const earlier = this.uncertainAdmits.get(uid);
    this.uncertainAdmits.set(uid, earlier === undefined || ctx.poolSeenRv === undefined ? (earlier ?? ctx.poolSeenRv) : Math.min(earlier, ctx.poolSeenRv));
  }

  /**
   * A create of this Job unsuspended was sent and its outcome is unknown: a later create
   * of it (sent again under the same claim) is judged by the cap since the first decision.
   */
  noteUncertainCreate(job: V1Job, ctx: WriteContext): void {
    this.noteUncertainAdmit(createKey(job), ctx);
  }

  // ---- What the Job controller and garbage collector write ----

  /** Stores a changed copy of a Job (build it with `{ ...job, status: … }`). */
  updateJob(job: V1Job): void {
    job.metadata = { ...job.metadata };
    this.bump(job.metadata);
    this.jobs.put(job);
  }

  removeJob(job: V1Job): void {
    this.jobs.remove(job);
  }

  /** Creates or changes a pod (build changes with `{ ...pod, status: … }`). */
  putPod(pod: V1Pod): void {
    pod.metadata = { ...pod.metadata, uid: pod.metadata?.uid ?? this.newUid('pod') };
    this.bump(pod.metadata);
    this.pods.put(pod);
  }

  removePod(pod: V1Pod): void {
    this.pods.remove(pod);
  }

  // ---- The books ----

  /**
   * Jobs of a pool holding a slot now. The definition is written out here rather than
   * taken from src/jobs/classify.ts alone, so a bug there cannot make the check agree
   * with it: a Job holds its slot from unsuspend until its terminal Complete/Failed
   * condition, and while any of its pods is alive (running or terminating).
   */
  slotsHeld(pool: string, namespace = NS): V1Job[] {
    return this.jobs.list().filter((j) => j.metadata!.namespace === namespace && j.metadata!.labels?.[LABEL_POOL] === pool
      && (occupiesSlot(j) || holdsSlot(j)));
  }

  /** Pods of a pool alive now (running or terminating), whether their Job is still there or not. */
  alivePods(pool: string, namespace = NS): V1Pod[] {
    return this.pods.list().filter((p) => p.metadata!.namespace === namespace && p.metadata!.labels?.[LABEL_POOL] === pool
      && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  /** Alive pods of any Job of this name (a live pod list by the job-name label). */
  alivePodsOfJobNamed(namespace: string, jobName: string): number {
    return this.pods.list().filter((p) => p.metadata!.namespace === namespace && p.metadata!.labels?.[JOB_NAME_LABEL] === jobName
      && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  }

  /** Alive pods made by the Job with this uid (what a live pod list by label answers). */
  alivePodsOfJob(namespace: string, jobUid: string): number {
    return this.pods.list().filter((p) => p.metadata!.namespace === namespace && p.metadata!.labels?.[CONTROLLER_UID_LABEL] === jobUid
      && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  }

  podsAlive(pool: string, namespace = NS): number {
    return this.alivePods(pool, namespace).length;
  }

  /** Alive pods whose Job is gone (deleted in the background): each still holds a slot. */
  orphanPods(pool: string, namespace = NS): V1Pod[] {
    return this.alivePods(pool, namespace).filter((p) =>
      this.jobs.get(p.metadata!.labels?.[JOB_NAME_LABEL] ?? '', namespace)?.metadata!.uid !== p.metadata!.labels?.[CONTROLLER_UID_LABEL]);
  }

  /**
   * The cap an admission is judged by: the largest the pool had from the version the
   * admitting reconcile read (or, for a resend, the first attempt read) until now. A cap
   * lowered after the decision does not make it wrong; one lowered before it does.
   */
  capSince(poolKey: string, seenRv: number | undefined): number {
    const history = this.caps.get(poolKey) ?? [];
    if (seenRv === undefined) return Math.max(0, ...history.map((h) => h.cap));
    let cap = 0;
    let effective = 0;
    history.forEach((h, i) => { if (h.rv <= seenRv) effective = i; });
    for (const h of history.slice(effective)) cap = Math.max(cap, h.cap);
    return cap;
  }

  private recordCap(pool: PoolObject): void {
    const key = keyOf(pool);
    const history = this.caps.get(key) ?? [];
    history.push({ rv: Number(pool.metadata.resourceVersion), cap: pool.spec.paused ? 0 : pool.spec.maxWorkers });
    this.caps.set(key, history);
  }

  /** `uncertainKey`: where an earlier admission of this Job with an unknown outcome was noted. */
  private judgeAdmission(job: V1Job, ctx: WriteContext, uncertainKey: string): void {
    const pool = job.metadata!.labels?.[LABEL_POOL] ?? '';
    const poolKey = `${job.metadata!.namespace}/${pool}`;
    const first = this.uncertainAdmits.get(uncertainKey);
    const seen = first === undefined ? ctx.poolSeenRv : Math.min(first, ctx.poolSeenRv ?? first);
    const holders = [
      ...this.slotsHeld(pool, job.metadata!.namespace).filter((j) => j.metadata!.uid !== job.metadata!.uid).map((j) => j.metadata!.name!),
      ...this.orphanPods(pool, job.metadata!.namespace).map((p) => `pod ${p.metadata!.name} of deleted Job ${p.metadata!.labels?.[JOB_NAME_LABEL]}`),
    ];
    const before = holders.length;
    // Attempts of one task run one after another: the next only once the last one's pod is gone.
    const owner = controllerUid(job);
    const sibling = this.jobs.list().find((j) => j.metadata!.uid !== job.metadata!.uid && controllerUid(j) === owner
      && (occupiesSlot(j) || holdsSlot(j) || this.alivePodsOfJob(j.metadata!.namespace!, j.metadata!.uid!) > 0));
    if (sibling) this.violate(`Job ${job.metadata!.name} admitted while ${sibling.metadata!.name}, another attempt of the same task, still runs`);
    const cap = this.capSince(poolKey, seen);
    this.attempts.set(`${controllerUid(job)}/${job.metadata!.labels?.[LABEL_ATTEMPT]}`, 'admitted');
    this.admissions.push({ job: job.metadata!.name!, pool, before, cap, origin: ctx.origin });
    this.note(() => `  ⤷ admission of ${job.metadata!.name} landed: pool ${pool} held ${before} slot(s), cap ${cap}`);
    if (before >= cap) {
      this.violate(`over-admission: ${ctx.origin} admitted ${job.metadata!.name} into pool ${pool} while ${before} held a slot `
        + `(${holders.join(', ')}) and the cap was ${cap} (largest since pool rv ${seen})`);
    }
  }

  violate(message: string): void {
    this.violations.push(message);
    this.note(() => `  ✗ ${message}`);
  }
}
