// A cache of one resource kept current by list+watch. client-node's ListWatch stops for
// good on any list or watch error other than 410, never relists on its own (a lost event
// stays lost), and keeps a second copy of every object. Here every connection is a
// "generation" (a fresh ListThenWatch, which keeps nothing); an error ends it and a new
// one starts after a jittered backoff, and a periodic relist replaces it anyway.
// The cache lives here, across generations, so readers never see it empty mid-restart.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import { type Backoff, exponentialBackoff, jittered } from './backoff.js';
import { type Clock, errorMessage, type Logger, silentLogger, wallClock } from './clock.js';
import { GuardedWatch } from './guardedWatch.js';
import { ListThenWatch } from './listThenWatch.js';

export type InformerEvent = 'add' | 'update' | 'delete';

/**
 * One page of a list: `limit` objects at most, from where the last page's `continue`
 * token left off. A list function may ignore both and return everything at once.
 */
export interface ListPage {
  limit: number;
  _continue?: string;
}
export type ListFunc<T extends KubernetesObject> = (page: ListPage) => Promise<KubernetesListObject<T>>;

/**
 * Objects per list page (client-go's pager uses the same). A relist of 10,000 Jobs in one
 * response holds the whole body, its parse and client-node's deserialized copy at once,
 * beside the cache; a page is transformed and dropped before the next is asked for. The
 * pages are one consistent snapshot (all served at the first page's resourceVersion).
 */
export const LIST_PAGE_SIZE = 500;
/** `old` is the cached version an update replaces. */
export type InformerHandler<T> = (obj: T, old?: T) => void;

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  /** Passed to the watch; the list function must apply the same selector itself. */
  labelSelector?: string;
  /** Full relist (heals a missed event or a silently dead watch); default 5 min, 0 = never. */
  relistIntervalMs?: number;
  /** Delay before reconnect number n; default 1 s × 2^n up to 30 s, minus up to 20 % jitter. */
  backoff?: Backoff;
  log?: Logger;
  clock?: Clock;
  /**
   * Applied to every object before it is cached (client-go's SetTransform): keep only
   * what readers use, so memory follows what matters (managedFields alone can be half
   * of a Job). Must be pure, and keep metadata.namespace, name and resourceVersion.
   */
  transform?: (obj: T) => T;
  /** Objects per list page; default LIST_PAGE_SIZE. */
  listPageSize?: number;
}

/** Index keys of an object (none: the object is not in that index). */
export type IndexFunc<T> = (obj: T) => string[];

interface Index<T> {
  keysOf: IndexFunc<T>;
  /** index key → object key → object */
  entries: Map<string, Map<string, T>>;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly objects = new Map<string, Map<string, T>>();
  private readonly indexes = new Map<string, Index<T>>();
  private readonly handlers: Record<InformerEvent, InformerHandler<T>[]> = { add: [], update: [], delete: [] };
  private readonly relistMs: number;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly synced: Promise<void>;
  private markSynced!: () => void;
  private hasSyncedOnce = false;
  private running = false;
  private generation = 0;
  private current?: { lw: ListThenWatch<T>; watch: GuardedWatch };
  private failures = 0;
  /** When the current generation last listed successfully; undefined after a failure. */
  private healthySince: number | undefined;
  private lastEvent: number | undefined;
  private timer: unknown;
  /** relist() callers waiting for the next list of a live generation. */
  private listWaiters: (() => void)[] = [];

  constructor(
    private readonly clients: KubeClients,
    private readonly path: string,
    private readonly listFn: ListFunc<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.relistMs = opts.relistIntervalMs ?? 5 * 60_000;
    this.backoff = opts.backoff ?? jittered(exponentialBackoff(1_000, 30_000));
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? wallClock;
    this.synced = new Promise((resolve) => { this.markSynced = resolve; });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /** Closes the watch; the cache keeps its contents and start() resumes with a relist. */
  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.disconnect();
  }

  /**
   * Lists again now, a quorum read like the first one, and resolves once the cache holds
   * that list: what a warm cache must do before a new leader admits from it (a watch may
   * lag behind the writes the previous leader made just before it stopped).
   */
  relist(): Promise<void> {
    const listed = new Promise<void>((resolve) => this.listWaiters.push(resolve));
    if (!this.running) {
      this.start();
      return listed;
    }
    this.clock.clearTimeout(this.timer);
    this.disconnect();
    this.connect();
    return listed;
  }

  /** Resolves after the first successful list (it stays pending if that never happens). */
  waitForSync(): Promise<void> {
    return this.synced;
  }

  hasSynced(): boolean {
    return this.hasSyncedOnce;
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.objects.get(namespace)?.values() ?? [])];
    return [...this.objects.values()].flatMap((byName) => [...byName.values()]);
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespace)?.get(name);
  }

  /**
   * Keeps objects findable by derived keys (client-go's indexers), so a reader touches
   * only the objects it needs: a pool's admission cycle its own unfinished Jobs, not
   * every Job ever run in the namespace. Add indexes before start().
   */
  addIndex(name: string, keysOf: IndexFunc<T>): void {
    const index: Index<T> = { keysOf, entries: new Map() };
    for (const obj of this.list()) indexAdd(index, obj);
    this.indexes.set(name, index);
  }

  byIndex(name: string, key: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.path} has no index ${name}`);
    return [...(index.entries.get(key)?.values() ?? [])];
  }

  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].push(handler);
  }

  off(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event] = this.handlers[event].filter((h) => h !== handler);
  }

  /** When the API server last told us anything (a list, or any watch event); for a staleness gauge. */
  lastEventAt(): number | undefined {
    return this.lastEvent;
  }

  private connect(): void {
    const gen = ++this.generation;
    const live = () => this.running && gen === this.generation;
    const watch = new GuardedWatch(this.clients.config, () => { if (live()) this.lastEvent = this.clock.now(); });
    const lw = new ListThenWatch<T>(this.path, watch, {
      list: () => this.listAndReplace(live),
      upsert: (obj) => { if (live()) this.upsert(obj); },
      remove: (obj) => { if (live()) this.remove(obj); },
      // It reports an error and then stops for good.
      error: (err) => { if (live()) this.fail(err); },
    }, this.opts.labelSelector);
    this.current = { lw, watch };
    lw.start().catch((err: unknown) => { if (live()) this.fail(err); });
  }

  private disconnect(): void {
    const current = this.current;
    this.current = undefined;
    // Retire the generation first: aborting its watch reports an
    // AbortError synchronously, which must not count as a failure of the next one.
    this.generation++;
    if (!current) return;
    current.lw.stop();
    current.watch.close();
  }

  /**
   * The list step of a connection, page by page: each page's objects are cached as it
   * comes (a cached object is only ever replaced by a version at least as new: the list
   * is a fresh read), and what no page held is removed once the last one is in.
   */
  private async listAndReplace(live: () => boolean): Promise<KubernetesListObject<T>> {
    const seen = new Set<string>();
    const limit = this.opts.listPageSize ?? LIST_PAGE_SIZE;
    let page = await this.listFn({ limit });
    for (;;) {
      if (!live()) return page;
      for (const obj of page.items) {
        seen.add(keyOf(obj));
        this.upsert(obj);
      }
      const next = continueOf(page);
      if (!next) break;
      page = await this.listFn({ limit, _continue: next });
    }
    for (const obj of this.list()) if (!seen.has(keyOf(obj))) this.remove(obj);
    this.lastEvent = this.clock.now();
    this.healthySince = this.clock.now();
    if (!this.hasSyncedOnce) {
      this.hasSyncedOnce = true;
      this.markSynced();
    }
    for (const resolve of this.listWaiters.splice(0)) resolve();
    this.schedule(this.relistMs, 'relist');
    return page;
  }

  private fail(err: unknown): void {
    // A connection that stayed up longer than the longest backoff counts as recovered.
    if (this.healthySince !== undefined && this.clock.now() - this.healthySince > this.backoff(Number.MAX_SAFE_INTEGER)) {
      this.failures = 0;
    }
    this.healthySince = undefined;
    const delay = this.backoff(this.failures++);
    this.log.warn('informer lost its watch; reconnecting', { path: this.path, error: errorMessage(err), retryInMs: Math.round(delay) });
    this.disconnect();
    this.schedule(delay, 'reconnect');
  }

  private schedule(ms: number, why: 'relist' | 'reconnect'): void {
    this.clock.clearTimeout(this.timer);
    if (ms <= 0) return;
    this.timer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.log.debug(`informer ${why}`, { path: this.path });
      this.disconnect();
      this.connect();
    }, ms);
  }

  private upsert(raw: T): void {
    const obj = this.opts.transform ? this.opts.transform(raw) : raw;
    const { namespace = '', name = '' } = obj.metadata ?? {};
    let byName = this.objects.get(namespace);
    if (!byName) this.objects.set(namespace, (byName = new Map()));
    const old = byName.get(name);
    // Relists and reconnects replay objects we already hold; only real changes are events.
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    byName.set(name, obj);
    for (const index of this.indexes.values()) {
      if (old) indexRemove(index, old);
      indexAdd(index, obj);
    }
    this.emit(old ? 'update' : 'add', obj, old);
  }

  private remove(obj: T): void {
    const { namespace = '', name = '' } = obj.metadata ?? {};
    const byName = this.objects.get(namespace);
    const old = byName?.get(name);
    if (!byName || !old) return;
    byName.delete(name);
    if (byName.size === 0) this.objects.delete(namespace);
    for (const index of this.indexes.values()) indexRemove(index, old);
    this.emit('delete', obj, old);
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const handler of this.handlers[event]) {
      try {
        handler(obj, old);
      } catch (err) {
        this.log.error('informer event handler threw', { path: this.path, event, error: errorMessage(err) });
      }
    }
  }
}

/** client-node's typed lists name it `_continue`; a custom resource list is plain JSON. */
function continueOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta = list.metadata as { _continue?: string; continue?: string } | undefined;
  return meta?._continue || meta?.continue || undefined;
}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function indexAdd<T extends KubernetesObject>(index: Index<T>, obj: T): void {
  for (const key of index.keysOf(obj)) {
    let bucket = index.entries.get(key);
    if (!bucket) index.entries.set(key, (bucket = new Map()));
    bucket.set(keyOf(obj), obj);
  }
}

function indexRemove<T extends KubernetesObject>(index: Index<T>, obj: T): void {
  for (const key of index.keysOf(obj)) {
    const bucket = index.entries.get(key);
    bucket?.delete(keyOf(obj));
    if (bucket?.size === 0) index.entries.delete(key);
  }
}
