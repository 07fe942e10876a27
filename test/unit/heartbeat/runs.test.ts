// Which pods may speak for a run: the pure judgement of RunDirectory, table-driven.
import type { V1Pod } from '@kubernetes/client-node';
import { judge } from '../../../src/heartbeat/runs.js';

const labels = {
  'syncpool.dev/task': 'contacts', 'syncpool.dev/pool': 'crm', 'syncpool.dev/attempt': '2',
  'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': 'contacts-2',
};
const pod = (o: { uid?: string; labels?: Record<string, string>; phase?: string; deleting?: boolean } = {}): V1Pod => ({
  metadata: {
    namespace: 'data', name: 'contacts-2-abcde', uid: o.uid ?? 'pod-uid', labels: o.labels ?? labels,
    ...(o.deleting && { deletionTimestamp: new Date() }),
  },
  status: { phase: o.phase ?? 'Running' },
});

test('a running pod of a syncpool Job speaks for its task and attempt', () => {
  expect(judge(pod(), 'data', 'contacts-2-abcde', 'pod-uid')).toEqual({
    ok: true,
    run: {
      namespace: 'data', task: 'contacts', pool: 'crm', attempt: 2, jobUid: 'job-uid', jobName: 'contacts-2',
      podName: 'contacts-2-abcde', podUid: 'pod-uid',
    },
  });
});

test.each([
  ['no such pod', undefined, 'UnknownPod'],
  ['another pod of that name (the token was for an earlier one)', pod({ uid: 'other' }), 'UidMismatch'],
  ['a pod that is not a syncpool run', pod({ labels: { app: 'web' } }), 'NotARun'],
  ['a pod without its attempt', pod({ labels: { ...labels, 'syncpool.dev/attempt': 'x' } }), 'NotARun'],
  ['a pod that succeeded', pod({ phase: 'Succeeded' }), 'Finished'],
  ['a pod that failed', pod({ phase: 'Failed' }), 'Finished'],
  ['a pod being deleted', pod({ deleting: true }), 'Terminating'],
])('refused: %s', (_what, candidate, reason) => {
  const verdict = judge(candidate, 'data', 'contacts-2-abcde', 'pod-uid');
  expect(verdict).toMatchObject({ ok: false, reason });
  expect(verdict.ok ? '' : verdict.message).toContain('pod data/contacts-2-abcde');
});
