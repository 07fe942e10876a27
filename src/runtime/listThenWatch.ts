// One connection of an informer: list, then watch from the list's resourceVersion, and
// keep watching from the last event's; a 410 (the version is too old) lists again.
//
// This is client-node's ListWatch loop without its cache. ListWatch keeps every object it
// sees in a map of its own, beside the informer's: each watched object was held twice,
// the raw one (managedFields and all) next to the informer's trimmed copy, and 10,000
// queued Jobs cost twice the memory they need.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { GuardedWatch } from './guardedWatch.js';

export interface ListThenWatchHandlers<T extends KubernetesObject> {
  /** Lists and brings the cache up to date with the list. */
  list: () => Promise<KubernetesListObject<T>>;
  upsert: (obj: T) => void;
  remove: (obj: T) => void;
  /** The loop stopped for good on this error; the informer starts a new connection. */
  error: (err: unknown) => void;
}

const isGone = (err: unknown): boolean => {
  const e = err as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode === 410 || e?.code === 410;
};

export class ListThenWatch<T extends KubernetesObject> {
  private resourceVersion = '';
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly watch: GuardedWatch,
    private readonly h: ListThenWatchHandlers<T>,
    private readonly labelSelector?: string,
  ) {}

  /** Lists and opens the watch; rejects if the list fails. */
  start(): Promise<void> {
    return this.round();
  }

  /** No more events or rounds; the caller closes the watch itself. */
  stop(): void {
    this.stopped = true;
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    if (!this.resourceVersion) {
      const list = await this.h.list();
      if (this.stopped) return;
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
    }
    const query: Record<string, string> = { resourceVersion: this.resourceVersion };
    if (this.labelSelector !== undefined) query.labelSelector = this.labelSelector;
    await this.watch.watch(this.path, query, (phase, obj) => this.event(phase, obj as T), (err) => this.done(err));
  }

  private event(phase: string, obj: T): void {
    if (this.stopped) return;
    switch (phase) {
      case 'ADDED':
      case 'MODIFIED':
        this.h.upsert(obj);
        break;
      case 'DELETED':
        this.h.remove(obj);
        break;
      case 'ERROR':
        // A Status, not an object. 410: the watch ends next, and the next round lists.
        if ((obj as { code?: number }).code === 410) this.resourceVersion = '';
        return;
      default: // BOOKMARK: only its resourceVersion matters
    }
    this.resourceVersion = obj.metadata?.resourceVersion ?? this.resourceVersion;
  }

  /** A watch that ended cleanly (the server's timeout) is opened again where it left off. */
  private done(err: unknown): void {
    if (this.stopped) return;
    if (err && !isGone(err)) {
      this.h.error(err);
      return;
    }
    if (err) this.resourceVersion = '';
    this.round().catch((e: unknown) => { if (!this.stopped) this.h.error(e); });
  }
}
