// Heartbeats held in this process only: the store when no Redis is configured, and the
// Redis store's fallback while Redis is unreachable.
import type { HeartbeatReading, HeartbeatStore, StoreHealth } from './store.js';

export const DEFAULT_HEARTBEAT_TTL_MS = 24 * 60 * 60 * 1000;

export interface MemoryHeartbeatStoreOptions {
  now: () => number;
  /** A run not heard from for this long is dropped, so a missed forget() cannot leak. */
  ttlMs?: number;
}

export class MemoryHeartbeatStore implements HeartbeatStore {
  // Kept in the order of the last record() call, so expired entries gather at the front
  // and pruning stops at the first live one.
  private readonly lastMs = new Map<string, number>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  /** Nothing received before this process started is known here. */
  readonly completeSinceMs: number;

  constructor({ now, ttlMs = DEFAULT_HEARTBEAT_TTL_MS }: MemoryHeartbeatStoreOptions) {
    if (!(ttlMs > 0)) throw new Error(`heartbeat ttlMs must be positive, got ${ttlMs}`);
    this.now = now;
    this.ttlMs = ttlMs;
    this.completeSinceMs = now();
  }

  async record(runUid: string, atMs: number): Promise<void> {
    this.recordNow(runUid, atMs);
  }

  /** record() without the promise, for the Redis store's synchronous fallback write. */
  recordNow(runUid: string, atMs: number): void {
    this.prune();
    // A late-arriving older time must not move the run's last heartbeat backwards.
    const last = Math.max(atMs, this.lastMs.get(runUid) ?? -Infinity);
    this.lastMs.delete(runUid);
    this.lastMs.set(runUid, last);
  }

  async read(runUid: string): Promise<HeartbeatReading> {
    return { lastMs: this.lastMsOf(runUid), completeSinceMs: this.completeSinceMs };
  }

  /** The run's last heartbeat if held and not expired. */
  lastMsOf(runUid: string): number | undefined {
    this.prune();
    const last = this.lastMs.get(runUid);
    return last !== undefined && !this.expired(last) ? last : undefined;
  }

  async forget(runUid: string): Promise<void> {
    this.lastMs.delete(runUid);
  }

  health(): StoreHealth {
    return { ok: true, detail: 'heartbeats held in this process\'s memory (no Redis configured)' };
  }

  async close(): Promise<void> {
    this.lastMs.clear();
  }

  /** How many runs are held; for tests and metrics. */
  get size(): number {
    return this.lastMs.size;
  }

  private expired(lastMs: number): boolean {
    return lastMs + this.ttlMs <= this.now();
  }

  // Lazy and cheap: only the expired front of the map is visited. An entry recorded with a
  // time older than an entry ahead of it waits for that one to expire; callers pass the
  // receive time, so that is rare and adds at most one ttl. read() never returns it.
  private prune(): void {
    for (const [runUid, last] of this.lastMs) {
      if (!this.expired(last)) return;
      this.lastMs.delete(runUid);
    }
  }
}
