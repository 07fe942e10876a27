// One pool's queue, kept between admission cycles so that a decision walks the head of
// the queue instead of sorting all of it.
//
// Why no sort is needed at decision time: within one base priority, a run enqueued
// earlier has waited at least as long, so aging gives it at least the same effective
// priority, and on a tie the earlier enqueue time comes first anyway. Each group of one
// base priority, kept in enqueue order, is therefore in queue order at any instant; the
// whole queue is the merge of the groups by the queue order of that instant, walked
// only as far as the caller reads.
import { compareQueued } from './ordering.js';
import { PriorityGroup } from './priorityGroup.js';
import type { QueuedRun } from './types.js';

/** The runs held under one name: one, unless a name is queued twice. */
interface Named {
  runs: QueuedRun[];
  /** sync's bookkeeping: the sync that last saw the name, and how many of `runs` it found unchanged. */
  seenIn: number;
  unchanged: number;
}

// The snapshot hands the same run objects back cycle after cycle: identity settles most.
const sameRun = (a: QueuedRun, b: QueuedRun) => a === b || (a.name === b.name && a.source === b.source && a.syncType === b.syncType
  && a.priority === b.priority && a.enqueuedAtMs === b.enqueuedAtMs);

/**
 * Runs are values: one changed under the same name is a different run (sync replaces it),
 * and a run must not be modified while the index holds it. A name queued twice is held
 * twice, as the queue lists it; admission keeps only its first place in order. Priority
 * and enqueue time must be numbers that compare (never NaN, as orderQueue also needs):
 * a group is sorted when runs join it, not when it is read.
 */
export class QueueIndex {
  private readonly groups = new Map<number, PriorityGroup>();
  private readonly named = new Map<string, Named>();
  private syncs = 0;

  /** Names queued; a name queued twice counts once. */
  get size(): number {
    return this.named.size;
  }

  has(name: string): boolean {
    return this.named.has(name);
  }

  add(run: QueuedRun): void {
    const named = this.named.get(run.name);
    if (named) named.runs.push(run);
    else this.named.set(run.name, { runs: [run], seenIn: 0, unchanged: 0 });
    let group = this.groups.get(run.priority);
    if (!group) this.groups.set(run.priority, (group = new PriorityGroup()));
    group.insert(run);
  }

  /** Every run under this name; false when there was none. */
  remove(name: string): boolean {
    const named = this.named.get(name);
    if (!named) return false;
    this.named.delete(name);
    for (const run of named.runs) this.ungroup(run);
    return true;
  }

  /**
   * This very run object (not others of its name); false when the index does not hold it.
   * For a caller that keeps the index current change by change instead of by sync.
   */
  delete(run: QueuedRun): boolean {
    const named = this.named.get(run.name);
    const at = named ? named.runs.indexOf(run) : -1;
    if (!named || at < 0) return false;
    named.runs.splice(at, 1);
    if (named.runs.length === 0) this.named.delete(run.name);
    this.ungroup(run);
    return true;
  }

  private ungroup(run: QueuedRun): void {
    const group = this.groups.get(run.priority)!;
    group.delete(run);
    if (group.size === 0) this.groups.delete(run.priority);
  }

  /**
   * Makes the index hold exactly `runs`. One pass of lookups over `runs` and one over the
   * names held; only the names that came, went or changed touch the groups.
   */
  sync(runs: readonly QueuedRun[]): void {
    const pass = ++this.syncs;
    const arrived: QueuedRun[] = [];
    const changed = new Set<string>();
    for (const run of runs) {
      const named = this.named.get(run.name);
      if (!named) {
        arrived.push(run);
        continue;
      }
      if (named.seenIn !== pass) {
        named.seenIn = pass;
        named.unchanged = 0;
      }
      const held = named.runs[named.unchanged];
      if (held !== undefined && sameRun(held, run)) named.unchanged += 1;
      else changed.add(run.name);
    }
    const gone: string[] = [];
    for (const [name, named] of this.named) {
      if (named.seenIn !== pass) gone.push(name);
      else if (named.unchanged !== named.runs.length) changed.add(name);
    }
    for (const name of gone) this.remove(name);
    if (changed.size > 0) {
      for (const name of changed) this.remove(name);
      // In the order given, so a name queued twice keeps its runs' order among equals.
      for (const run of runs) if (changed.has(run.name)) this.add(run);
    }
    for (const run of arrived) this.add(run);
  }

  /**
   * The queue in `orderQueue`'s order at `nowMs`, lazily: reading the first m runs of q
   * priority groups costs O(q + m log q). The index must not change during the walk.
   */
  *ordered(agingIntervalMs: number | undefined, nowMs: number): Generator<QueuedRun> {
    yield* merge([...this.groups.values()], (a, b) => compareQueued(a, b, agingIntervalMs, nowMs));
  }
}

/** A sorted walk over sorted sources: a binary heap of their heads. */
function* merge(sources: Iterable<QueuedRun>[], compare: (a: QueuedRun, b: QueuedRun) => number): Generator<QueuedRun> {
  const heap: { head: QueuedRun; rest: Iterator<QueuedRun> }[] = [];
  for (const source of sources) {
    const rest = source[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) heap.push({ head: first.value, rest });
  }
  const before = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const sink = (from: number) => {
    for (let i = from; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && before(l, top)) top = l;
      if (r < heap.length && before(r, top)) top = r;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top]!, heap[i]!];
      i = top;
    }
  };
  for (let i = (heap.length >>> 1) - 1; i >= 0; i--) sink(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head;
    const next = top.rest.next();
    if (!next.done) {
      top.head = next.value;
    } else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    sink(0);
  }
}
