// The queued runs of one base priority, in enqueue order (enqueue time, then name). Aging
// never reorders them (see compareEnqueued), so a group is sorted on insert, once, and
// stays in queue order at every instant. Kept in chunks so that an insert or a removal
// moves a few hundred references, not the whole group: every admission cycle takes runs
// from the head and adds new ones at the tail.
import { compareEnqueued } from './ordering.js';
import type { QueuedRun } from './types.js';

/** A chunk splits in two once it grows past twice this. */
const CHUNK = 256;

export class PriorityGroup {
  private readonly chunks: QueuedRun[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Goes after the runs it ties with, so ties keep the order they were added in. */
  insert(run: QueuedRun): void {
    const last = this.chunks.length - 1;
    if (last < 0) {
      this.chunks.push([run]);
    } else {
      const c = Math.min(firstAfter(this.chunks.length, (i) => lastOf(this.chunks[i]!), run, false), last);
      const chunk = this.chunks[c]!;
      chunk.splice(firstAfter(chunk.length, (i) => chunk[i]!, run, false), 0, run);
      if (chunk.length > 2 * CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK));
    }
    this.count += 1;
  }

  /** Removes this very object; false when the group does not hold it. */
  delete(run: QueuedRun): boolean {
    // Runs that tie with it may span chunks: look through all of them.
    for (let c = firstAfter(this.chunks.length, (i) => lastOf(this.chunks[i]!), run, true); c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      let i = firstAfter(chunk.length, (j) => chunk[j]!, run, true);
      for (; i < chunk.length && compareEnqueued(chunk[i]!, run) === 0; i++) {
        if (chunk[i] !== run) continue;
        chunk.splice(i, 1);
        if (chunk.length === 0) this.chunks.splice(c, 1);
        this.count -= 1;
        return true;
      }
      if (i < chunk.length) return false;
    }
    return false;
  }

  *[Symbol.iterator](): Generator<QueuedRun> {
    for (const chunk of this.chunks) yield* chunk;
  }
}

const lastOf = (chunk: QueuedRun[]): QueuedRun => chunk[chunk.length - 1]!;

/** Binary search: the first of `length` sorted runs after `run`, or also equal to it with `orEqual`. */
function firstAfter(length: number, runAt: (i: number) => QueuedRun, run: QueuedRun, orEqual: boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareEnqueued(runAt(mid), run);
    if (order > 0 || (orEqual && order === 0)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
