// Time, timers and logging as injected dependencies, so the runtime primitives can be
// driven step by step in unit tests instead of waiting on the wall clock.

export interface Clock {
  /** Milliseconds; only differences matter. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// The globals are looked up at call time, so Jest's fake timers drive this clock too.
export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** For durations (lease expiry, deadlines): immune to wall-clock steps (NTP, suspend). */
export const monotonicClock: Clock = { ...wallClock, now: () => performance.now() };

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Structurally what winston's logger offers; the runtime never writes to the console. */
export interface Logger {
  debug(msg: string, meta?: object): void;
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
