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
// Kept per pool, so reconciling one pool never drops another pool's expectations.
import type { V1Job } from '@kubernetes/client-node';
import { holdsSlot } from '../../jobs/classify.js';

interface Expectation {
  name: string;
  assumedAtMs: number;
  /** resourceVersion our successful write returned; undefined while unknown. */
  writtenRevision?: string;
  /** The write's outcome is unknown: send it again. */
  uncertain: boolean;
}

export interface Observed {
  /** uids of Jobs that must be counted as running although the cache says queued. */
  assumed: Set<string>;
  /** Admissions whose write must be sent again (its outcome was unknown). */
  resend: { uid: string; name: string }[];
}

/** etcd revisions are integers; compare them as such. */
function atOrPast(cached: string | undefined, written: string): boolean {
  try {
    return BigInt(cached ?? '0') >= BigInt(written);
  } catch {
    return false;
  }
}

export class AdmissionExpectations {
  private readonly byPool = new Map<string, Map<string, Expectation>>();

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

  forgetPool(pool: string): void {
    this.byPool.delete(pool);
  }

  /**
   * Settles this pool's expectations against the cache's view of its unfinished Jobs
   * (by uid): satisfied ones are dropped, the rest count as running.
   */
  observe(pool: string, unfinished: ReadonlyMap<string, V1Job>): Observed {
    const out: Observed = { assumed: new Set(), resend: [] };
    const pending = this.byPool.get(pool);
    if (!pending) return out;
    for (const [uid, e] of pending) {
      const job = unfinished.get(uid);
      // Gone or finished (either frees the slot on its own), or seen running: satisfied.
      const seen = !job || holdsSlot(job) || (e.writtenRevision !== undefined && atOrPast(job.metadata?.resourceVersion, e.writtenRevision));
      if (seen) {
        pending.delete(uid);
        continue;
      }
      out.assumed.add(uid);
      if (e.uncertain) out.resend.push({ uid, name: e.name });
    }
    if (pending.size === 0) this.byPool.delete(pool);
    return out;
  }

  /** Expectations held for a pool (for tests and a gauge). */
  size(pool?: string): number {
    if (pool !== undefined) return this.byPool.get(pool)?.size ?? 0;
    let n = 0;
    for (const p of this.byPool.values()) n += p.size;
    return n;
  }
}
