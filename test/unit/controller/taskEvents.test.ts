import type { SyncTask } from '../../../src/api/types.js';
import { taskEvent } from '../../../src/controller/tasks/events.js';

const task = { apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', metadata: { namespace: 'ns', name: 't', uid: 'u' }, spec: {} } as SyncTask;

test('a phase change is one Event; the same phase again is none', () => {
  expect(taskEvent(task, { phase: 'Queued' }, { phase: 'Running', message: 'running as Job t-1' })).toMatchObject({ type: 'Normal', reason: 'Admitted', action: 'Admit' });
  expect(taskEvent(task, { phase: 'Running', message: 'a' }, { phase: 'Running', message: 'b' })).toBeUndefined();
  expect(taskEvent(task, { phase: 'Running' }, { phase: 'Failed', message: 'Job t-1 failed' })).toMatchObject({ type: 'Warning', reason: 'Failed', action: 'Finish' });
});

test('succeeding is no Event (the Job controller records it on the Job; the status says it); failing is a Warning', () => {
  const succeeded = { phase: 'Succeeded' as const, message: 'Job t-1 succeeded' };
  expect(taskEvent(task, { phase: 'Running', message: 'running as Job t-1' }, succeeded)).toBeUndefined();
  expect(taskEvent(task, { phase: 'Queued', message: 'waiting in WorkerPool p\'s queue' }, succeeded)).toBeUndefined();
  expect(taskEvent(task, { phase: 'Queued' }, { phase: 'Failed', message: 'Job t-1 failed (BackoffLimitExceeded)' })).toMatchObject({ type: 'Warning', reason: 'Failed' });
});

test('entering the queue is no Event (the status says it); a run handed back to it is one', () => {
  const queued = { phase: 'Queued' as const, message: 'waiting in WorkerPool p\'s queue' };
  expect(taskEvent(task, {}, queued)).toBeUndefined();
  expect(taskEvent(task, { phase: 'Pending', message: 'WorkerPool p not found' }, queued)).toBeUndefined();
  expect(taskEvent(task, { phase: 'Scheduled', message: 'next run at …' }, queued)).toBeUndefined();
  expect(taskEvent(task, { phase: 'Running', message: 'running as Job t-1' }, queued)).toMatchObject({ type: 'Normal', reason: 'Queued', action: 'Queue' });
});

test('a new reason to wait is news; a lost Job and a rejection are warnings with their reason', () => {
  const pending = (reason: string) => ({ phase: 'Pending' as const, message: reason, conditions: [{ type: 'Accepted', status: 'False' as const, reason, message: reason, lastTransitionTime: '' }] });
  expect(taskEvent(task, pending('PoolNotFound'), pending('PoolInvalid'))).toMatchObject({ type: 'Warning', reason: 'PoolInvalid' });
  expect(taskEvent(task, { phase: 'Running' }, {
    phase: 'Failed', message: 'lost', conditions: [{ type: 'Finished', status: 'True', reason: 'JobDeleted', message: '', lastTransitionTime: '' }],
  })).toMatchObject({ type: 'Warning', reason: 'JobLost' });
  expect(taskEvent(task, {}, {
    phase: 'Rejected', message: 'no', conditions: [{ type: 'Accepted', status: 'False', reason: 'SyncTypeNotAllowed', message: '', lastTransitionTime: '' }],
  })).toMatchObject({ type: 'Warning', reason: 'SyncTypeNotAllowed', action: 'Reject' });
});
