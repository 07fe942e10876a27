// Admissions written to the API server but not yet seen in the informer cache.
//
// Without this, a reconcile that runs between our "unsuspend" patch and the watch
// event would still see the Job as suspended, count one slot too few, and admit past
// the cap. An admission is assumed here first, written second, and dropped again if
// the write fails; it is satisfied once the cache shows the Job unsuspended (or gone).

export class AdmissionExpectations {
  private readonly pending = new Map<string, number>(); // job uid → assumed at (ms)

  constructor(private readonly maxAgeMs = 5 * 60_000) {}

  assume(uid: string, nowMs: number): void {
    this.pending.set(uid, nowMs);
  }

  rollback(uid: string): void {
    this.pending.delete(uid);
  }

  /**
   * Whether the cache's view of a suspended Job must still be read as running. Clears
   * the expectation once the cache caught up; a very old one is dropped as a safety
   * net (the write either landed long ago or never will).
   */
  assumedRunning(uid: string, suspendedInCache: boolean, nowMs: number): boolean {
    const at = this.pending.get(uid);
    if (at === undefined) return false;
    if (!suspendedInCache || nowMs - at > this.maxAgeMs) {
      this.pending.delete(uid);
      return false;
    }
    return true;
  }

  /** Forget Jobs that are no longer in the cache at all (deleted). */
  retainOnly(uids: Set<string>): void {
    for (const uid of this.pending.keys()) if (!uids.has(uid)) this.pending.delete(uid);
  }

  get size(): number {
    return this.pending.size;
  }
}
