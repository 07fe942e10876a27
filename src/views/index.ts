// Read models shared by the status page (src/web) and the kubectl plugin (src/cli).
export { byPool, type ClusterState, type PoolContents, type PoolObject, type TaskObject } from './cluster.js';
export { estimateStarts, type ExpectedDuration, recentDurations, type StartEstimate } from './eta.js';
export { loadOf, type PoolLoad } from './load.js';
export { type PoolDetail, type PoolState, type PoolView, stateOf, summaryOf, viewPool, viewPools, type ViewOptions } from './pools.js';
export { type QueueEntry, type QueueReason, queueOf } from './queue.js';
export { type PoolWithStarts, viewPoolWithStarts } from './queueStarts.js';
export { type FinishedRun, jobRunMs, recentOutcomes, runningOf, type RunningRun } from './runs.js';
