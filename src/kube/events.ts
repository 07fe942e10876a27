// Events (events.k8s.io/v1) for the decisions a user should see in `kubectl describe`:
// admitted, handed back to the queue, rejected, cancelled, failed, Job lost, invalid pool
// (which ones a task's status change is worth: controller/tasks/events.ts).
//
// Emitting never blocks or fails a reconcile: events go through a bounded queue drained
// by one writer. Repeats of the same event on the same object (same reason and note)
// within ten minutes become one Event whose `series` counts them, written at most every
// 30 s, so even a controller that re-emits every cycle writes O(objects) events, not
// O(cycles × objects). When the queue overflows, the oldest events are dropped and counted.
import { V1MicroTime } from '@kubernetes/client-node';
import { type Clock, errorMessage, type Logger, silentLogger, wallClock } from '../runtime/clock.js';
import { type KubeClients, mergePatch } from './client.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface EventInput {
  regarding: ObjectRef;
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. Admitted. */
  reason: string;
  /** What was done, e.g. Admit, Reject. */
  action: string;
  /** For a person; never task parameters or secrets. */
  note: string;
}

export interface EventSink {
  emit(event: EventInput): void;
}

export const noEvents: EventSink = { emit() {} };

let sequence = 0;
const uniqueSuffix = (nowMs: number) => `${nowMs.toString(16)}${(sequence++ % 0x10000).toString(16).padStart(4, '0')}${Math.floor(Math.random() * 0xffff).toString(16)}`;

export const REPORTING_CONTROLLER = 'syncpool.dev/operator';
const MAX_NOTE = 1024;

interface Series {
  name?: string;
  namespace: string;
  count: number;
  lastObservedMs: number;
  writtenCount: number;
  lastWriteMs: number;
}

type Job = { kind: 'create'; key: string; event: EventInput } | { kind: 'series'; key: string };

export interface RecorderOptions {
  instance: string;
  log?: Logger;
  clock?: Clock;
  maxQueue?: number;
  seriesIntervalMs?: number;
  forgetAfterMs?: number;
  /** Told of every write and every Event dropped (for syncpool_events_total). */
  onWrite?: (outcome: EventWriteOutcome) => void;
}

/** What became of an Event: created, its series updated, its write failed, or dropped from a full queue. */
export type EventWriteOutcome = 'created' | 'updated' | 'failed' | 'dropped';

export class EventRecorder implements EventSink {
  private readonly series = new Map<string, Series>();
  private readonly queue: Job[] = [];
  private readonly queued = new Set<string>();
  private draining = false;
  private closed = false;
  dropped = 0;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly kube: KubeClients, private readonly o: RecorderOptions) {
    this.log = o.log ?? silentLogger;
    this.clock = o.clock ?? wallClock;
  }

  emit(event: EventInput): void {
    if (this.closed) return;
    const now = this.clock.now();
    const key = [event.regarding.namespace, event.regarding.kind, event.regarding.name, event.regarding.uid, event.reason, event.note].join('\u0000');
    this.prune(now);
    const known = this.series.get(key);
    if (known) {
      known.count += 1;
      known.lastObservedMs = now;
      // Kept in order of last observation, so that pruning stops at the first fresh one.
      this.series.delete(key);
      this.series.set(key, known);
      if (known.name && now - known.lastWriteMs >= (this.o.seriesIntervalMs ?? 30_000)) this.enqueue({ kind: 'series', key });
      return;
    }
    this.series.set(key, { namespace: event.regarding.namespace, count: 1, lastObservedMs: now, writtenCount: 0, lastWriteMs: now });
    this.enqueue({ kind: 'create', key, event });
  }

  /** Writes what is queued; later emits are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await new Promise((r) => setTimeout(r, 10));
  }

  private enqueue(job: Job): void {
    const id = `${job.kind}:${job.key}`;
    if (this.queued.has(id)) return;
    if (this.queue.length >= (this.o.maxQueue ?? 1000)) {
      const oldest = this.queue.shift()!;
      this.queued.delete(`${oldest.kind}:${oldest.key}`);
      this.dropped += 1;
      this.o.onWrite?.('dropped');
    }
    this.queue.push(job);
    this.queued.add(id);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        this.queued.delete(`${job.kind}:${job.key}`);
        try {
          await (job.kind === 'create' ? this.create(job.key, job.event) : this.updateSeries(job.key));
        } catch (err) {
          this.o.onWrite?.('failed');
          this.log.debug('event not written', { error: errorMessage(err) });
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async create(key: string, e: EventInput): Promise<void> {
    const s = this.series.get(key);
    const created = await this.kube.events.createNamespacedEvent({
      namespace: e.regarding.namespace,
      body: {
        // client-go's naming: the object, then a unique suffix (generateName would end in '.').
        metadata: { name: `${e.regarding.name.slice(0, 200)}.${uniqueSuffix(this.clock.now())}` },
        eventTime: new V1MicroTime(this.clock.now()) as unknown as Date,
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: this.o.instance,
        regarding: e.regarding,
        type: e.type,
        reason: e.reason,
        action: e.action,
        note: e.note.length > MAX_NOTE ? `${e.note.slice(0, MAX_NOTE - 1)}…` : e.note,
      },
    });
    this.o.onWrite?.('created');
    if (!s) return;
    s.name = created.metadata?.name;
    s.writtenCount = 1;
    s.lastWriteMs = this.clock.now();
    if (s.count > 1) this.enqueue({ kind: 'series', key });
  }

  private async updateSeries(key: string): Promise<void> {
    const s = this.series.get(key);
    if (!s?.name || s.count === s.writtenCount) return;
    const count = s.count;
    await this.kube.events.patchNamespacedEvent({
      namespace: s.namespace, name: s.name,
      body: { series: { count, lastObservedTime: new V1MicroTime(s.lastObservedMs) } },
    }, mergePatch);
    this.o.onWrite?.('updated');
    s.writtenCount = count;
    s.lastWriteMs = this.clock.now();
  }

  /**
   * Series nobody repeated for a while are forgotten (a repeat after that is a new Event),
   * so memory follows live objects. The map is in order of last observation: only the
   * forgotten ones at its head are looked at, not every series on every emit.
   */
  private prune(now: number): void {
    const forget = this.o.forgetAfterMs ?? 10 * 60_000;
    for (const [key, s] of this.series) {
      if (now - s.lastObservedMs < forget) return;
      this.series.delete(key);
    }
  }
}
