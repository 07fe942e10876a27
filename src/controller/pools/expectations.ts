// Admissions written (or being written) to the API server but not yet seen in the
// informer cache, kept per pool.
//
// Without them, a reconcile that runs between our "unsuspend" patch and its watch
// event would still see the Job suspended, count one slot too few, and admit past the
// cap. An admission is assumed here first and written second. Then:
// - the write succeeded: the expectation holds until the cache shows that Job at or
//   past the revision our write returned (or unsuspended, finished, or gone);
// - the API server refused it (a definite 4xx): it is rolled back, nothing was written;
// - the outcome is unknown (timeout, dropped connection, 5xx): the write may have
//   landed, so the slot stays taken and the same write is sent again on the next cycle
//   until it either lands or is refused. Dropping it would under-count the pool.
//
// A Job may also be admitted by creating it running (a claim, see claims.ts). Its uid
// is unknown until the create answers, so that admission is kept by the Job's name
// (creates.ts has its rules). Kept per pool, so reconciling one pool never drops another
// pool's expectations.
import type { V1Job } from '@kubernetes/client-node';
import { holdsSlot } from '../../jobs/classify.js';
import type { RunRef } from '../../core/types.js';
import { atOrPast, type CreateClaim, type CreateExpectation, newCreate, type PoolView, settleCreate } from './creates.js';

export type { CreateClaim, CreateExpectation, PoolView } from './creates.js';

interface Expectation {
  name: string;
  assumedAtMs: number;
  /** resourceVersion of our successful write; undefined while unknown. */
  writtenRevision?: string;
  /** The write's outcome is unknown: send it again. */
  uncertain: boolean;
}

export interface Observed {
  /** uids of Jobs that must be counted as running although the cache says queued. */
  assumed: Set<string>;
  /** Admissions whose write must be sent again (its outcome was unknown). */
  resend: { uid: string; name: string }[];
  /** Runs admitted by a create the cache does not show yet: each holds a slot. */
  creating: RunRef[];
  /** Of those, creates whose task no longer wants its Job: only a live look can settle them. */
  unseen: CreateExpectation[];
}

export class AdmissionExpectations {
  private readonly byPool = new Map<string, Map<string, Expectation>>();
  private readonly createsByPool = new Map<string, Map<string, CreateExpectation>>();

  assume(pool: string, uid: string, name: string, nowMs: number): void {
    let pending = this.byPool.get(pool);
    if (!pending) this.byPool.set(pool, (pending = new Map()));
    pending.set(uid, { name, assumedAtMs: nowMs, uncertain: false });
  }

  landed(pool: string, uid: string, revision: string | undefined): void {
    const e = this.byPool.get(pool)?.get(uid);
    if (!e) return;
    e.uncertain = false;
    e.writtenRevision = revision ?? '0';
  }

  uncertain(pool: string, uid: string): void {
    const e = this.byPool.get(pool)?.get(uid);
    if (e) e.uncertain = true;
  }

  rollback(pool: string, uid: string): void {
    this.byPool.get(pool)?.delete(uid);
  }

  // ---- Admissions by create (claims) ----

  /** Counts the claimed run as running from now on, before its create is sent. */
  assumeCreate(pool: string, claim: CreateClaim, nowMs: number): void {
    let pending = this.createsByPool.get(pool);
    if (!pending) this.createsByPool.set(pool, (pending = new Map()));
    pending.set(claim.name, newCreate(claim, nowMs));
  }

  /** The claim held for this Job name, if any (an earlier create's outcome may be unknown). */
  create(pool: string, name: string): CreateExpectation | undefined {
    return this.createsByPool.get(pool)?.get(name);
  }

  /** Gives the claim's slot back (that claim: a newer one of the same name stays). */
  release(pool: string, e: CreateExpectation): void {
    const pending = this.createsByPool.get(pool);
    if (pending?.get(e.name) !== e) return;
    pending.delete(e.name);
    if (pending.size === 0) this.createsByPool.delete(pool);
  }

  forgetPool(pool: string): void {
    this.byPool.delete(pool);
    this.createsByPool.delete(pool);
  }

  /**
   * Settles this pool's expectations against the cache's view of its Jobs: satisfied
   * ones are dropped, the rest count as running.
   */
  observe(pool: string, view: PoolView): Observed {
    const out: Observed = { assumed: new Set(), resend: [], creating: [], unseen: [] };
    const pending = this.byPool.get(pool);
    for (const [uid, e] of pending ?? []) {
      const job = view.unfinished(uid, e.name);
      // Gone or finished (either frees the slot on its own), or seen running: satisfied.
      const seen = !job || holdsSlot(job) || (e.writtenRevision !== undefined && atOrPast(job.metadata?.resourceVersion, e.writtenRevision));
      if (seen) {
        pending!.delete(uid);
        continue;
      }
      out.assumed.add(uid);
      if (e.uncertain) out.resend.push({ uid, name: e.name });
    }
    if (pending?.size === 0) this.byPool.delete(pool);

    for (const e of this.createsByPool.get(pool)?.values() ?? []) {
      const verdict = settleCreate(e, view);
      if (verdict === 'settled') {
        this.release(pool, e);
        continue;
      }
      out.creating.push(e.run);
      if (verdict === 'unseen') out.unseen.push(e);
    }
    return out;
  }

  /** Expectations held for a pool (for tests and a gauge). */
  size(pool?: string): number {
    if (pool !== undefined) return (this.byPool.get(pool)?.size ?? 0) + (this.createsByPool.get(pool)?.size ?? 0);
    let n = 0;
    for (const p of [...this.byPool.values(), ...this.createsByPool.values()]) n += p.size;
    return n;
  }
}
