// Why a run waits, in words: the admission plan's reason codes with the numbers that
// make them concrete.
import type { PoolView, QueueEntry } from '../views/index.js';

export function waitWords(entry: Pick<QueueEntry, 'reason' | 'source' | 'syncType'>, pool: PoolView): string {
  switch (entry.reason) {
    case 'PoolFull': return pool.maxWorkers === 1 ? `the only slot of pool ${pool.name} is busy` : `all ${pool.maxWorkers} slots of pool ${pool.name} are busy`;
    case 'SourceLimit': return `source ${entry.source} is at its limit of ${pool.sourceLimits[entry.source] ?? '?'} running`;
    case 'Overlap': return `another ${entry.source}/${entry.syncType} run is running (overlap: Forbid)`;
    case 'PoolPaused': return `pool ${pool.name} is paused`;
    case 'Admitting': return 'a slot is free: being admitted now';
    case 'PoolInvalid': return `pool ${pool.name}: ${pool.message}`;
    default: return entry.reason;
  }
}
