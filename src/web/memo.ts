// Answers from the API server remembered for a while: a page polling every second must
// not cost a TokenReview and a SubjectAccessReview per namespace every second. Bounded
// (the oldest answers go first), concurrent asks for one key share one request, and the
// requests in flight are capped: beyond the cap the caller is told to retry later
// rather than queue without bound. A failed request is not an answer: nothing is kept.

export interface MemoOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Default 10 000. */
  maxEntries?: number;
  /** Default 32. */
  maxInFlight?: number;
}

/** Too many requests in flight: answer "retry later" rather than queue. */
export class MemoBusy extends Error {
  constructor(inFlight: number) {
    super(`${inFlight} reviews in flight`);
    this.name = 'MemoBusy';
  }
}

export class Memo<V> {
  private readonly answers = new Map<string, { value: V; expiresAtMs: number }>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly maxEntries: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: MemoOptions) {
    this.maxEntries = o.maxEntries ?? 10_000;
    this.maxInFlight = o.maxInFlight ?? 32;
  }

  /**
   * The remembered answer for `key`, or `ask()`'s, kept until `expiresAtMs(value)`
   * (a time not after now keeps nothing).
   */
  get(key: string, ask: () => Promise<V>, expiresAtMs: (value: V, nowMs: number) => number): Promise<V> {
    const held = this.answers.get(key);
    if (held && held.expiresAtMs > this.o.now()) return Promise.resolve(held.value);
    if (held) this.answers.delete(key);
    let pending = this.inFlight.get(key);
    if (pending) return pending;
    if (this.inFlight.size >= this.maxInFlight) return Promise.reject(new MemoBusy(this.inFlight.size));
    pending = ask().then((value) => {
      const now = this.o.now();
      const until = expiresAtMs(value, now);
      if (until > now) {
        this.answers.set(key, { value, expiresAtMs: until });
        // A Map iterates in insertion order: the first key is the oldest answer.
        while (this.answers.size > this.maxEntries) this.answers.delete(this.answers.keys().next().value!);
      }
      return value;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, pending);
    return pending;
  }

  /** How many answers are held; for tests. */
  size(): number {
    return this.answers.size;
  }
}
