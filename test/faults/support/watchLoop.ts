// The observer's own list+watch: deliberately not the operator's informer, so a bug in
// that informer cannot hide itself from the test. It must outlive what the faults do to
// the API server (restarts, dropped connections): a watch that ends is resumed from the
// last resourceVersion seen, so the API server replays every event in between and no
// state of a Job is skipped; only a 410 (history gone) forces a relist, which is counted.
import { type KubernetesObject, Watch } from '@kubernetes/client-node';
import type { KubeClients } from '../../../src/kube/client.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchLoopHandlers<T> {
  /** A full list: the truth as of `resourceVersion`, replacing all that was known. */
  listed(items: T[], resourceVersion: string): void;
  event(type: WatchEventType, obj: T): void;
}

type Lister<T> = () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;

const RETRY_MS = [100, 250, 500, 1_000, 2_000];

export class WatchLoop<T extends KubernetesObject> {
  /** Times the history was lost (410) and everything listed again. */
  relists = 0;
  /** Watches that ended and were resumed. */
  resumed = 0;
  private rv = '';
  private stopped = false;
  private failures = 0;
  private request?: AbortController;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kube: KubeClients,
    private readonly path: string,
    private readonly list: Lister<T>,
    private readonly handlers: WatchLoopHandlers<T>,
  ) {}

  /** Resolves after the first list; the watch then runs until stop(). */
  async start(): Promise<void> {
    await this.relist();
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.request?.abort();
  }

  private async relist(): Promise<void> {
    const list = await this.list();
    this.rv = list.metadata?.resourceVersion ?? '';
    this.handlers.listed(list.items, this.rv);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let expired = false;
    const done = (err: unknown) => {
      if ((err as { statusCode?: number } | null)?.statusCode === 410) expired = true;
      this.failures = err ? this.failures + 1 : 0;
      this.again(expired);
    };
    try {
      // The server ends each watch after timeoutSeconds: a connection that silently died
      // cannot hold the observer forever.
      this.request = await new Watch(this.kube.config).watch(this.path, { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: 30 },
        (type: string, obj: T & { code?: number }) => {
          if (type === 'ERROR') {
            if (obj.code === 410) expired = true;
            return;
          }
          this.rv = obj.metadata?.resourceVersion ?? this.rv;
          if (type !== 'BOOKMARK') this.handlers.event(type as WatchEventType, obj);
        }, done);
    } catch (err) {
      done(err);
    }
  }

  private again(expired: boolean): void {
    if (this.stopped) return;
    // A lost history is relisted at once; anything else (and a failing relist) backs off.
    const delay = expired && this.failures === 0 ? 0 : RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)]!;
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      if (!expired) {
        this.resumed++;
        void this.watch();
        return;
      }
      this.relists++;
      this.relist().then(() => this.watch(), () => {
        this.failures++;
        this.again(true);
      });
    }, delay);
  }
}
