// How the plugin writes times and numbers, as kubectl does: ages like `5m` or `3h20m`,
// `<none>` for a value that is not there. Pure: `now` is an argument.

export const NONE = '<none>';

/** kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration): 90s, 5m30s, 95m, 7h20m, 3d4h, 2y10d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** Time since an RFC 3339 instant, e.g. `5m`; `<none>` without one. */
export function age(since: string | Date | undefined, nowMs: number): string {
  if (since === undefined) return NONE;
  const at = new Date(since).getTime();
  return Number.isFinite(at) ? humanDuration(nowMs - at) : NONE;
}

/** An expected start: `now`, `in 4m`, or `<unknown>`. */
export function eta(startsAtMs: number | undefined, nowMs: number): string {
  if (startsAtMs === undefined) return '<unknown>';
  return startsAtMs - nowMs < 1000 ? 'now' : `in ${humanDuration(startsAtMs - nowMs)}`;
}

/** 0.667 → `67%`. */
export const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** The value as text, `<none>` when missing or empty. */
export function text(value: string | number | boolean | undefined | null): string {
  return value === undefined || value === null || value === '' ? NONE : String(value);
}

/** `n thing` / `n things`. */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `5m ago` or `in 5m`; `<none>` without a time. */
export function relative(at: string | Date | undefined, nowMs: number): string {
  if (at === undefined) return NONE;
  const ms = new Date(at).getTime() - nowMs;
  if (!Number.isFinite(ms)) return NONE;
  return ms > 1000 ? `in ${humanDuration(ms)}` : `${humanDuration(-ms)} ago`;
}
