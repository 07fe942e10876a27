// When each Job of the measured pools was first seen admitted and first seen finished,
// through our own watch (never the operator's word). The watch selects the measured
// pools by label, so a crowd of other pools' Jobs costs it nothing, and each event is
// O(1): latency must not include the observer's own work.
import { type V1Job, Watch } from '@kubernetes/client-node';
import { isFinished, jobState } from '../src/jobs/classify.js';
import { LABEL_POOL } from '../src/jobs/labels.js';
import type { KubeClients } from '../src/kube/client.js';

export class JobTimes {
  readonly admittedAt = new Map<string, number>();
  readonly finishedAt = new Map<string, number>();
  /** Jobs admitted and not yet finished, in the watch's own event order. */
  active = 0;
  /** The most `active` ever was since the last `startOccupancy()`: the cap check. */
  peakActive = 0;
  /** Slot-milliseconds busy since `startOccupancy()`, for the mean slots busy. */
  private busySlotMs = 0;
  private lastChangeAt = 0;
  private occupancyFrom = 0;
  /** Called with each Job's name when first seen finished (the oracle admits from here). */
  onFinished?: (job: string) => void;
  private request?: { abort(): void };
  private stopped = false;
  private resourceVersion?: string;

  constructor(private readonly kube: KubeClients, private readonly namespace: string, private readonly pools: string[]) {}

  async start(): Promise<void> {
    const watch = new Watch(this.kube.config);
    const query: Record<string, string> = { labelSelector: `${LABEL_POOL} in (${this.pools.join(',')})` };
    if (this.resourceVersion) query.resourceVersion = this.resourceVersion;
    this.request = await watch.watch(`/apis/batch/v1/namespaces/${this.namespace}/jobs`, query, (type, job: V1Job) => {
      this.resourceVersion = job.metadata?.resourceVersion ?? this.resourceVersion;
      if (type === 'ADDED' || type === 'MODIFIED') this.observe(job);
    }, () => {
      // The server ends watches now and then; pick up where we were.
      if (!this.stopped) void this.start();
    });
  }

  private observe(job: V1Job): void {
    const name = job.metadata!.name!;
    const now = Date.now();
    if (jobState(job) !== 'Queued' && !this.admittedAt.has(name)) {
      this.admittedAt.set(name, now);
      this.occupy(now, +1);
    }
    if (isFinished(job) && !this.finishedAt.has(name)) {
      this.finishedAt.set(name, now);
      this.occupy(now, -1);
      this.onFinished?.(name);
    }
  }

  private occupy(now: number, change: number): void {
    this.busySlotMs += this.active * (now - this.lastChangeAt);
    this.lastChangeAt = now;
    this.active += change;
    this.peakActive = Math.max(this.peakActive, this.active);
  }

  /** Starts counting peak and busy slots from now (e.g. when a paused pool is let go). */
  startOccupancy(): void {
    this.busySlotMs = 0;
    this.lastChangeAt = this.occupancyFrom = Date.now();
    this.peakActive = this.active;
  }

  /** Mean slots busy from `startOccupancy()` until `until` (at or after the last change). */
  meanActive(until: number): number {
    const busy = this.busySlotMs + this.active * Math.max(0, until - this.lastChangeAt);
    return busy / Math.max(1, until - this.occupancyFrom);
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }
}
