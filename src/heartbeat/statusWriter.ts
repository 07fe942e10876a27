// Shows heartbeats on the SyncTask (status.lastHeartbeat, progress, progressMessage),
// throttled: workers may beat every few seconds, and each write is an etcd write and a
// watch event for every informer of SyncTasks. A run's first heartbeat is written at
// once (the user sees the sync alive); later ones are coalesced into at most one write
// per task per interval, carrying the latest values. Staleness is judged from the
// heartbeat store, never from this status, so a dropped write costs only freshness.
import type { HeartbeatFields } from '../kube/heartbeatStatus.js';
import { type Clock, errorMessage, type Logger } from '../runtime/clock.js';
import type { Run, RunLookup } from './runs.js';

/** One heartbeat as received: the receiving operator's time, and what the worker said. */
export interface Beat {
  atMs: number;
  progress?: number;
  message?: string;
}

export interface StatusWriterOptions {
  /** The patch; its failure is logged and dropped (the next heartbeat retries). */
  write: (namespace: string, task: string, fields: HeartbeatFields) => Promise<void>;
  /** Checked before a trailing write: a run that ended meanwhile is not written. */
  runs: { runOf(namespace: string, podName: string, podUid: string): Promise<RunLookup> };
  clock: Clock;
  log: Logger;
  /** Default 30 s. */
  minIntervalMs?: number;
}

/** A task written to within the last interval: its run, what waits, the interval's end. */
interface Slot {
  jobUid: string;
  pending?: { run: Run; beat: Beat };
  timer: unknown;
}

export class HeartbeatStatusWriter {
  private readonly slots = new Map<string, Slot>();
  /** The last write of each task, so writes of one task land in order. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly minIntervalMs: number;
  private stopped = false;

  constructor(private readonly o: StatusWriterOptions) {
    this.minIntervalMs = o.minIntervalMs ?? 30_000;
  }

  offer(run: Run, beat: Beat): void {
    if (this.stopped) return;
    const key = `${run.namespace}/${run.task}`;
    const slot = this.slots.get(key);
    if (slot?.jobUid === run.jobUid) {
      // Within the interval: keep the latest, remembering what the latest did not say.
      const before = slot.pending?.beat;
      slot.pending = { run, beat: { ...beat, progress: beat.progress ?? before?.progress, message: beat.message ?? before?.message } };
      return;
    }
    // The run's first heartbeat here (a new attempt replaces the last one's pending values).
    if (slot) this.o.clock.clearTimeout(slot.timer);
    this.slots.set(key, { jobUid: run.jobUid, timer: this.arm(key) });
    this.write(key, run, beat);
  }

  /** Cancels pending writes; resolves when the writes under way have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) this.o.clock.clearTimeout(slot.timer);
    this.slots.clear();
    await Promise.all(this.tails.values());
  }

  private arm(key: string): unknown {
    return this.o.clock.setTimeout(() => void this.intervalEnded(key), this.minIntervalMs);
  }

  private async intervalEnded(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) return;
    const pending = slot.pending;
    if (!pending) {
      // A whole interval without a heartbeat: forget the task; its next one is written at once.
      this.slots.delete(key);
      return;
    }
    slot.pending = undefined;
    slot.timer = this.arm(key);
    const { run } = pending;
    const live = await this.o.runs.runOf(run.namespace, run.podName, run.podUid).catch(() => undefined);
    // stop(), or a new run of the task, may have come while we asked.
    if (this.stopped || this.slots.get(key) !== slot) return;
    if (!live?.ok || live.run.jobUid !== run.jobUid) {
      this.o.log.debug('heartbeat status dropped: the run is over', { namespace: run.namespace, task: run.task, attempt: run.attempt });
      this.o.clock.clearTimeout(slot.timer);
      this.slots.delete(key);
      return;
    }
    this.write(key, run, pending.beat);
  }

  private write(key: string, run: Run, beat: Beat): void {
    const fields: HeartbeatFields = { lastHeartbeat: new Date(beat.atMs).toISOString() };
    if (beat.progress !== undefined) fields.progress = beat.progress;
    if (beat.message !== undefined) fields.progressMessage = beat.message;
    const next = (this.tails.get(key) ?? Promise.resolve())
      .then(() => this.o.write(run.namespace, run.task, fields))
      .catch((err: unknown) => {
        // Only the error, never the fields: a message is the worker's free text.
        this.o.log.debug('heartbeat status write failed; the next heartbeat retries', {
          namespace: run.namespace, task: run.task, attempt: run.attempt, error: errorMessage(err),
        });
      });
    this.tails.set(key, next);
    void next.then(() => { if (this.tails.get(key) === next) this.tails.delete(key); });
  }
}
