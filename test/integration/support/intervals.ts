/** The most intervals [start, end) open at one instant: how many ran concurrently. */
export function peakConcurrency(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([s, e]) => [[s, 1], [e, -1]] as [number, number][])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]); // at a tie, an end comes before a start
  let open = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (open += d));
  return peak;
}
