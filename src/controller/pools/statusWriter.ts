// A pool's status: its readiness, its counts (active, queued, utilization) and whether
// it is saturated, written when it changed, with an Event when its readiness flips. A
// busy pool's counts change on every admission cycle, so counts alone are written at
// most once per STATUS_COUNTS_INTERVAL_MS.
import type { WorkerPool } from '../../api/types.js';
import { summarizePool } from '../../core/poolStatus.js';
import type { PoolPolicy } from '../../core/types.js';
import type { EventSink } from '../../kube/events.js';
import { type ClusterWrites, POOLS } from '../../kube/writers.js';
import type { Result } from '../../runtime/controller.js';
import type { WriteThroughCache } from '../cache.js';
import { type Condition, setCondition } from '../conditions.js';
import { sameContent } from '../equal.js';

/**
 * A busy pool's counts (active, queued, utilization, and the Saturated message that
 * quotes them) change on every admission cycle; writing each change put a status write
 * on the path of every refill and one per cycle into the API server. Counts alone are
 * written at most this often, the last change always (the pool is looked at again when
 * the interval is over); a change of state (a condition's status or reason, a new
 * generation) is written at once.
 */
export const STATUS_COUNTS_INTERVAL_MS = 1000;

/** The status without what changes with every cycle: what a reader must see at once. */
function stateOf(status: Record<string, unknown> | undefined): unknown {
  const { active: _a, queued: _q, utilization: _u, conditions, ...rest } = (status ?? {}) as Record<string, unknown>;
  const states = ((conditions ?? []) as Condition[]).map(({ type, status: is, reason, observedGeneration }) => ({ type, is, reason, observedGeneration }));
  return { ...rest, states };
}

/** Why a pool cannot be used, as its Ready=False condition says. */
export type Unusable = { ok: false; reason: 'InvalidSpec' | 'InvalidTemplate'; message: string };

export interface PoolStatusDeps {
  pools: WriteThroughCache<WorkerPool>;
  writes: ClusterWrites;
  events: EventSink;
  now: () => Date;
}

export class PoolStatusWriter {
  /** When each pool's status was last written (ms), for STATUS_COUNTS_INTERVAL_MS. */
  private readonly writtenAt = new Map<string, number>();

  constructor(private readonly d: PoolStatusDeps) {}

  /** The pool is gone: nothing to pace any more. */
  forget(key: string): void {
    this.writtenAt.delete(key);
  }

  async write(
    pool: WorkerPool,
    state: { invalid: Unusable } | { policy: PoolPolicy; active: number; queued: number },
  ): Promise<Result | void> {
    const now = this.d.now().toISOString();
    const generation = pool.metadata?.generation ?? 0;
    const current = (pool.status ?? {}) as { conditions?: Condition[] };
    let next: Record<string, unknown>;
    if ('invalid' in state) {
      const { reason, message } = state.invalid;
      const conditions = setCondition(current.conditions, { type: 'Ready', status: 'False', reason, message, observedGeneration: generation }, now);
      next = { ...pool.status, observedGeneration: generation, conditions };
    } else {
      const { policy, active, queued } = state;
      const summary = summarizePool(policy, active, queued);
      let conditions = setCondition(current.conditions, {
        type: 'Ready', status: 'True', reason: policy.paused ? 'Paused' : 'Admitting',
        message: policy.paused ? 'paused: running syncs continue, nothing new is admitted' : `admitting up to ${policy.maxWorkers} concurrent syncs`,
        observedGeneration: generation,
      }, now);
      conditions = setCondition(conditions, summary.saturated
        ? { type: 'Saturated', status: 'True', reason: 'AllSlotsBusy', message: `${summary.active}/${policy.maxWorkers} slots busy, ${summary.queued} queued`, observedGeneration: generation }
        : { type: 'Saturated', status: 'False', reason: 'SlotsAvailable', message: `${summary.active}/${policy.maxWorkers} slots busy`, observedGeneration: generation },
      now);
      next = { ...pool.status, active: summary.active, queued: summary.queued, utilization: summary.utilization, observedGeneration: generation, conditions };
    }
    if (sameContent(next, pool.status)) return;
    const key = `${pool.metadata!.namespace!}/${pool.metadata!.name!}`;
    const nowMs = this.d.now().getTime();
    const sinceLast = nowMs - (this.writtenAt.get(key) ?? -Infinity);
    if (sinceLast < STATUS_COUNTS_INTERVAL_MS && sameContent(stateOf(next), stateOf(pool.status as Record<string, unknown>))) {
      return { requeueAfterMs: STATUS_COUNTS_INTERVAL_MS - sinceLast };
    }
    this.d.pools.remember(await this.d.writes.patchStatus<WorkerPool>(
      POOLS, pool.metadata!.namespace!, pool.metadata!.name!, next, pool.metadata?.resourceVersion));
    this.writtenAt.set(key, nowMs);
    this.readyEvent(pool, current.conditions, next.conditions as Condition[]);
  }

  /** One Event when Ready changes reason (InvalidSpec, InvalidTemplate, Admitting, Paused). */
  private readyEvent(pool: WorkerPool, before: Condition[] | undefined, after: Condition[]): void {
    const was = before?.find((c) => c.type === 'Ready');
    const is = after.find((c) => c.type === 'Ready');
    if (!is || (was?.reason === is.reason && was?.message === is.message && was?.status === is.status)) return;
    if (was === undefined && is.status === 'True' && is.reason === 'Admitting') return; // a pool's birth is not news
    this.d.events.emit({
      regarding: { apiVersion: pool.apiVersion, kind: pool.kind, namespace: pool.metadata.namespace, name: pool.metadata.name, uid: pool.metadata.uid },
      type: is.status === 'True' ? 'Normal' : 'Warning',
      reason: is.reason, action: is.status === 'True' ? 'Admit' : 'Refuse', note: is.message,
    });
  }
}
