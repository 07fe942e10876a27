// Simulated time: moves only when the schedule says so. It is the reconcilers' `now`
// and the work queues' timer source (rate-limited retries, requeueAfter), so a delayed
// key comes back exactly when the schedule advances past its instant.
import type { Clock } from '../../../../src/runtime/clock.js';

export const T0 = Date.parse('2026-03-02T09:00:00Z');

export class SimClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = T0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  date(): Date {
    return new Date(this.time);
  }

  iso(): string {
    return new Date(this.time).toISOString();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers.values()) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** Moves time forward, firing due timers in time order (they only add keys to queues). */
  advance(ms: number): void {
    const end = this.time + Math.max(0, ms);
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}
