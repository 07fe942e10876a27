// A clock that moves only when a test says so; timers fire in time order, and the
// promise callbacks they trigger run before the clock moves on.
import type { Clock } from '../../../src/runtime/clock.js';

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time to the earliest pending timer and fires it; false if there is none. */
  async runNext(): Promise<boolean> {
    const at = Math.min(...[...this.timers.values()].map((t) => t.at));
    if (!Number.isFinite(at)) return false;
    await this.advance(at - this.time);
    return true;
  }

  /** Moves time forward by `ms`, firing due timers one by one, each at its own instant. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await flush();
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await flush();
    }
    this.time = end;
    await flush();
  }
}
