// What a task's status change counts: each final outcome, ended run and retry once, on
// the change that records it, and nothing for a status written again unchanged.
import type { SyncTask } from '../../../src/api/types.js';
import type { FinishedRun, TaskFacts, TaskStatus } from '../../../src/controller/tasks/status.js';
import { countTaskTransition } from '../../../src/metrics/taskTransitions.js';
import { RecordingMetrics } from './recorder.js';

const oneShot = { apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', metadata: { namespace: 'ns', name: 't', uid: 'u' },
  spec: { pool: 'p', source: 'hubspot', syncType: 'contacts' } } as SyncTask;
const periodic = { ...oneShot, spec: { ...oneShot.spec, schedule: '*/5 * * * *' } } as SyncTask;

const finished = (reason: string) => [{ type: 'Finished', status: 'True' as const, reason, message: '', lastTransitionTime: '' }];
const job = (over: Partial<Extract<TaskFacts, { kind: 'job' }>> = {}): TaskFacts =>
  ({ kind: 'job', pool: 'p', jobName: 't-1', attempt: 1, outcome: { state: 'Running' }, ...over });

function count(task: SyncTask, before: TaskStatus, after: TaskStatus, facts: TaskFacts = job()): string[] {
  const m = new RecordingMetrics();
  countTaskTransition(m, task, before, after, facts);
  return m.calls;
}

const T0 = '2026-11-23T10:00:00.000Z';
const T90 = '2026-11-23T10:01:30.000Z';

describe('a one-shot task', () => {
  test('its final phase is its run\'s outcome, with the last attempt\'s duration when it started', () => {
    const running: TaskStatus = { phase: 'Running', attempt: 1, startedAt: T0 };
    expect(count(oneShot, running, { ...running, phase: 'Succeeded', finishedAt: T90, conditions: finished('Succeeded') }))
      .toEqual(['finished p hubspot/contacts succeeded 90s']);
    expect(count(oneShot, running, { ...running, phase: 'Failed', finishedAt: T90, conditions: finished('BackoffLimitExceeded') }))
      .toEqual(['finished p hubspot/contacts failed 90s']);
    expect(count(oneShot, running, { ...running, phase: 'Failed', finishedAt: T90, conditions: finished('HeartbeatTimeout') }))
      .toEqual(['finished p hubspot/contacts stale 90s']);
    expect(count(oneShot, running, { ...running, phase: 'Failed', finishedAt: T90, conditions: finished('StartupTimeout') }))
      .toEqual(['finished p hubspot/contacts never_started 90s']);
    expect(count(oneShot, running, { ...running, phase: 'Failed', finishedAt: T90, conditions: finished('JobDeleted') })) // a lost Job
      .toEqual(['finished p hubspot/contacts failed 90s']);
    expect(count(oneShot, { phase: 'Queued', attempt: 1 }, { phase: 'Cancelled', attempt: 1, finishedAt: T90 }, { kind: 'cancelled', wasRunning: false }))
      .toEqual(['finished p hubspot/contacts cancelled']);
  });

  test('nothing is counted for a status that changes without finishing, or is already final', () => {
    expect(count(oneShot, {}, { phase: 'Queued', attempt: 1 })).toEqual([]);
    expect(count(oneShot, { phase: 'Queued', attempt: 1 }, { phase: 'Running', attempt: 1, startedAt: T0 })).toEqual([]);
    expect(count(oneShot, { phase: 'Succeeded', finishedAt: T90 }, { phase: 'Succeeded', finishedAt: T90, observedGeneration: 2 })).toEqual([]);
    expect(count(oneShot, {}, { phase: 'Rejected', conditions: finished('Rejected') }, { kind: 'invalid', message: 'no' })).toEqual([]);
  });

  test('a run the operator ends is counted when the status starts saying so, not while it keeps saying it', () => {
    const ending = { reason: 'HeartbeatTimeout', message: 'no heartbeat for 5m' };
    const stopping: TaskStatus = { phase: 'Running', message: 'stopping Job t-1: HeartbeatTimeout: no heartbeat for 5m' };
    expect(count(oneShot, { phase: 'Running', message: 'running as Job t-1' }, stopping, job({ ending }))).toEqual(['ended p HeartbeatTimeout']);
    expect(count(oneShot, stopping, { ...stopping, lastHeartbeat: T0 }, job({ ending }))).toEqual([]);
  });

  test('a retry is the move to the next attempt; the failed attempt before it is not a finished run', () => {
    const failed = { state: 'Failed' as const, reason: 'BackoffLimitExceeded' };
    const waiting: TaskStatus = { phase: 'Pending', attempt: 1, nextRetryAt: T90 };
    expect(count(oneShot, { phase: 'Running', attempt: 1 }, waiting,
      { kind: 'retryWait', pool: 'p', jobName: 't-1', attempt: 1, retryAt: T90, retriesLeft: 1, outcome: failed })).toEqual([]);
    expect(count(oneShot, waiting, { phase: 'Queued', attempt: 2 }, { kind: 'queued', pool: 'p', jobName: 't-2', attempt: 2, queuedAt: T90 }))
      .toEqual(['retried p']);
    // Failed past its retry time already (the operator was down): straight to the next attempt.
    expect(count(oneShot, { phase: 'Running', attempt: 2 }, { phase: 'Queued', attempt: 3 },
      { kind: 'queued', pool: 'p', jobName: 't-3', attempt: 3, queuedAt: T90 })).toEqual(['retried p']);
  });
});

describe('a periodic task', () => {
  const run = (jobName: string, phase: 'Succeeded' | 'Failed', finishedAt: string, reason?: string): FinishedRun =>
    ({ jobName, phase, finishedAt, startedAt: T0, reason });
  const facts = (runs: FinishedRun[], over: Partial<Extract<TaskFacts, { kind: 'periodic' }>> = {}): TaskFacts => ({
    kind: 'periodic', pool: 'p', cronJob: 't', suspended: false, running: [], queued: [], finished: runs, retrying: [], ...over,
  });

  test('each run is counted once, when lastRun moves past it', () => {
    const a = run('t-100', 'Succeeded', '2026-11-23T10:01:00.000Z');
    const b = run('t-200', 'Failed', T90, 'StartupTimeout');
    expect(count(periodic, { phase: 'Scheduled' }, { phase: 'Scheduled' }, facts([a, b])))
      .toEqual(['finished p hubspot/contacts succeeded 60s', 'finished p hubspot/contacts never_started 90s']);
    const seen: TaskStatus = { phase: 'Scheduled', lastRun: { jobName: 't-200', phase: 'Failed', finishedAt: T90 } };
    expect(count(periodic, seen, seen, facts([a, b]))).toEqual([]);
  });

  test('cancelling it counts a cancelled run only if one was queued or running; its retries are counted where they are made', () => {
    expect(count(periodic, { phase: 'Running' }, { phase: 'Cancelled' }, { kind: 'cancelled', wasRunning: true }))
      .toEqual(['finished p hubspot/contacts cancelled']);
    expect(count(periodic, { phase: 'Scheduled' }, { phase: 'Cancelled' }, { kind: 'cancelled', wasRunning: false })).toEqual([]);
    expect(count(periodic, { phase: 'Scheduled', attempt: 1 }, { phase: 'Scheduled', attempt: 2 }, facts([]))).toEqual([]);
  });
});
