// The cluster state kept current by watches (the operator's own resilient informers, run
// with the user's credentials): `watch` and `submit --wait` react to events instead of
// polling. A first plain list surfaces a permission or connection problem as one line;
// after that, watches that drop reconnect by themselves.
import type { KubernetesObject } from '@kubernetes/client-node';
import { jobInformer, podInformer, poolInformer, taskInformer } from '../kube/informers.js';
import type { ResilientInformer } from '../runtime/informer.js';
import type { ClusterState } from '../views/index.js';
import { loadState } from './cluster.js';
import { CliError } from './failures.js';
import type { Session } from './session.js';

/** How long change notifications are gathered before listeners hear of them. */
const SETTLE_MS = 50;

export class LiveState {
  private readonly listeners: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastWarning = '';

  private constructor(
    private readonly informers: {
      pools: ResilientInformer<ClusterState['pools'][number]>;
      tasks: ResilientInformer<ClusterState['tasks'][number]>;
      jobs: ResilientInformer<ClusterState['jobs'][number]>;
      pods: ResilientInformer<ClusterState['pods'][number]>;
    },
  ) {}

  static async start(s: Session, { syncTimeoutMs = 60_000 } = {}): Promise<LiveState> {
    await loadState(s); // fails fast, in one line, if the user cannot list these
    const namespace = s.allNamespaces ? undefined : s.namespace;
    let live: LiveState | undefined;
    const log = {
      debug() {}, info() {}, error() {},
      warn: (_msg: string, meta?: object) => { if (live) live.lastWarning = String((meta as { error?: unknown })?.error ?? ''); },
    };
    const opts = { log };
    live = new LiveState({
      pools: poolInformer(s.kube, namespace, opts),
      tasks: taskInformer(s.kube, namespace, opts),
      jobs: jobInformer(s.kube, namespace, opts),
      pods: podInformer(s.kube, namespace, opts),
    });
    const all = Object.values(live.informers) as ResilientInformer<KubernetesObject>[];
    for (const informer of all) {
      for (const event of ['add', 'update', 'delete'] as const) informer.on(event, () => live.changed());
      informer.start();
    }
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new CliError(`could not start watching within ${syncTimeoutMs / 1000}s: ${live.lastWarning || 'no answer'}`)), syncTimeoutMs);
    });
    try {
      await Promise.race([Promise.all(all.map((i) => i.waitForSync())), gaveUp]);
    } catch (err) {
      live.stop();
      throw err;
    } finally {
      clearTimeout(timeout);
    }
    return live;
  }

  state(): ClusterState {
    return {
      pools: this.informers.pools.list(),
      tasks: this.informers.tasks.list(),
      jobs: this.informers.jobs.list(),
      pods: this.informers.pods.list(),
    };
  }

  /** Called (debounced) after any object changed. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const informer of Object.values(this.informers)) informer.stop();
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const listener of this.listeners) listener();
    }, SETTLE_MS);
  }
}
