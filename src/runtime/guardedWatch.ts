// client-node's Watch, made safe to abandon and to loop on:
// - ListWatch.stop() cannot abort a watch whose response headers have not arrived yet
//   (it only holds the AbortController once watch() resolves), so that stream would
//   live on and keep delivering events; close() here aborts it whenever it arrives.
// - Watch.watch() rejects instead of calling `done` when building the request fails
//   (e.g. a kubeconfig auth plugin error); ListWatch does not catch that, which would
//   end in an unhandled rejection and a silently dead informer.
// - ListWatch re-watches at once, without backoff, whenever a watch ends cleanly; a
//   server or proxy that closes every watch at once would make that a busy loop, each
//   turn with a new https.Agent in client-node 1.4. Watches here start at most once
//   per `minIntervalMs`.
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { type Clock, sleep, wallClock } from './clock.js';

type WatchCallback = Parameters<Watch['watch']>[2];

export class GuardedWatch extends Watch {
  private readonly open = new Set<AbortController>();
  private closed = false;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    config: KubeConfig,
    /** Called for every line the watch delivers, before it is applied. */
    private readonly onLine: () => void = () => {},
    private readonly minIntervalMs = 1_000,
    private readonly clock: Clock = wallClock,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const wait = this.lastStart + this.minIntervalMs - this.clock.now();
    if (wait > 0) await sleep(this.clock, wait);
    this.lastStart = this.clock.now();
    if (this.closed) return new AbortController();
    let ended = false;
    let controller: AbortController | undefined;
    try {
      controller = await super.watch(path, queryParams, (phase, obj, raw) => {
        this.onLine();
        callback(phase, obj, raw);
      }, (err) => {
        ended = true;
        if (controller) this.open.delete(controller);
        done(err);
      });
    } catch (err) {
      done(err);
      return new AbortController();
    }
    if (this.closed) controller.abort();
    else if (!ended) this.open.add(controller);
    return controller;
  }

  close(): void {
    this.closed = true;
    for (const controller of this.open) controller.abort();
    this.open.clear();
  }
}
