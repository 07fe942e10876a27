// A Metrics that writes down every call, for the unit tests' assertions.
import type { Metrics } from '../../../src/metrics/hooks.js';

export class RecordingMetrics implements Metrics {
  readonly calls: string[] = [];

  runFinished(run: { pool: string; source: string; syncType: string }, outcome: string, durationSeconds?: number): void {
    this.calls.push(`finished ${run.pool} ${run.source}/${run.syncType} ${outcome}${durationSeconds === undefined ? '' : ` ${durationSeconds}s`}`);
  }

  runEnded(pool: { pool: string }, reason: string): void {
    this.calls.push(`ended ${pool.pool} ${reason}`);
  }

  retried(pool: { pool: string }): void {
    this.calls.push(`retried ${pool.pool}`);
  }

  admitted(job: { metadata?: { name?: string } }, _atMs?: number): void {
    this.calls.push(`admitted ${job.metadata?.name}`);
  }

  reconciled(): void {}

  apiRequest(): void {}

  eventWrite(): void {}

  heartbeat(result: string): void {
    this.calls.push(`heartbeat ${result}`);
  }

  /** The calls of one kind (`finished`, `ended`, `retried`, …). */
  of(kind: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${kind} `));
  }
}
