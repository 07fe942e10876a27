// SyncTask reconcile: valid? pool there? allowed? then make sure the attempt's Job
// exists and mirror it into the task's status. Level-based: it reads the caches,
// decides, and writes at most one child change plus one status patch.
import type { V1Job } from '@kubernetes/client-node';
import { parseSyncTask } from '../../api/parse.js';
import type { SyncTask, WorkerPool } from '../../api/types.js';
import { buildJob } from '../../jobs/build.js';
import { jobOutcome, queueFields } from '../../jobs/classify.js';
import { jobName } from '../../jobs/labels.js';
import { rejection } from '../../jobs/template.js';
import { apiMessage, apiStatus } from '../../kube/client.js';
import type { Writers } from '../../kube/writers.js';
import { TASKS } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import { type Cache, splitKey, type WriteThroughCache } from '../cache.js';
import { sameContent } from '../equal.js';
import { nextTaskStatus, type TaskFacts, type TaskStatus, TERMINAL_PHASES } from './status.js';

export interface TaskReconcilerDeps {
  tasks: WriteThroughCache<SyncTask>;
  pools: Cache<WorkerPool>;
  jobs: Cache<V1Job>;
  writers: Writers;
  heartbeatUrl: string;
  now: () => Date;
  log: Logger;
}

export class TaskReconciler {
  constructor(private readonly d: TaskReconcilerDeps) {}

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const task = this.d.tasks.get(namespace, name);
    if (!task) return; // deleted: its Jobs go with it (owner references)
    const status = (task.status ?? {}) as TaskStatus;
    if (status.phase && TERMINAL_PHASES.has(status.phase)) return;

    const now = this.d.now().toISOString();
    const facts = await this.facts(task, namespace, now);
    const next = nextTaskStatus(status, facts, now, task.metadata?.generation ?? 0);
    if (!sameContent(next, status)) {
      this.d.tasks.remember(await this.d.writers.patchStatus<SyncTask>(TASKS, namespace, name, next));
      if (next.phase !== status.phase) {
        this.d.log.info(`task ${next.phase?.toLowerCase()}`, { namespace, task: name, pool: task.spec?.pool, phase: next.phase, reason: next.message });
      }
    }
  }

  private async facts(task: SyncTask, namespace: string, now: string): Promise<TaskFacts> {
    const parsed = parseSyncTask(task);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
    const spec = parsed.value.spec;
    const status = (task.status ?? {}) as TaskStatus;
    const attempt = status.attempt ?? 1;
    const name = jobName(task.metadata!.name!, attempt);
    const job = this.d.jobs.get(namespace, name);
    const pool = this.d.pools.get(namespace, spec.pool);

    // An existing Job is the truth about the run: a finished one keeps its outcome even if
    // cancel came late, and a running one keeps running if its pool is deleted meanwhile.
    if (job) {
      const outcome = jobOutcome(job);
      const unfinished = outcome.state === 'Queued' || outcome.state === 'Running';
      if (spec.cancel && unfinished) {
        await this.d.writers.deleteJob(namespace, name);
        return { kind: 'cancelled', wasRunning: outcome.state === 'Running' };
      }
      if (outcome.state === 'Queued') {
        // Nothing admits a queued Job whose pool is gone: say so rather than "queued".
        if (!pool) return { kind: 'poolMissing', pool: spec.pool };
        // A priority changed while queued re-ranks the Job; once admitted it no longer matters.
        if (queueFields(job).priority !== spec.priority) await this.d.writers.setJobPriority(namespace, name, spec.priority);
      }
      return { kind: 'job', pool: spec.pool, jobName: name, attempt, outcome };
    }
    if (spec.cancel) return { kind: 'cancelled', wasRunning: false };
    // We saw this Job running before; now it is gone from the cache, so someone deleted it.
    if (status.phase === 'Running' && status.jobName === name) return { kind: 'jobLost', jobName: name };

    if (!pool) return { kind: 'poolMissing', pool: spec.pool };
    const notAllowed = rejection(spec.pool, pool.spec.syncTypes, spec.source, spec.syncType);
    if (notAllowed) return { kind: 'notAllowed', message: notAllowed };

    const queuedAt = status.queuedAt ?? now;
    try {
      await this.d.writers.createJob(buildJob({
        task: {
          namespace, name: task.metadata!.name!, uid: task.metadata!.uid!,
          apiVersion: task.apiVersion!, kind: task.kind!, spec,
        },
        pool,
        attempt,
        enqueuedAt: queuedAt,
        heartbeatUrl: this.d.heartbeatUrl,
      }));
    } catch (err) {
      // The API server refuses the Job the pool's template makes: 400 when it cannot even
      // decode it (a malformed quantity), 422 when it fails validation. Retrying cannot
      // help until the pool changes, so say so instead of failing silently.
      const code = apiStatus(err);
      if (code === 400 || code === 422) return { kind: 'templateInvalid', pool: spec.pool, message: apiMessage(err) };
      throw err;
    }
    return { kind: 'queued', pool: spec.pool, jobName: name, attempt, queuedAt };
  }
}
