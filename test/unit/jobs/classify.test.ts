import type { V1Job } from '@kubernetes/client-node';
import { jobOutcome, jobState, queueFields } from '../../../src/jobs/classify.js';

const cond = (type: string, reason = '', message = '') => ({ type, status: 'True', reason, message, lastTransitionTime: new Date('2026-11-22T10:05:00Z') });

test.each<[string, V1Job, string]>([
  ['suspended, never run', { spec: { suspend: true, template: {} } }, 'Queued'],
  ['unsuspended, pod not started yet', { spec: { suspend: false, template: {} } }, 'Running'],
  ['complete', { spec: { suspend: false, template: {} }, status: { conditions: [cond('Complete')] } }, 'Succeeded'],
  ['failed', { spec: { suspend: false, template: {} }, status: { conditions: [cond('Failed')] } }, 'Failed'],
  // The interim conditions come while pods may still be terminating: the slot stays held.
  ['failure target reached, pod still terminating', { spec: { template: {} }, status: { conditions: [cond('FailureTarget')], terminating: 1 } }, 'Running'],
  ['success criteria met, pod still terminating', { spec: { template: {} }, status: { conditions: [cond('SuccessCriteriaMet')] } }, 'Running'],
  ['finished wins over suspended', { spec: { suspend: true, template: {} }, status: { conditions: [cond('Complete')] } }, 'Succeeded'],
  ['suspended again while its pod terminates', { spec: { suspend: true, template: {} }, status: { terminating: 1 } }, 'Running'],
  ['being deleted after admission, pods alive', { metadata: { deletionTimestamp: new Date() }, spec: { suspend: false, template: {} }, status: { active: 1 } }, 'Running'],
  ['being deleted before admission', { metadata: { deletionTimestamp: new Date() }, spec: { suspend: true, template: {} } }, 'Gone'],
])('%s → %s', (_name, job, state) => {
  expect(jobState(job)).toBe(state);
});

test('a failed Job explains itself in the Job controller\'s words', () => {
  const outcome = jobOutcome({
    spec: { template: {} },
    status: { startTime: new Date('2026-11-22T10:00:00Z'), conditions: [cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')] },
  });
  expect(outcome).toEqual({
    state: 'Failed', startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:05:00.000Z',
    reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline',
  });
});

test('queue fields come from the Job annotations, falling back to creation time', () => {
  expect(queueFields({ metadata: { annotations: { 'syncpool.dev/priority': '7', 'syncpool.dev/enqueued-at': '2026-11-22T10:00:00Z' }, labels: { 'syncpool.dev/source': 'hubspot', 'syncpool.dev/sync-type': 'deals' } } }))
    .toEqual({ priority: 7, enqueuedAtMs: Date.parse('2026-11-22T10:00:00Z'), source: 'hubspot', syncType: 'deals' });
  expect(queueFields({ metadata: { creationTimestamp: new Date('2026-11-22T09:00:00Z') } }))
    .toEqual({ priority: 0, enqueuedAtMs: Date.parse('2026-11-22T09:00:00Z'), source: '', syncType: '' });
});
