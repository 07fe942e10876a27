// Adoption of plain CronJobs labelled with a pool (README "Adopting an existing CronJob"):
// read the CronJob from the cache, decide (adopt.ts), write at most one merge patch.
//
// The patch carries the CronJob's uid and resourceVersion: a CronJob changed since the
// cache showed it (a user re-applying it, another replica) answers 409, and the error
// sends the key back through the queue with backoff, to be decided again on what is
// there then. Never a blind overwrite of someone else's newer template.
import type { KubernetesObject, V1CronJob } from '@kubernetes/client-node';
import { isNotFound } from '../../kube/client.js';
import type { EventInput, EventSink } from '../../kube/events.js';
import type { ClusterWrites } from '../../kube/writers.js';
import type { Logger } from '../../runtime/clock.js';
import { type Cache, splitKey, WriteThroughCache } from '../cache.js';
import { type Adoption, ANNOTATION_ADOPTED, decideAdoption } from './adopt.js';

export interface CronJobReconcilerDeps {
  cronJobs: Cache<V1CronJob>;
  /** Only to say, when adopting, that the pool does not exist yet (asked live when the cache lacks it). */
  pools: Cache<KubernetesObject>;
  writes: ClusterWrites;
  events: EventSink;
  log: Logger;
}

type Write = Exclude<Adoption, { action: 'none' | 'unreadable' }>;

const LOGGED: Record<Write['action'], string> = {
  adopt: 'CronJob adopted',
  readopt: 'CronJob adopted again: its jobTemplate was changed',
  repoint: 'CronJob moved to another pool',
  release: 'CronJob released',
};

export class CronJobReconciler {
  /** Our own patches, until the watch shows them: a reconcile before then must not patch again. */
  private readonly cronJobs: WriteThroughCache<V1CronJob>;

  constructor(private readonly d: CronJobReconcilerDeps) {
    this.cronJobs = new WriteThroughCache(d.cronJobs);
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const cronJob = this.cronJobs.get(namespace, name);
    if (!cronJob) return;
    const decision = decideAdoption(cronJob);
    const regarding = { apiVersion: 'batch/v1', kind: 'CronJob', namespace, name, uid: cronJob.metadata?.uid };
    if (decision.action === 'unreadable') {
      this.d.log.warn('CronJob adoption record unreadable; leaving it as it is', { namespace, cronjob: name, reason: decision.message });
      this.d.events.emit({ regarding, type: 'Warning', reason: 'AdoptionRecordInvalid', action: 'Adopt', note: `${decision.message}; fix or remove it` });
      return;
    }
    if ('warning' in decision && decision.warning) {
      this.d.events.emit({ regarding, type: 'Warning', reason: 'InvalidPriority', action: 'Adopt', note: decision.warning });
    }
    if (decision.action === 'none') return;

    let stored: V1CronJob;
    try {
      stored = await this.d.writes.patchCronJob({ namespace, name, uid: cronJob.metadata!.uid! }, decision.patch, cronJob.metadata?.resourceVersion);
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: nothing left to adopt or give back
      throw err;
    }
    this.cronJobs.remember(stored);
    const meta = { namespace, cronjob: name, pool: decision.pool, ...(decision.action === 'repoint' && { from: decision.from }) };
    this.d.log.info(LOGGED[decision.action], meta);
    // The pool cache may be behind (a pool applied with the CronJob): ask before saying it is missing.
    const poolExists = decision.action === 'release' || this.d.pools.get(namespace, decision.pool) !== undefined
      || await this.d.writes.poolExists(namespace, decision.pool).catch(() => true);
    this.d.events.emit({ regarding, ...this.event(decision, poolExists) });
  }

  private event(decision: Write, poolExists: boolean): Omit<EventInput, 'regarding'> {
    const missing = poolExists ? '' : ` (it does not exist yet: runs wait until it does)`;
    switch (decision.action) {
      case 'adopt':
        return {
          type: 'Normal', reason: 'Adopted', action: 'Adopt',
          note: `runs now queue in WorkerPool ${decision.pool}${missing}: jobTemplate suspended and labelled, previous values kept in annotation ${ANNOTATION_ADOPTED}`,
        };
      case 'readopt':
        return { type: 'Normal', reason: 'Adopted', action: 'Adopt', note: `jobTemplate was changed; made to queue in WorkerPool ${decision.pool} again${missing}` };
      case 'repoint':
        return { type: 'Normal', reason: 'Adopted', action: 'Adopt', note: `runs now queue in WorkerPool ${decision.pool}${missing} instead of ${decision.from}` };
      case 'release':
        return { type: 'Normal', reason: 'Released', action: 'Release', note: `no longer labelled with a pool: jobTemplate restored as it was before adoption into WorkerPool ${decision.pool}` };
    }
  }
}
