// Percentiles as the bench prints them: nearest-rank, in whole milliseconds.

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface Percentiles { n: number; p50: number; p90: number; p99: number; max: number }

export function percentiles(ms: number[]): Percentiles {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s.at(-1)! };
}

export const fmt = (p: Percentiles) => `p50=${p.p50} p90=${p.p90} p99=${p.p99} max=${p.max} ms (n=${p.n})`;

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
