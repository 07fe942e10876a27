// Creating a one-shot attempt's Job already admitted: the task asks its pool for a
// claim (PoolReconciler.claim, decided as an admission cycle decides, its slot assumed
// at once); granted, the Job is created running, a write and a watch round trip sooner
// than creating it queued for the next cycle to unsuspend. The claim is settled by what
// the create answers (creates.ts keeps it until the cache shows the Job):
// - the stored Job: landed, and reported as an admission (onAdmit);
// - refused (400/422 invalid, 403, 429…): nothing was written; the slot is given back,
//   unless an earlier create under the claim landed or may have;
// - AlreadyExists: a Job took the name first. The slot is given back (the task finds
//   that Job in the cache), unless an earlier create of ours may have landed: then the
//   next visit looks;
// - no answer (timeout, 5xx, dropped connection): it may have landed, so the slot stays
//   taken; the task's reconcile fails, and on its retry either the cache shows the Job,
//   or a live look finds it, or the same create is sent again under the same claim.
import type { V1Job } from '@kubernetes/client-node';
import { controllerUid, holdsSlot, isQueued } from '../../jobs/classify.js';
import { isDefiniteRefusal } from '../../kube/client.js';
import type { ClusterWrites } from '../../kube/writers.js';
import { type CreateExpectation, landed, sending, uncertain } from './creates.js';
import type { AdmissionExpectations } from './expectations.js';

/** What decides a claim: the pool reconciler. */
export interface PoolClaims {
  claim(pool: string, claim: { name: string; taskUid: string }): boolean;
}

/**
 * What became of an attempt's Job: created (or found) queued, or ours admitted (as
 * stored), or made under a claim and gone since (deleted: the run is lost).
 */
export type Made = { kind: 'queued' } | { kind: 'admitted'; job: V1Job } | { kind: 'lost' };

/** What the task reconciler needs to create an attempt's Job. */
export interface AttemptCreates {
  /** Creates the Job `build` makes: admitted if its pool admits it now, else queued. */
  create(pool: string, taskUid: string, build: (admitted: boolean) => V1Job): Promise<Made>;
}

export interface CreateAdmissionsDeps {
  pools: PoolClaims;
  expectations: AdmissionExpectations;
  writes: ClusterWrites;
  /** Observes each admitted Job, as the pool reconciler's onAdmit (metrics, latency). */
  onAdmit?: (job: V1Job) => void;
}

const QUEUED: Made = { kind: 'queued' };

export class CreateAdmissions implements AttemptCreates {
  constructor(private readonly d: CreateAdmissionsDeps) {}

  async create(pool: string, taskUid: string, build: (admitted: boolean) => V1Job): Promise<Made> {
    const queued = build(false);
    const name = queued.metadata!.name!;
    const held = this.d.expectations.create(pool, name);
    // A claim held under this name by an earlier task of the same name (deleted since)
    // is settled by the pool (creates.ts); this task's Job waits in the queue meanwhile.
    if (held && held.taskUid === taskUid) return this.again(pool, held, build);
    if (held || !this.d.pools.claim(pool, { name, taskUid })) {
      await this.d.writes.createJob(queued);
      return QUEUED;
    }
    return this.send(pool, this.d.expectations.create(pool, name)!, build(true));
  }

  private async send(pool: string, e: CreateExpectation, job: V1Job): Promise<Made> {
    sending(e);
    let stored: V1Job | undefined;
    try {
      stored = await this.d.writes.createJob(job);
    } catch (err) {
      if (isDefiniteRefusal(err) && !e.mayExist) this.d.expectations.release(pool, e);
      else uncertain(e);
      throw err;
    }
    if (stored) return this.admitted(e, stored);
    // AlreadyExists. Ours did not land now; if none of ours may have earlier, the name was
    // taken by another Job, which the cache will show. Else the next visit looks.
    if (e.mayExist) uncertain(e);
    else this.d.expectations.release(pool, e);
    return QUEUED;
  }

  /**
   * A create under this claim landed or may have, and the cache does not show its Job:
   * look before sending another. A second Job for the attempt would run beside a pod
   * that outlived the first (deleted in the background), in the one slot the claim holds.
   */
  private async again(pool: string, e: CreateExpectation, build: (admitted: boolean) => V1Job): Promise<Made> {
    const live = await this.d.writes.getJob(e.namespace, e.name);
    if (live) {
      const ours = controllerUid(live) === e.taskUid;
      if (ours && !isQueued(live)) return this.admitted(e, live);
      // Queued (ours never ran: the pool admits it as any other), or another's: one that
      // runs keeps the slot until the cache shows it.
      if (holdsSlot(live)) landed(e, live);
      else this.d.expectations.release(pool, e);
      return QUEUED;
    }
    // Ours was made and is gone: someone deleted it (or its task, which the cache does
    // not show yet). The claim stays until its pods are gone (creates.ts, 'unseen').
    if (e.state === 'landed') return { kind: 'lost' };
    // Ours never landed, or landed and is gone already: not while a pod of the name lives.
    if (await this.d.writes.alivePodsOfJobNamed(e.namespace, e.name) > 0) return QUEUED;
    return this.send(pool, e, build(true));
  }

  private admitted(e: CreateExpectation, job: V1Job): Made {
    landed(e, job);
    // Each admission is reported once, whichever answer told of it first.
    if (!e.reported) {
      e.reported = true;
      this.d.onAdmit?.(job);
    }
    return { kind: 'admitted', job };
  }
}

/**
 * A claim whose task no longer wants its Job and whose Job the cache does not show
 * (creates.ts, 'unseen'): the pool reconciler looks live before deciding. A running Job
 * of that name and of the claim's task keeps the slot (landed: the cache will show it).
 * Otherwise the slot is given back once no pod of ours is alive: the Job is queued,
 * finished, or gone, and a pod may outlive a Job deleted in the background. Residual: a
 * create the API server commits after its client timed out, and after this look, runs
 * uncounted until the cache shows it; its task is gone, so the garbage collector removes it.
 */
export async function settleUnseen(writes: ClusterWrites, expectations: AdmissionExpectations, pool: string, e: CreateExpectation): Promise<'looked' | 'inFlight'> {
  // Its task's reconcile may send the create again meanwhile (the cache behind on the
  // task's cancel): then that answer settles the claim, not this look. But an answer
  // with no outcome (a timeout, a 5xx) settles nothing, and the task may be gone: so the
  // caller looks again later ('inFlight').
  const resent = () => e.state === 'sending';
  if (resent()) return 'inFlight';
  const live = await writes.getJob(e.namespace, e.name);
  if (resent()) return 'inFlight';
  // Only a Job of the claim's own task holds its slot. Another task's Job of the name (the
  // task deleted and applied again, perhaps into another pool) counts where it was
  // admitted, and no event of it would ever wake this pool to let the claim go.
  if (live && holdsSlot(live) && controllerUid(live) === e.taskUid) {
    landed(e, live);
    return 'looked';
  }
  const alive = e.uid !== undefined ? await writes.alivePods(e.namespace, e.uid) : await writes.alivePodsOfJobNamed(e.namespace, e.name);
  if (resent()) return 'inFlight';
  if (alive === 0) expectations.release(pool, e);
  return 'looked';
}
