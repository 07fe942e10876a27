// SyncTask reconcile: valid? pool there and usable? allowed? then make sure the
// attempt's Job exists and mirror it into the task's status. Level-based: it reads the
// caches, decides, and writes at most one child change plus one status patch.
//
// The run's lifecycle happens here too: a running attempt that went stale or never
// started is ended (its Job failed with the reason recorded on it); a failed attempt
// with retries left becomes the next attempt after its backoff; a finished task is
// deleted once its pool's retention has passed.
//
// A Job is this task's only if its controller owner is this task's uid: a task deleted
// and re-applied under the same name must not inherit the old Job's outcome.
import type { V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';
import { parseSyncTask } from '../../api/parse.js';
import type { SyncTask, SyncTaskSpec, WorkerPool } from '../../api/types.js';
import { blameRefusal } from '../../jobs/blame.js';
import { buildJob } from '../../jobs/build.js';
import { controllerUid, isDeleting, isFinished, jobOutcome, queueFields, terminatedBecause } from '../../jobs/classify.js';
import { expiresAtMs } from '../../core/retention.js';
import { nextAttempt } from '../../core/retry.js';
import type { HeartbeatStore } from '../../heartbeat/store.js';
import type { JobOutcome } from '../../jobs/classify.js';
import { driftedField } from '../../jobs/drift.js';
import { jobName } from '../../jobs/labels.js';
import { rejection, templateFor } from '../../jobs/template.js';
import { apiCauses, apiMessage, apiStatus } from '../../kube/client.js';
import type { EventSink } from '../../kube/events.js';
import { type ClusterWrites, TASKS } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import type { Result } from '../../runtime/controller.js';
import { type Cache, splitKey, type WriteThroughCache } from '../cache.js';
import { sameContent } from '../equal.js';
import { type IndexedCache, JOBS_BY_TASK } from '../indexes.js';
import { enqueuedAtOf } from '../../jobs/poolSnapshot.js';
import { taskEvent } from './events.js';
import { checkRun } from './liveness.js';
import { cancelPeriodic, periodicFacts } from './periodic.js';
import { parseSchedule } from '../../core/cron.js';
import { type Metrics, noMetrics } from '../../metrics/hooks.js';
import { countTaskTransition } from '../../metrics/taskTransitions.js';
import { type Lifecycle, lifecycleOf } from './policy.js';
import { FINAL_PHASES } from '../../api/syncTask.js';
import { nextTaskStatus, type TaskFacts, type TaskStatus } from './status.js';
import type { AttemptCreates, Made } from '../pools/claims.js';

export interface TaskReconcilerDeps {
  tasks: WriteThroughCache<SyncTask>;
  pools: Cache<WorkerPool>;
  jobs: IndexedCache<V1Job>;
  /** Sync pods, indexed by their Job's uid (PODS_BY_JOB): did the run start? */
  pods: IndexedCache<V1Pod>;
  heartbeats: HeartbeatStore;
  /** Periodic tasks' CronJobs (and any other CronJob in scope). */
  cronJobs: Cache<V1CronJob>;
  writes: ClusterWrites;
  events: EventSink;
  heartbeatUrl: string;
  now: () => Date;
  log: Logger;
  /** Told of each status change written (runs finished, ended, retried); nothing if omitted. */
  metrics?: Metrics;
  /**
   * Creates an attempt's Job already admitted when its pool admits it now (a claim);
   * without it every Job is created queued, for the pool reconciler to admit.
   */
  admission?: AttemptCreates;
}

/** How soon to look again while an old incarnation's Job is being deleted. */
const OLD_JOB_RECHECK_MS = 1_000;
/** How soon to look again at a task whose pool exists but is not in the cache yet. */
const POOL_CACHE_RECHECK_MS = 1_000;

/** One reconcile's working memory: when it wants to look again. */
class Visit {
  recheckAtMs?: number;
  constructor(readonly nowMs: number) {}
  lookAgainAt(ms: number | undefined): void {
    if (ms !== undefined && (this.recheckAtMs === undefined || ms < this.recheckAtMs)) this.recheckAtMs = ms;
  }
}

export class TaskReconciler {
  private readonly metrics: Metrics;

  constructor(private readonly d: TaskReconcilerDeps) {
    this.metrics = d.metrics ?? noMetrics;
  }

  async reconcile(key: string): Promise<Result | void> {
    const [namespace, name] = splitKey(key);
    const task = this.d.tasks.get(namespace, name);
    if (!task) return; // deleted: its Jobs go with it (owner references)
    const status = (task.status ?? {}) as TaskStatus;
    const visit = new Visit(this.d.now().getTime());
    if (status.phase && (FINAL_PHASES.has(status.phase) || status.phase === 'Rejected')) {
      if (FINAL_PHASES.has(status.phase)) await this.removeStrays(task, status);
      const kept = await this.retain(task, status, visit);
      // Rejected is judged again below: the task or its pool may have changed.
      if (kept === 'deleted' || status.phase !== 'Rejected') return requeue(visit);
    }

    const now = new Date(visit.nowMs).toISOString();
    const facts = await this.facts(task, namespace, visit);
    const next = nextTaskStatus(status, facts, now, task.metadata?.generation ?? 0);
    if (!sameContent(next, status)) {
      if (facts.kind === 'poolMissing' && await this.d.writes.poolExists(namespace, facts.pool)) {
        // The pool cache is behind the task cache (the pool was applied with its tasks): the
        // pool is there. PoolNotFound now would be a false alarm, a Warning Event and a
        // status that flips back at once; the pool's add event brings this task back.
        visit.lookAgainAt(visit.nowMs + POOL_CACHE_RECHECK_MS);
        return requeue(visit);
      }
      const rv = task.metadata.resourceVersion;
      this.d.tasks.remember(await this.d.writes.patchStatus<SyncTask>(TASKS, namespace, name, mergePatchOf(status, next), rv));
      countTaskTransition(this.metrics, task, status, next, facts);
      if (next.phase !== status.phase || next.message !== status.message) {
        this.d.log.info(`task ${next.phase?.toLowerCase()}`, { namespace, task: name, pool: task.spec?.pool, phase: next.phase, reason: next.message });
        const event = taskEvent(task, status, next);
        if (event) this.d.events.emit(event);
      }
      // A task that just finished leaves no Job queued, and keeps its retention appointment.
      if (next.phase && FINAL_PHASES.has(next.phase)) {
        await this.removeStrays(task, next);
        await this.retain({ ...task, status: next }, next, visit);
      }
    }
    if (facts.kind === 'oldJob') visit.lookAgainAt(visit.nowMs + OLD_JOB_RECHECK_MS);
    return requeue(visit);
  }

  /**
   * A finished task has no unfinished Job, unless a leader made its next attempt's Job
   * and lost the status write that would have named it (then stopped, or the task was
   * cancelled meanwhile): the status still names the earlier attempt, so nothing else
   * would ever look at that Job, and it would sit in the pool's queue for good.
   */
  private async removeStrays(task: SyncTask, status: TaskStatus): Promise<void> {
    const { namespace, name, uid } = task.metadata;
    // The Job an outcome was read from has finished, though the cache may not show it yet
    // (read live: a Job created admitted, the cache behind).
    const outcomeOf = status.phase === 'Succeeded' || status.phase === 'Failed' ? status.jobName : undefined;
    for (const job of this.d.jobs.byIndex(JOBS_BY_TASK, `${namespace}/${name}`)) {
      if (controllerUid(job) !== uid || isDeleting(job) || isFinished(job) || job.metadata?.name === outcomeOf) continue;
      await this.d.writes.deleteJob({ namespace, name: job.metadata!.name!, uid: job.metadata!.uid! });
      this.d.log.info('unfinished Job of a finished task removed', { namespace, task: name, job: job.metadata!.name, phase: task.status?.phase });
    }
  }

  /** Deletes a finished task whose retention has passed; otherwise books the look at that time. */
  private async retain(task: SyncTask, status: TaskStatus, visit: Visit): Promise<'deleted' | 'kept'> {
    const { namespace, name, uid } = task.metadata;
    const pool = this.d.pools.get(namespace, task.spec?.pool ?? '');
    const finishedAtMs = Date.parse(status.finishedAt ?? String(task.metadata.creationTimestamp ?? ''));
    const expires = expiresAtMs(status.phase!, Number.isFinite(finishedAtMs) ? finishedAtMs : visit.nowMs, lifecycleOf(task.spec ?? {}, pool).retention);
    if (visit.nowMs < expires) {
      visit.lookAgainAt(expires);
      return 'kept';
    }
    if (await this.d.writes.deleteTask(namespace, name, uid!)) {
      this.d.log.info('task deleted: retention passed', { namespace, task: name, pool: task.spec?.pool, phase: status.phase });
    }
    return 'deleted';
  }

  private async facts(task: SyncTask, namespace: string, visit: Visit): Promise<TaskFacts> {
    const parsed = parseSyncTask(task);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
    const spec = parsed.value.spec;
    if (spec.schedule !== undefined) return this.periodic(task, spec, visit);
    const status = (task.status ?? {}) as TaskStatus;
    const attempt = status.attempt ?? 1;
    const name = jobName(task.metadata.name, attempt);
    const cached = this.d.jobs.get(namespace, name);
    const pool = this.d.pools.get(namespace, spec.pool);

    if (cached && controllerUid(cached) !== task.metadata.uid) {
      // An earlier SyncTask of the same name left this Job behind: it is not ours, and
      // its name is. Remove that very incarnation (uid precondition) and wait for it.
      if (!isDeleting(cached)) await this.d.writes.deleteJob({ namespace, name, uid: cached.metadata!.uid! });
      return { kind: 'oldJob', jobName: name };
    }
    if (cached) return this.fromJob(task, spec, cached, pool, visit);

    if (spec.cancel) {
      // We may have made the Job a moment ago and the cache not shown it yet: look, and
      // remove it, or a cancelled task would leave a queued Job behind.
      // (Even when the status never said so: the status write may have lost a race with cancel.)
      const made = await this.d.writes.getJob(namespace, name);
      if (made && controllerUid(made) === task.metadata.uid) {
        if (!isDeleting(made)) await this.d.writes.deleteJob({ namespace, name, uid: made.metadata!.uid! });
        return { kind: 'cancelled', wasRunning: made.spec?.suspend === false };
      }
      return { kind: 'cancelled', wasRunning: false };
    }
    if (status.phase === 'Running' && status.jobName === name) {
      // We saw this Job running before, or created it running a moment ago and the cache
      // has not shown it yet: look. Gone, someone deleted it.
      const made = await this.d.writes.getJob(namespace, name);
      if (made && controllerUid(made) === task.metadata.uid) return this.fromJob(task, spec, made, pool, visit);
      return { kind: 'jobLost', jobName: name };
    }

    // FIFO by when the task was applied, so a burst of applies queues in apply order.
    return this.enqueue(task, spec, pool, attempt, status.queuedAt ?? enqueuedAtOf(task as never), visit);
  }

  /** A periodic task: its CronJob and its runs (periodic.ts). */
  private async periodic(task: SyncTask, spec: SyncTaskSpec, visit: Visit): Promise<TaskFacts> {
    const deps = {
      cronJobs: this.d.cronJobs, jobs: this.d.jobs, writes: this.d.writes, heartbeatUrl: this.d.heartbeatUrl, log: this.d.log,
      onRetry: () => this.metrics.retried({ namespace: task.metadata.namespace, pool: spec.pool }),
    };
    if (spec.cancel) return cancelPeriodic(deps, task);
    const parsed = parseSchedule(spec.schedule!, spec.timeZone);
    if (!parsed.ok) return { kind: 'invalid', message: `${parsed.field}: ${parsed.message}` };
    const pool = this.d.pools.get(task.metadata.namespace, spec.pool);
    const refusal = poolRefusal(spec, pool);
    if (refusal || !pool) return refusal!;
    const life = lifecycleOf(spec, pool);
    return periodicFacts(deps, task, spec, pool, parsed.schedule, life, visit, (run) => this.endIfDead(task, run, life, visit));
  }

  /** Makes the attempt's Job, if the pool is there, usable and allows the task: admitted at once if its pool admits it now. */
  private async enqueue(
    task: SyncTask, spec: SyncTaskSpec, pool: WorkerPool | undefined, attempt: number, queuedAt: string, visit: Visit,
  ): Promise<TaskFacts> {
    const namespace = task.metadata.namespace;
    const refusal = poolRefusal(spec, pool);
    if (refusal || !pool) return refusal!;

    const build = (admitted: boolean) => buildJob({
      task: { namespace, name: task.metadata.name, uid: task.metadata.uid!, apiVersion: task.apiVersion, kind: task.kind, spec },
      pool, attempt, enqueuedAt: queuedAt, heartbeatUrl: this.d.heartbeatUrl, admitted,
    });
    let made: Made = { kind: 'queued' };
    try {
      if (this.d.admission) made = await this.d.admission.create(`${namespace}/${spec.pool}`, task.metadata.uid!, build);
      else await this.d.writes.createJob(build(false));
    } catch (err) {
      // The API server refuses the Job: 400 when it cannot even decode it (a malformed
      // quantity), 422 when it fails validation. Retrying cannot help until a spec
      // changes; the fields it names say whose.
      const code = apiStatus(err);
      if (code !== 400 && code !== 422) throw err;
      const templateEnvFrom = templateFor(pool.spec, spec.source, spec.syncType).envFrom?.length ?? 0;
      const blame = blameRefusal(apiCauses(err).map((c) => c.field ?? ''), templateEnvFrom);
      if (blame.owner === 'task') return { kind: 'jobRefused', field: blame.field, message: apiMessage(err) };
      return { kind: 'templateInvalid', pool: spec.pool, message: apiMessage(err) };
    }
    const name = jobName(task.metadata.name, attempt);
    if (made.kind === 'lost') return { kind: 'jobLost', jobName: name };
    if (made.kind === 'admitted') {
      // Admitted as it was made: the status says Running at once (no Queued write first),
      // and keeps when the attempt was queued.
      const facts = await this.fromJob(task, spec, made.job, pool, visit);
      return facts.kind === 'job' ? { ...facts, queuedAt } : facts;
    }
    return { kind: 'queued', pool: spec.pool, jobName: name, attempt, queuedAt };
  }

  /** An existing Job is the truth about the run, even if cancel came late or the pool went. */
  private async fromJob(task: SyncTask, spec: SyncTaskSpec, job: V1Job, pool: WorkerPool | undefined, visit: Visit): Promise<TaskFacts> {
    const namespace = task.metadata.namespace;
    const name = job.metadata!.name!;
    const ref = { namespace, name, uid: job.metadata!.uid! };
    const outcome = jobOutcome(job);
    const unfinished = outcome.state === 'Queued' || outcome.state === 'Running' || outcome.state === 'Gone';
    if (spec.cancel && unfinished) {
      // Foreground: the Job, and so its pool slot, stays until its pods are gone.
      if (!isDeleting(job)) await this.d.writes.deleteJob(ref);
      return { kind: 'cancelled', wasRunning: outcome.state === 'Running' };
    }
    if (isDeleting(job) && unfinished) {
      // Someone else is deleting it: a run that started is lost; one that never did is
      // made again once the old one is gone.
      if (outcome.state === 'Running') return { kind: 'jobLost', jobName: name };
      return { kind: 'oldJob', jobName: name };
    }
    if (outcome.state === 'Queued') {
      // Nothing admits a queued Job whose pool is gone: say so rather than "queued".
      if (!pool) return { kind: 'poolMissing', pool: spec.pool };
      // A queued Job that no longer runs what the task says is made again.
      const drifted = driftedField(job, spec);
      if (drifted) {
        await this.d.writes.deleteJob(ref);
        this.d.log.info('queued Job no longer matches its task; making it again', { namespace, task: task.metadata.name, field: drifted });
        return { kind: 'oldJob', jobName: name };
      }
      // A priority changed while queued re-ranks the Job; once admitted it no longer matters.
      if (queueFields(job).priority !== spec.priority) await this.d.writes.setJobPriority(ref, spec.priority);
    }
    const attempt = Number(task.status?.attempt ?? 1);
    const life = lifecycleOf(spec, pool);
    if (outcome.state === 'Failed' || outcome.state === 'Succeeded') await this.d.heartbeats.forget(ref.uid);
    if (outcome.state === 'Failed') {
      if (spec.cancel) return { kind: 'cancelled', wasRunning: false };
      return this.afterFailure(task, spec, pool, life, { name, attempt, outcome }, visit);
    }
    const facts: TaskFacts = { kind: 'job', pool: spec.pool, jobName: name, attempt, outcome };
    if (outcome.state !== 'Running' || isDeleting(job)) return facts;
    const ending = terminatedBecause(job) ?? await this.endIfDead(task, job, life, visit);
    return ending ? { ...facts, ending } : facts;
  }

  /** A running attempt that went stale or never started is ended; the Job controller fails it. */
  private async endIfDead(task: SyncTask, job: V1Job, life: Lifecycle, visit: Visit): Promise<{ reason: string; message: string } | undefined> {
    const check = await checkRun({ pods: this.d.pods, heartbeats: this.d.heartbeats, writes: this.d.writes }, job, task.status ?? {}, life, visit.nowMs);
    if (check.kind === 'alive') {
      visit.lookAgainAt(check.recheckAtMs);
      return undefined;
    }
    const ref = { namespace: task.metadata.namespace, name: job.metadata!.name!, uid: job.metadata!.uid! };
    await this.d.writes.terminateJob(ref, check.reason, check.message);
    this.d.log.warn('ending run', { namespace: ref.namespace, task: task.metadata.name, pool: task.spec.pool, job: ref.name, reason: check.reason, detail: check.message });
    return { reason: check.reason, message: check.message };
  }

  /** The attempt failed: another after its backoff if retries are left, else the task failed. */
  private async afterFailure(
    task: SyncTask, spec: SyncTaskSpec, pool: WorkerPool | undefined, life: Lifecycle,
    failed: { name: string; attempt: number; outcome: JobOutcome }, visit: Visit,
  ): Promise<TaskFacts> {
    const { name, attempt, outcome } = failed;
    const failedAtMs = Date.parse(outcome.finishedAt ?? '');
    const next = nextAttempt(life.retry, attempt, Number.isFinite(failedAtMs) ? failedAtMs : visit.nowMs);
    if (!next.retry) return { kind: 'job', pool: spec.pool, jobName: name, attempt, outcome };
    if (visit.nowMs < next.atMs) {
      visit.lookAgainAt(next.atMs);
      return {
        kind: 'retryWait', pool: spec.pool, jobName: name, attempt, outcome,
        retryAt: new Date(next.atMs).toISOString(), retriesLeft: life.retry.limit - attempt + 1,
      };
    }
    // The next attempt joins the queue's end as of its retry time, not its first apply.
    return this.enqueue(task, spec, pool, next.attempt, new Date(next.atMs).toISOString(), visit);
  }
}

/** `next` as a JSON merge patch over `current`: a field it dropped is sent as null, or the patch would keep it. */
function mergePatchOf(current: TaskStatus, next: TaskStatus): object {
  const patch: Record<string, unknown> = { ...next };
  for (const key of Object.keys(current)) if ((next as Record<string, unknown>)[key] === undefined) patch[key] = null;
  return patch;
}

function requeue(visit: Visit): Result | undefined {
  return visit.recheckAtMs === undefined ? undefined : { requeueAfterMs: Math.max(0, visit.recheckAtMs - visit.nowMs) };
}

/** Why the pool cannot take the task now (missing, unusable, not allowing it), if so. */
function poolRefusal(spec: SyncTaskSpec, pool: WorkerPool | undefined): TaskFacts | undefined {
  if (!pool) return { kind: 'poolMissing', pool: spec.pool };
  const unusable = poolUnusable(pool);
  if (unusable) return { kind: 'poolUnusable', pool: spec.pool, message: unusable };
  const notAllowed = rejection(spec.pool, pool.spec.syncTypes, spec.source, spec.syncType);
  if (notAllowed) return { kind: 'notAllowed', message: notAllowed };
  return undefined;
}

/** The pool's own verdict on itself, once it is about its current spec. */
function poolUnusable(pool: WorkerPool): string | undefined {
  const ready = pool.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'False' || ready.observedGeneration !== pool.metadata.generation) return undefined;
  return ready.message;
}
