// Every pool's PoolView, kept current by the Job and task caches' events. A view is built
// from the cache indexes the first time its pool is read (one pass over the pool's
// unfinished Jobs and live tasks), then follows each change; the caches call their
// handlers after they have stored the change, so a view always matches its cache.
import type { V1Job } from '@kubernetes/client-node';
import type { PoolSnapshot, TaskObject } from '../../jobs/poolSnapshot.js';
import { errorMessage, type Logger } from '../../runtime/clock.js';
import type { InformerEvent } from '../../runtime/informer.js';
import { splitKey } from '../cache.js';
import { type IndexedCache, LIVE_TASKS_BY_POOL, UNFINISHED_BY_POOL } from '../indexes.js';
import type { EventSource } from '../wiring.js';
import { PoolView, type PoolViewSnapshot } from './poolView.js';

export type WatchedCache<T extends V1Job | TaskObject> = IndexedCache<T> & EventSource<T>;

const EVENTS: readonly InformerEvent[] = ['add', 'update', 'delete'];

export class PoolViews {
  private readonly views = new Map<string, PoolView>();

  constructor(private readonly jobs: WatchedCache<V1Job>, private readonly tasks: WatchedCache<TaskObject>, private readonly log: Logger) {
    for (const event of EVENTS) {
      jobs.on(event, (obj, old) => this.tell(event, obj, old, (view, before, after) => view.jobChanged(before, after)));
      tasks.on(event, (obj, old) => this.tell(event, obj, old, (view, before, after) => view.taskChanged(before, after)));
    }
  }

  /** The pool's view, built from the caches if it has none yet. */
  of(pool: string): PoolView {
    let view = this.views.get(pool);
    if (view) return view;
    const [namespace] = splitKey(pool);
    view = new PoolView(pool, (name) => this.jobs.get(namespace, name));
    // Tasks first: whether a queued Job waits depends on its task.
    for (const task of this.tasks.byIndex(LIVE_TASKS_BY_POOL, pool)) view.taskChanged(undefined, task);
    for (const job of this.jobs.byIndex(UNFINISHED_BY_POOL, pool)) view.jobChanged(undefined, job);
    this.views.set(pool, view);
    return view;
  }

  /** Drops a pool's view (the pool is gone); reading it again builds it anew. */
  forget(pool: string): void {
    this.views.delete(pool);
  }

  /**
   * A change concerns the views of its namespace: a Job's name may be awaited by a task
   * of any pool there, and a view ignores the rest cheaply. A view that fails to follow a
   * change is dropped and built again when next read, rather than left wrong.
   */
  private tell<T extends V1Job | TaskObject>(event: InformerEvent, obj: T, old: T | undefined,
    apply: (view: PoolView, before: T | undefined, after: T | undefined) => void): void {
    const before = event === 'add' ? undefined : (old ?? obj);
    const after = event === 'delete' ? undefined : obj;
    const prefix = `${obj.metadata?.namespace}/`;
    for (const [pool, view] of this.views) {
      if (!pool.startsWith(prefix)) continue;
      try {
        apply(view, before, after);
      } catch (err) {
        this.views.delete(pool);
        this.log.error('pool view failed to follow a change; rebuilding it', { pool, error: errorMessage(err) });
      }
    }
  }
}

const described = (run: { name: string; source: string; syncType: string; priority?: number; enqueuedAtMs?: number }) =>
  JSON.stringify([run.name, run.source, run.syncType, run.priority, run.enqueuedAtMs]);

/**
 * Throws unless a view's snapshot says what the reference snapshot (snapshotPool, over
 * the whole caches) says: the same runs holding slots, the same reserved runs, and the
 * same queue once runs counted as running are set aside (the view keeps those queued).
 * For the simulation and unit tests; the operator does not pay for it.
 */
export function assertSameSnapshot(pool: string, view: PoolViewSnapshot, reference: PoolSnapshot): void {
  const running = new Set(reference.running.map((run) => run.name));
  const queueOf = (runs: Iterable<{ name: string; source: string; syncType: string }>) =>
    [...runs].filter((run) => !running.has(run.name)).map(described).sort();
  const same = (what: string, got: string[], want: string[]) => {
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    throw new Error(`pool view of ${pool} differs from the caches in ${what}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  };
  same('running', view.running.map(described).sort(), reference.running.map(described).sort());
  same('reserved', [...view.reserved].sort(), [...reference.reserved].sort());
  same('queue', queueOf(view.queue.ordered(undefined, 0)), queueOf(reference.queued));
}
