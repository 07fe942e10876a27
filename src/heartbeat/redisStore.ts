// Heartbeats in Redis, shared by every replica and kept across operator restarts, with
// this process's memory as the fallback while Redis cannot be reached. The store never
// throws and never waits long: the heartbeat endpoint must keep answering whatever Redis
// does. What it cannot hide, it reports: every gap in what Redis holds (this process
// starting, Redis flushed or restarted empty, Redis unreachable, Redis back) moves
// completeSinceMs forward, and no run is judged stale before completeSinceMs + staleAfter.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { exponentialBackoff, jittered } from '../runtime/backoff.js';
import { errorMessage, type Logger } from '../runtime/clock.js';
import { DEFAULT_HEARTBEAT_TTL_MS, MemoryHeartbeatStore } from './memoryStore.js';
import type { HeartbeatReading, HeartbeatStore, StoreHealth } from './store.js';

export interface RedisHeartbeatStoreOptions {
  /** redis:// or rediss:// URL; its password is never logged. */
  url: string;
  now: () => number;
  log: Logger;
  keyPrefix?: string;
  /** Redis expires a run's key this long after its last heartbeat (a missed forget()). */
  ttlMs?: number;
  /** A command unanswered this long counts as Redis unreachable; the caller gets memory. */
  commandTimeoutMs?: number;
}

// Reconnect soon after Redis is back, without hammering it while it is down.
const reconnectDelay = jittered(exponentialBackoff(50, 2_000));
const TIMED_OUT = 'Command timed out'; // ioredis's message for commandTimeout

type Link = 'connecting' | 'up' | 'down';

export class RedisHeartbeatStore implements HeartbeatStore {
  private readonly client: Redis;
  private readonly memory: MemoryHeartbeatStore;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly epochKey: string;
  private readonly ttlMs: number;
  /** host:port, safe to log. */
  private readonly where: string;
  private link: Link = 'connecting';
  private completeSinceMs: number;
  /** The epoch marker's value when last seen; a missing or different one is a gap. */
  private epoch: string | undefined;
  private lastError = '';
  private closing = false;

  constructor({ url, now, log, keyPrefix = 'syncpool:hb:', ttlMs = DEFAULT_HEARTBEAT_TTL_MS, commandTimeoutMs = 500 }: RedisHeartbeatStoreOptions) {
    this.where = redisAddress(url);
    this.now = now;
    this.log = log;
    this.prefix = keyPrefix;
    this.epochKey = `${keyPrefix}epoch`;
    this.ttlMs = ttlMs;
    this.memory = new MemoryHeartbeatStore({ now, ttlMs });
    this.completeSinceMs = this.memory.completeSinceMs;
    this.client = new Redis(url, {
      connectionName: 'syncpool-heartbeats',
      // Fail at once while disconnected instead of queueing: the caller falls back to memory.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A heartbeat replayed after a reconnect could overwrite a newer one.
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandTimeoutMs,
      connectTimeout: Math.max(1_000, 4 * commandTimeoutMs),
      retryStrategy: (attempt) => reconnectDelay(attempt - 1),
    });
    this.client.on('ready', () => this.connected());
    this.client.on('close', () => this.markDown());
    // ioredis reports each failed reconnect; the transition is logged once, in markDown().
    this.client.on('error', (err: unknown) => {
      this.lastError = errorMessage(err);
      log.debug('Redis connection error', { redis: this.where, error: this.lastError });
    });
    log.info('heartbeats stored in Redis', { redis: this.where, keyPrefix });
  }

  async record(runUid: string, atMs: number): Promise<void> {
    this.memory.recordNow(runUid, atMs);
    if (!this.usable()) return;
    try {
      await this.client.set(this.key(runUid), String(atMs), 'PX', this.ttlMs);
      this.markUp();
    } catch (err) {
      this.failed(err);
    }
  }

  async read(runUid: string): Promise<HeartbeatReading> {
    let shared: number | undefined;
    if (this.usable()) {
      try {
        // One round trip: the run's key and the marker that tells whether Redis lost data.
        const [value, epoch] = await this.client.mget(this.key(runUid), this.epochKey);
        this.markUp();
        await this.checkEpoch(epoch ?? null);
        shared = parseMs(value);
      } catch (err) {
        this.failed(err);
      }
    }
    const held = this.memory.lastMsOf(runUid);
    const lastMs = shared === undefined ? held : held === undefined ? shared : Math.max(shared, held);
    return { lastMs, completeSinceMs: this.completeSinceMs };
  }

  async forget(runUid: string): Promise<void> {
    await this.memory.forget(runUid);
    if (!this.usable()) return; // the key expires after ttlMs anyway
    try {
      await this.client.del(this.key(runUid));
    } catch (err) {
      this.failed(err);
    }
  }

  health(): StoreHealth {
    switch (this.link) {
      case 'up': return { ok: true, detail: `heartbeats stored in Redis at ${this.where}` };
      case 'connecting': return { ok: false, detail: `connecting to Redis at ${this.where}: heartbeats held in memory` };
      case 'down': return { ok: false, detail: `Redis unreachable at ${this.where}: heartbeats held in memory` };
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      if (this.client.status === 'ready') await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
    await this.memory.close();
  }

  private key(runUid: string): string {
    return `${this.prefix}${runUid}`;
  }

  private usable(): boolean {
    return !this.closing && this.client.status === 'ready';
  }

  private connected(): void {
    this.markUp();
    // Redis restarted without persistence answers like any other: the marker tells.
    this.client.get(this.epochKey).then((epoch) => this.checkEpoch(epoch)).catch((err) => this.failed(err));
  }

  /** A gap: nothing before now can be trusted to be in Redis. */
  private gap(): void {
    this.completeSinceMs = Math.max(this.completeSinceMs, this.now());
  }

  private markUp(): void {
    if (this.closing || this.link === 'up' || this.client.status !== 'ready') return;
    const again = this.link === 'down';
    this.link = 'up';
    this.gap(); // heartbeats other replicas held in memory meanwhile are not in Redis
    this.log.info(again ? 'Redis reachable again' : 'Redis connected', { redis: this.where });
  }

  private markDown(): void {
    if (this.closing || this.link === 'down') return;
    this.link = 'down';
    this.gap();
    this.log.warn('Redis unreachable: heartbeats held in this replica\'s memory until it is back', {
      redis: this.where, error: this.lastError || undefined,
    });
  }

  private failed(err: unknown): void {
    this.lastError = errorMessage(err);
    this.markDown();
    // A Redis that stopped answering (frozen, half-open connection) holds the socket open:
    // drop it, so later calls fail at once and the reconnect finds out when it is back.
    if (this.lastError === TIMED_OUT && this.client.status === 'ready' && !this.closing) this.client.disconnect(true);
  }

  private async checkEpoch(seen: string | null): Promise<void> {
    if (seen !== null) {
      // Another replica recreated the marker since this one last looked: Redis lost data.
      if (this.epoch !== undefined && seen !== this.epoch) this.lostData('replaced');
      this.epoch = seen;
      return;
    }
    this.lostData(this.epoch === undefined ? 'first' : 'missing');
    this.epoch = undefined; // whatever a concurrent reader sees next belongs to this gap
    const mine = `${new Date(this.now()).toISOString()} ${randomUUID()}`;
    const created = await this.client.set(this.epochKey, mine, 'NX');
    this.epoch = created === 'OK' ? mine : (await this.client.get(this.epochKey)) ?? undefined;
  }

  private lostData(how: 'first' | 'missing' | 'replaced'): void {
    this.gap();
    if (how === 'first') {
      this.log.info('Redis holds no heartbeat epoch marker yet (new, flushed or restarted empty); creating it', { redis: this.where });
    } else {
      this.log.warn('Redis lost its heartbeats (flushed, or restarted without persistence): no run is judged stale until staleAfter has passed again', {
        redis: this.where, marker: how,
      });
    }
  }
}

function parseMs(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** host:port of a Redis URL, without credentials; throws without echoing the URL. */
export function redisAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('invalid Redis URL: expected redis://[user:password@]host[:port][/db]');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`invalid Redis URL: scheme ${parsed.protocol} is not redis: or rediss:`);
  }
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
}
