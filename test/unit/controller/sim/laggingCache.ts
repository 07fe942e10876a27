// An informer's cache that lags behind the truth. It receives every change of its kind
// through a queue, as a watch does: in order, but as late as the schedule likes. A
// relist replaces it with the truth at once (a consistent snapshot, as a list call
// returns), emitting what changed, like ResilientInformer.listAndReplace.
//
// Objects handed out are frozen (the store's own): a reconciler that mutates what it
// read from a cache would corrupt every other reader's view, and here it throws instead.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IndexedCache } from '../../../../src/controller/indexes.js';
import type { InformerEvent, InformerHandler } from '../../../../src/runtime/informer.js';
import { deepFreeze, type Store, type WatchEvent } from './cluster.js';

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;


export class LaggingCache<T extends KubernetesObject> implements IndexedCache<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, { keysOf: (o: T) => string[]; entries: Map<string, Map<string, T>> }>();
  private readonly handlers: Record<InformerEvent, InformerHandler<T>[]> = { add: [], update: [], delete: [] };
  private pending: WatchEvent<T>[] = [];
  private readonly unwatch: () => void;

  constructor(private readonly source: Store<T>) {
    this.unwatch = source.watch((e) => this.pending.push(e));
  }

  get kind(): string {
    return this.source.kind;
  }

  addIndex(name: string, keysOf: (o: T) => string[]): void {
    this.indexes.set(name, { keysOf, entries: new Map() });
    for (const o of this.objects.values()) this.indexAdd(name, o);
  }

  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].push(handler);
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  byIndex(index: string, key: string): T[] {
    const i = this.indexes.get(index);
    if (!i) throw new Error(`cache ${this.kind} has no index ${index}`);
    return [...(i.entries.get(key)?.values() ?? [])];
  }

  /** Watch events the truth has published that this cache has not applied yet. */
  get lag(): number {
    return this.pending.length;
  }

  /** Applies the next `n` watch events in order; returns them. */
  deliver(n = Infinity): WatchEvent<T>[] {
    const batch = this.pending.splice(0, n);
    for (const e of batch) {
      if (e.type === 'delete') this.remove(e.obj);
      else this.upsert(e.obj);
    }
    return batch;
  }

  /** Applies only the pending events that match (an out-of-order delivery, for one deterministic test). */
  deliverWhere(match: (e: WatchEvent<T>) => boolean): WatchEvent<T>[] {
    const picked = this.pending.filter(match);
    this.pending = this.pending.filter((e) => !match(e));
    for (const e of picked) {
      if (e.type === 'delete') this.remove(e.obj);
      else this.upsert(e.obj);
    }
    return picked;
  }

  /** Replaces the cache with the truth as it is now; pending events are superseded. */
  relist(): void {
    this.pending = [];
    const list = this.source.snapshot();
    const seen = new Set(list.map(keyOf));
    for (const o of [...this.objects.values()]) if (!seen.has(keyOf(o))) this.remove(o);
    for (const o of list) this.upsert(o);
  }

  /** Stops listening (the operator that owned it is gone). */
  close(): void {
    this.unwatch();
    this.pending = [];
  }

  private upsert(obj: T): void {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    // As the informer does: a replayed object we already hold is not an event.
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    deepFreeze(obj);
    if (old) for (const name of this.indexes.keys()) this.indexRemove(name, old);
    this.objects.set(key, obj);
    for (const name of this.indexes.keys()) this.indexAdd(name, obj);
    this.emit(old ? 'update' : 'add', obj, old);
  }

  private remove(obj: T): void {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    for (const name of this.indexes.keys()) this.indexRemove(name, old);
    this.emit('delete', deepFreeze(obj), old);
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const h of this.handlers[event]) h(obj, old);
  }

  private indexAdd(name: string, obj: T): void {
    const i = this.indexes.get(name)!;
    for (const k of i.keysOf(obj)) {
      let bucket = i.entries.get(k);
      if (!bucket) i.entries.set(k, (bucket = new Map()));
      bucket.set(keyOf(obj), obj);
    }
  }

  private indexRemove(name: string, obj: T): void {
    const i = this.indexes.get(name)!;
    for (const k of i.keysOf(obj)) {
      const bucket = i.entries.get(k);
      bucket?.delete(keyOf(obj));
      if (bucket?.size === 0) i.entries.delete(k);
    }
  }
}
