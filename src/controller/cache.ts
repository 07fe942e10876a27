import type { KubernetesObject } from '@kubernetes/client-node';

/** The read side of an informer, as the reconcilers use it. */
export interface Cache<T extends KubernetesObject> {
  get(namespace: string, name: string): T | undefined;
  list(namespace?: string): T[];
}

export function splitKey(key: string): [namespace: string, name: string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

export const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** etcd revisions are integers in practice; client-go's mutation cache relies on the same. */
function revision(o: KubernetesObject | undefined): bigint {
  try {
    return BigInt(o?.metadata?.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}

/**
 * A cache that also knows what our own writes returned. Without it a reconcile that
 * runs before the watch delivers our last status write decides again from the old
 * status (and, say, overwrites "Cancelled while running" with "cancelled before it
 * started"). Entries are dropped once the informer has caught up.
 */
export class WriteThroughCache<T extends KubernetesObject> implements Cache<T> {
  private readonly written = new Map<string, T>();

  constructor(private readonly inner: Cache<T>) {}

  remember(obj: T): void {
    // The watch may deliver our write before its HTTP answer arrives: then there is
    // nothing to remember, and an entry now would never be dropped.
    const cached = this.inner.get(obj.metadata!.namespace!, obj.metadata!.name!);
    if (cached && revision(cached) >= revision(obj)) return;
    this.written.set(keyOf(obj), obj);
  }

  /**
   * The informer delivered a newer version (or a deletion): our copy is no longer
   * needed. Without this, an object never read again (a finished task) would keep its
   * entry forever.
   */
  observed(obj: T, deleted = false): void {
    const key = keyOf(obj);
    const ours = this.written.get(key);
    if (ours && (deleted || revision(obj) >= revision(ours))) this.written.delete(key);
  }

  /** Entries still held (for tests). */
  get size(): number {
    return this.written.size;
  }

  get(namespace: string, name: string): T | undefined {
    const key = `${namespace}/${name}`;
    const cached = this.inner.get(namespace, name);
    const ours = this.written.get(key);
    if (!ours) return cached;
    if (!cached || revision(cached) >= revision(ours)) {
      // Caught up (or deleted): the informer is the truth again.
      this.written.delete(key);
      return cached;
    }
    return ours;
  }

  list(namespace?: string): T[] {
    return this.inner.list(namespace).map((o) => this.get(o.metadata!.namespace!, o.metadata!.name!) ?? o);
  }
}
