import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { describeText } from '../../../src/cli/describeText.js';
import { attemptsOf, eventLine, podStory, storyOf } from '../../../src/cli/describeModel.js';
import type { TaskObject } from '../../../src/views/index.js';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const at = (min: number) => new Date(NOW - min * 60_000);

const task = {
  apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
  metadata: { name: 'backfill', namespace: 'data', uid: 't1', creationTimestamp: at(30) },
  spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 3, parameters: { apiKeySecret: 'hubspot-prod-key', since: '2026' } },
  status: {
    phase: 'Running', attempt: 2, jobName: 'backfill-2', lastHeartbeat: at(1).toISOString(), progress: 0.42, progressMessage: '12000/30000 contacts',
    conditions: [{ type: 'Admitted', status: 'True', reason: 'Admitted', message: 'admitted', lastTransitionTime: at(5).toISOString() }],
  },
} as unknown as TaskObject;

function job(name: string, attempt: number, uid: string, status: V1Job['status']): V1Job {
  return {
    metadata: { name, uid, creationTimestamp: at(30 - attempt * 10), labels: { 'syncpool.dev/attempt': String(attempt) } },
    spec: { suspend: false, template: {} }, status,
  };
}

function pod(name: string, jobUid: string, state: object, phase: string): V1Pod {
  return {
    metadata: { name, labels: { 'batch.kubernetes.io/controller-uid': jobUid } },
    spec: { nodeName: 'kwok-node-0', containers: [] },
    status: { phase, containerStatuses: [{ name: 'sync', image: 'i', imageID: '', ready: false, restartCount: 0, state }] },
  };
}

const failedJob = job('backfill-1', 1, 'j1', {
  startTime: at(20), conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: at(19) }],
});
const runningJob = job('backfill-2', 2, 'j2', { startTime: at(5), active: 1 });
const pods = [
  pod('backfill-1-abc', 'j1', { terminated: { exitCode: 3, reason: 'Error', startedAt: at(20), finishedAt: at(19) } }, 'Failed'),
  pod('backfill-2-def', 'j2', { running: { startedAt: at(5) } }, 'Running'),
];

test('each attempt shows its Job, how it ended, and its pods with exit codes', () => {
  const attempts = attemptsOf([runningJob, failedJob], pods);
  expect(attempts.map((a) => [a.job, a.attempt, a.state])).toEqual([['backfill-1', 1, 'Failed'], ['backfill-2', 2, 'Running']]);
  expect(attempts[0]).toMatchObject({ reason: 'BackoffLimitExceeded', durationSeconds: 60 });
  expect(attempts[0]!.pods).toEqual([expect.objectContaining({ name: 'backfill-1-abc', phase: 'Failed', exitCode: 3, reason: 'Error', node: 'kwok-node-0' })]);
  expect(attempts[1]!.pods[0]).toMatchObject({ phase: 'Running', exitCode: undefined });
});

test('a pod that cannot start says why (scheduler, image pull)', () => {
  const unschedulable: V1Pod = {
    metadata: { name: 'p' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] },
  };
  expect(podStory(unschedulable)).toMatchObject({ reason: 'Unschedulable', message: '0/1 nodes are available' });
  const pulling = pod('q', 'j', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } }, 'Pending');
  expect(podStory(pulling)).toMatchObject({ reason: 'ImagePullBackOff' });
});

test('Events of the task, its Jobs and pods, oldest first, with their counts', () => {
  const ev = (reason: string, min: number, kind = 'SyncTask', extra: Partial<CoreV1Event> = {}): CoreV1Event => ({
    metadata: {}, involvedObject: { kind, name: 'backfill' }, reason, type: 'Normal', message: reason, eventTime: at(min) as never, ...extra,
  });
  const story = storyOf(task, { jobs: [failedJob, runningJob], pods, events: [ev('Admitted', 5), ev('Queued', 30), ev('BackOff', 10, 'Pod', { count: 4 })] });
  expect(story.events.map((e) => [e.reason, e.object, e.count])).toEqual([['Queued', 'synctask/backfill', 1], ['BackOff', 'pod/backfill', 4], ['Admitted', 'synctask/backfill', 1]]);
  expect(eventLine(ev('X', 1, 'Job', { series: { count: 7, lastObservedTime: at(0) as never } }))).toMatchObject({ count: 7, time: new Date(NOW).toISOString() });
});

test('parameters appear as keys only, in JSON and in the text', () => {
  const story = storyOf(task, { jobs: [failedJob, runningJob], pods, events: [] });
  expect(story.task.parameterKeys).toEqual(['apiKeySecret', 'since']);
  const text = describeText(story, NOW);
  for (const shown of [JSON.stringify(story), text]) {
    expect(shown).not.toContain('hubspot-prod-key');
    expect(shown).not.toContain('"2026"');
  }
  expect(text).toMatch(/^Parameters: +apiKeySecret, since \(values not shown\)$/m);
  expect(text).toMatch(/^Heartbeat: +60s ago, progress 42%: 12000\/30000 contacts$/m);
  expect(text).toMatch(/#1 Job backfill-1: Failed, started 20m ago, ran 60s, BackoffLimitExceeded: Job has reached the specified backoff limit/);
  expect(text).toMatch(/backfill-1-abc +Failed +kwok-node-0 +3 +Error/);
});
