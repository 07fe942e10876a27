// The WorkerPool status fields and UTIL printer column.
import { summarizePool } from '../../../src/core/poolStatus.js';
import type { PoolPolicy } from '../../../src/core/types.js';

const policy = (maxWorkers: number, paused = false): PoolPolicy => ({
  maxWorkers,
  paused,
  sourceLimits: {},
  overlap: 'Forbid',
});

test.each([
  { case: 'idle pool', max: 3, active: 0, queued: 0, utilization: '0%', saturated: false },
  { case: 'rounds to a whole percent', max: 3, active: 2, queued: 0, utilization: '67%', saturated: false },
  { case: 'rounds down below .5', max: 3, active: 1, queued: 0, utilization: '33%', saturated: false },
  { case: 'full with nothing waiting is not saturated', max: 2, active: 2, queued: 0, utilization: '100%', saturated: false },
  { case: 'full with work waiting is saturated', max: 2, active: 2, queued: 1, utilization: '100%', saturated: true },
  { case: 'free slot with work waiting is not saturated', max: 4, active: 3, queued: 5, utilization: '75%', saturated: false },
  { case: 'over the cap after lowering it', max: 2, active: 3, queued: 1, utilization: '150%', saturated: true },
  { case: 'cap 0, nothing running', max: 0, active: 0, queued: 0, utilization: '0%', saturated: false },
  { case: 'cap 0 with queued work', max: 0, active: 0, queued: 2, utilization: '0%', saturated: true },
  { case: 'cap 0 with runs still running', max: 0, active: 2, queued: 0, utilization: '100%', saturated: false },
])('$case', ({ max, active, queued, utilization, saturated }) => {
  expect(summarizePool(policy(max), active, queued)).toEqual({ active, queued, utilization, saturated });
});

test('pausing alone does not make a pool with free slots saturated', () => {
  expect(summarizePool(policy(5, true), 1, 4)).toEqual({ active: 1, queued: 4, utilization: '20%', saturated: false });
});
