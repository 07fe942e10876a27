// Pool admission: the pool's queue is every suspended, unfinished Job labelled with
// it. One cycle: snapshot the pool's Jobs, plan with the pure core, admit the plan's
// Jobs (assumed first, written second), then write the pool's status if it changed.
import type { V1Job } from '@kubernetes/client-node';
import { parseDuration } from '../../core/duration.js';
import { planAdmission } from '../../core/admission.js';
import { summarizePool } from '../../core/poolStatus.js';
import type { PoolPolicy, QueuedRun, RunRef } from '../../core/types.js';
import type { WorkerPool } from '../../api/types.js';
import { jobState, queueFields } from '../../jobs/classify.js';
import { LABEL_POOL } from '../../jobs/labels.js';
import { isNotFound } from '../../kube/client.js';
import { POOLS, type Writers } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import { type Cache, splitKey, type WriteThroughCache } from '../cache.js';
import { type Condition, setCondition } from '../conditions.js';
import { sameContent } from '../equal.js';
import type { AdmissionExpectations } from './expectations.js';

export interface PoolReconcilerDeps {
  pools: WriteThroughCache<WorkerPool>;
  jobs: Cache<V1Job>;
  writers: Writers;
  expectations: AdmissionExpectations;
  now: () => Date;
  log: Logger;
  /** Observes each admitted Job (metrics, latency measurement). */
  onAdmit?: (job: V1Job) => void;
}

interface Snapshot {
  running: RunRef[];
  queued: QueuedRun[];
  byName: Map<string, V1Job>;
}

function policyOf(pool: WorkerPool): PoolPolicy {
  const spec = pool.spec;
  return {
    maxWorkers: spec.maxWorkers,
    paused: spec.paused ?? false,
    sourceLimits: spec.sourceLimits ?? {},
    overlap: spec.overlap ?? 'Forbid',
    agingIntervalMs: spec.aging?.interval ? parseDuration(spec.aging.interval) : undefined,
  };
}

export class PoolReconciler {
  constructor(private readonly d: PoolReconcilerDeps) {}

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const pool = this.d.pools.get(namespace, name);
    if (!pool) return; // its Jobs stay queued; their tasks show the pool missing
    const nowMs = this.d.now().getTime();

    // 1. Snapshot the pool's Jobs, counting assumed admissions as running.
    const snap = this.snapshot(namespace, name, nowMs);
    // 2. Plan against the snapshot (pure).
    const policy = policyOf(pool);
    const plan = planAdmission({ policy, running: snap.running, queued: snap.queued, nowMs });
    // 3. Admit in plan order (so Jobs start in priority order): assume, write, roll back on failure.
    const admitted: boolean[] = [];
    for (const run of plan.admit) admitted.push(await this.admit(namespace, snap.byName.get(run.name)!, nowMs));
    // 4. Status, written only when it changed. A Job deleted before its admission counts nowhere.
    const started = admitted.filter(Boolean).length;
    await this.writeStatus(pool, policy, snap.running.length + started, plan.waiting.length);
  }

  private snapshot(namespace: string, pool: string, nowMs: number): Snapshot {
    const snap: Snapshot = { running: [], queued: [], byName: new Map() };
    const uids = new Set<string>();
    for (const job of this.d.jobs.list(namespace)) {
      if (job.metadata?.labels?.[LABEL_POOL] !== pool) continue;
      const uid = job.metadata.uid!;
      uids.add(uid);
      const state = jobState(job);
      if (state === 'Succeeded' || state === 'Failed') continue;
      const fields = queueFields(job);
      const ref = { name: job.metadata.name!, source: fields.source, syncType: fields.syncType };
      if (state === 'Running' || this.d.expectations.assumedRunning(uid, true, nowMs)) {
        snap.running.push(ref);
      } else {
        snap.queued.push({ ...ref, priority: fields.priority, enqueuedAtMs: fields.enqueuedAtMs });
        snap.byName.set(ref.name, job);
      }
    }
    this.d.expectations.retainOnly(uids);
    return snap;
  }

  private async admit(namespace: string, job: V1Job, nowMs: number): Promise<boolean> {
    const uid = job.metadata!.uid!;
    this.d.expectations.assume(uid, nowMs);
    try {
      await this.d.writers.admitJob(namespace, job.metadata!.name!);
      this.d.onAdmit?.(job);
      return true;
    } catch (err) {
      this.d.expectations.rollback(uid);
      if (isNotFound(err)) return false; // deleted (cancelled) meanwhile: nothing to admit
      throw err;
    }
  }

  private async writeStatus(pool: WorkerPool, policy: PoolPolicy, active: number, queued: number): Promise<void> {
    const summary = summarizePool(policy, active, queued);
    const now = this.d.now().toISOString();
    const generation = pool.metadata?.generation ?? 0;
    const current = (pool.status ?? {}) as { conditions?: Condition[] };
    let conditions = setCondition(current.conditions, {
      type: 'Ready', status: 'True', reason: policy.paused ? 'Paused' : 'Admitting',
      message: policy.paused ? 'paused: running syncs continue, nothing new is admitted' : `admitting up to ${policy.maxWorkers} concurrent syncs`,
      observedGeneration: generation,
    }, now);
    conditions = setCondition(conditions, summary.saturated
      ? { type: 'Saturated', status: 'True', reason: 'AllSlotsBusy', message: `${summary.active}/${policy.maxWorkers} slots busy, ${summary.queued} queued`, observedGeneration: generation }
      : { type: 'Saturated', status: 'False', reason: 'SlotsAvailable', message: `${summary.active}/${policy.maxWorkers} slots busy`, observedGeneration: generation },
    now);
    const next = { ...pool.status, active: summary.active, queued: summary.queued, utilization: summary.utilization, observedGeneration: generation, conditions };
    if (sameContent(next, pool.status)) return;
    this.d.pools.remember(await this.d.writers.patchStatus<WorkerPool>(POOLS, pool.metadata!.namespace!, pool.metadata!.name!, next));
  }
}
