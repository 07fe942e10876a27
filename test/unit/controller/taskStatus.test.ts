import { nextTaskStatus } from '../../../src/controller/tasks/status.js';

const T0 = '2026-11-22T10:00:00.000Z';
const T1 = '2026-11-22T10:01:00.000Z';
const cond = (s: ReturnType<typeof nextTaskStatus>, type: string) => s.conditions?.find((c) => c.type === type);

test('a missing pool leaves the task Pending with a condition naming the pool', () => {
  const s = nextTaskStatus(undefined, { kind: 'poolMissing', pool: 'crm' }, T0, 1);
  expect(s.phase).toBe('Pending');
  expect(s.message).toMatch(/WorkerPool crm does not exist/);
  expect(cond(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'PoolNotFound', lastTransitionTime: T0, observedGeneration: 1 });
});

test('queued, then running, then succeeded, keeping earlier timestamps', () => {
  let s = nextTaskStatus(undefined, { kind: 'queued', pool: 'crm', jobName: 't-1', attempt: 1, queuedAt: T0 }, T0, 1);
  expect(s).toMatchObject({ phase: 'Queued', jobName: 't-1', attempt: 1, queuedAt: T0 });
  s = nextTaskStatus(s, { kind: 'job', pool: 'crm', jobName: 't-1', attempt: 1, outcome: { state: 'Running', startedAt: T1 } }, T1, 1);
  expect(s).toMatchObject({ phase: 'Running', startedAt: T1, queuedAt: T0 });
  expect(cond(s, 'Admitted')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
  s = nextTaskStatus(s, { kind: 'job', pool: 'crm', jobName: 't-1', attempt: 1, outcome: { state: 'Succeeded', startedAt: T1, finishedAt: T1 } }, T1, 1);
  expect(s).toMatchObject({ phase: 'Succeeded', finishedAt: T1, message: 'Job t-1 succeeded' });
});

test('a run seen admitted before its Job has a startTime started when it was seen; the startTime coming later writes nothing', () => {
  const queued = nextTaskStatus(undefined, { kind: 'queued', pool: 'crm', jobName: 't-1', attempt: 1, queuedAt: T0 }, T0, 1);
  const running = nextTaskStatus(queued, { kind: 'job', pool: 'crm', jobName: 't-1', attempt: 1, outcome: { state: 'Running' } }, T1, 1);
  expect(running).toMatchObject({ phase: 'Running', startedAt: T1 });
  const later = '2026-11-22T10:01:00.250Z';
  expect(nextTaskStatus(running, { kind: 'job', pool: 'crm', jobName: 't-1', attempt: 1, outcome: { state: 'Running', startedAt: later } }, later, 1)).toEqual(running);
});

test('an unchanged situation produces an identical status (nothing to write)', () => {
  const facts = { kind: 'queued', pool: 'crm', jobName: 't-1', attempt: 1, queuedAt: T0 } as const;
  const once = nextTaskStatus(undefined, facts, T0, 1);
  expect(nextTaskStatus(once, facts, T1, 1)).toEqual(once);
});

test('a disallowed sync type is Rejected with the pool\'s message', () => {
  const s = nextTaskStatus(undefined, { kind: 'notAllowed', message: 'sync a/b is not allowed by WorkerPool crm; it allows: a/c' }, T0, 1);
  expect(s.phase).toBe('Rejected');
  expect(s.message).toBe('sync a/b is not allowed by WorkerPool crm; it allows: a/c');
  expect(cond(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'SyncTypeNotAllowed' });
});

test('a failed Job carries the reason into the task message', () => {
  const s = nextTaskStatus(undefined, { kind: 'job', pool: 'crm', jobName: 't-1', attempt: 1, outcome: { state: 'Failed', reason: 'DeadlineExceeded', message: 'too long', finishedAt: T1 } }, T1, 1);
  expect(s).toMatchObject({ phase: 'Failed', message: 'Job t-1 failed (DeadlineExceeded: too long)', finishedAt: T1 });
});

test('a pool template the API server refuses keeps the task Pending with the server\'s reason', () => {
  const s = nextTaskStatus(undefined, { kind: 'templateInvalid', pool: 'crm', message: 'quantities must match the regular expression' }, T0, 1);
  expect(s.phase).toBe('Pending');
  expect(s.message).toBe("WorkerPool crm's template makes an invalid Job, so the task waits for the pool to be fixed: quantities must match the regular expression");
  expect(cond(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidTemplate' });
});
