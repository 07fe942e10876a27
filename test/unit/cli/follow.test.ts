import { progressLine } from '../../../src/cli/follow.js';
import { job, NOW, pool, state, task } from './state.js';

test('a queued task tells its place and why it waits; a running one its attempt and progress', () => {
  const first = task('first', 'Running');
  const mine = task('mine', 'Queued');
  const cluster = state([pool()], [first, mine], [job(first, { runningFor: 10 }), job(mine)]);
  expect(progressLine(mine, cluster, NOW)).toBe('mine: Queued, position 1 of 1 (the only slot of pool crm is busy)');
  const paused = state([pool({ paused: true })], [first, mine], cluster.jobs);
  expect(progressLine(mine, paused, NOW)).toBe('mine: Queued, position 1 of 1 (pool crm is paused)');
  const heartbeat = task('first', 'Running', { status: { attempt: 2, jobName: 'first-2', progress: 0.25, progressMessage: 'page 1 of 4' } });
  expect(progressLine(heartbeat, cluster, NOW)).toBe('first: Running, attempt 2 as Job first-2, progress 25%: page 1 of 4');
});

test('an ending says how it ended and why', () => {
  const failed = task('x', 'Failed', { status: { message: 'Job x-1 failed (BackoffLimitExceeded: exit code 3)' } });
  expect(progressLine(failed, state([pool()], [failed], []), NOW)).toBe('x: Failed: Job x-1 failed (BackoffLimitExceeded: exit code 3)');
  const fresh = { ...task('y', 'Queued'), status: undefined };
  expect(progressLine(fresh, state([pool()], [fresh], []), NOW)).toBe('y: submitted, waiting for the operator');
});
