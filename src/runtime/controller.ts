// Workers that drain a WorkQueue into a reconcile function. This is the one place
// that turns a reconcile's outcome into queue actions, so every controller retries,
// backs off and requeues the same way.
import { type Clock, errorMessage, type Logger, silentLogger, wallClock } from './clock.js';
import { WorkQueue } from './workqueue.js';

/** What a reconcile may ask for besides success: another look after a delay. */
export type Result = { requeueAfterMs?: number };
export type Reconcile = (key: string) => Promise<Result | void>;
export type Outcome = 'success' | 'error' | 'requeue';

/**
 * An error that retrying cannot fix (invalid input, a bug): logged and dropped instead
 * of retried with backoff. The key comes back with the next change to its object.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ControllerOptions {
  /** Used in logs and metrics labels. */
  name: string;
  reconcile: Reconcile;
  /** The queue its event handlers add to; a fresh one if omitted. */
  queue?: WorkQueue;
  /** Keys reconciled in parallel; a key is never reconciled twice at once. Default 1. */
  workers?: number;
  log?: Logger;
  /** Metrics hook, called after every reconcile. */
  onReconcile?: (durationMs: number, outcome: Outcome) => void;
  clock?: Clock;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly workerCount: number;
  private readonly log: Logger;
  private readonly clock: Clock;
  private running: Promise<void>[] = [];

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.queue = opts.queue ?? new WorkQueue();
    this.workerCount = Math.max(1, opts.workers ?? 1);
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? wallClock;
  }

  /** Starts the workers; keys added before start() are processed now. */
  start(): void {
    if (this.running.length > 0) return;
    for (let i = 0; i < this.workerCount; i++) this.running.push(this.work());
  }

  /** Shuts the queue down and resolves once every in-flight reconcile has finished. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.process(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async process(key: string): Promise<void> {
    const started = this.clock.now();
    let outcome: Outcome;
    try {
      const result = await this.opts.reconcile(key);
      // A successful pass resets the key's backoff, whatever it asks for next.
      this.queue.forget(key);
      if (result && result.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        outcome = 'requeue';
      } else {
        outcome = 'success';
      }
    } catch (err) {
      outcome = 'error';
      const meta = { controller: this.name, key, error: errorMessage(err) };
      if (err instanceof TerminalError) {
        this.queue.forget(key);
        this.log.error('reconcile failed for good; not retrying', meta);
      } else {
        this.queue.addRateLimited(key);
        this.log.warn('reconcile failed; retrying with backoff', { ...meta, retries: this.queue.numRequeues(key) });
      }
    }
    try {
      this.opts.onReconcile?.(this.clock.now() - started, outcome);
    } catch (err) {
      // A broken metrics hook must not stop the worker.
      this.log.warn('onReconcile hook threw', { controller: this.name, error: errorMessage(err) });
    }
  }
}
