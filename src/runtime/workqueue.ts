// A queue of keys ("namespace/name") with client-go's guarantees: a key is queued at
// most once, never handed to two workers at a time, and a key added while it is being
// processed is processed again afterwards, so no change is lost and none is handled in
// parallel with itself. Reconciles are level-based, so a key stands for "look again".
import { type Backoff, exponentialBackoff } from './backoff.js';
import { type Clock, wallClock } from './clock.js';

export interface WorkQueueOptions {
  /** Delay before a key's nth rate-limited retry; default 5 ms × 2^n, capped at 5 min. */
  backoff?: Backoff;
  clock?: Clock;
}

export const DEFAULT_RETRY_BACKOFF: Backoff = exponentialBackoff(5, 5 * 60_000);

const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue {
  // A Set iterates in insertion order: FIFO with O(1) membership and removal.
  private readonly ready = new Set<string>();
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private stopped = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = opts.backoff ?? DEFAULT_RETRY_BACKOFF;
    this.clock = opts.clock ?? wallClock;
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    // Its worker re-queues it in done(); queuing it now would let a second worker take it.
    if (this.processing.has(key)) return;
    this.ready.add(key);
    this.handOut();
  }

  /** The next key, waiting for one if none is ready; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the end of processing a key from get(); every get() must be paired with one. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) {
      this.ready.add(key);
      this.handOut();
    }
  }

  /** Adds the key after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    // Timers fire at once beyond 2^31−1 ms (~24.8 days); waking early only means another look.
    ms = Math.min(ms, MAX_TIMER_MS);
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.at <= at) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after its own exponential backoff, which grows with each call until forget(). */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, this.backoff(failures));
  }

  /** Resets the key's backoff: the next failure retries quickly again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys ready to be handed out (not the ones being processed or waiting on a delay). */
  len(): number {
    return this.ready.size;
  }

  /**
   * Stops handing out keys: waiting and future get() calls return undefined and queued
   * keys are dropped. That is safe because keys are hints: whoever runs the controllers
   * next lists the world and enqueues everything again.
   */
  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.ready.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  isShuttingDown(): boolean {
    return this.stopped;
  }

  private take(): string | undefined {
    const next = this.ready.values().next();
    if (next.done) return undefined;
    const key = next.value;
    this.ready.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private handOut(): void {
    while (this.waiters.length > 0 && this.ready.size > 0) this.waiters.shift()!(this.take());
  }
}
