// The Job the operator caches (slimJob) must answer every question the operator asks of a
// Job exactly as the full Job does: its state and outcome, its place in the queue, and
// whether it still runs what its task says. And it must be smaller, or it is pointless.
import type { V1Job } from '@kubernetes/client-node';
import { buildJob } from '../../../src/jobs/build.js';
import { controllerUid, holdsSlot, isQueued, jobOutcome, jobState, queueFields, terminatedBecause } from '../../../src/jobs/classify.js';
import { driftedField, type RunSpec } from '../../../src/jobs/drift.js';
import { slimJob } from '../../../src/kube/informers.js';

const spec: RunSpec & { pool: string; priority: number } = {
  pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 3,
  parameters: { since: '2026-01-01', objects: ['deals', 'owners'] }, parametersFrom: { secretRef: { name: 'hubspot-token' } },
};

function job(): V1Job {
  const built = buildJob({
    task: { namespace: 'data', name: 'nightly', uid: 'task-uid', apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', spec },
    pool: {
      spec: {
        template: {
          image: 'registry.example/crm-sync:1', command: ['sync'], args: ['--verbose'],
          env: [{ name: 'LOG_LEVEL', value: 'debug' }], envFrom: [{ configMapRef: { name: 'crm-settings' } }],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          labels: { team: 'data' }, annotations: { 'example.com/owner': 'data' },
        },
      },
    } as never,
    attempt: 2, enqueuedAt: '2026-12-07T01:00:00.000Z', heartbeatUrl: 'https://syncpool.syncpool-system.svc/api/v1/heartbeat',
  });
  return {
    ...built,
    metadata: {
      ...built.metadata, uid: 'job-uid', resourceVersion: '42',
      managedFields: [{ manager: 'syncpool', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:template': {} } } }],
    },
  };
}

const states: [string, (j: V1Job) => V1Job][] = [
  ['queued', (j) => j],
  ['running', (j) => ({ ...j, spec: { ...j.spec!, suspend: false }, status: { active: 1, ready: 1, startTime: new Date('2026-12-07T01:00:05Z') } })],
  ['failed', (j) => ({
    ...j, spec: { ...j.spec!, suspend: false },
    status: { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] },
  })],
  ['succeeded', (j) => ({ ...j, spec: { ...j.spec!, suspend: false }, status: { succeeded: 1, completionTime: new Date('2026-12-07T01:01:00Z'), conditions: [{ type: 'Complete', status: 'True' }] } })],
];

test.each(states)('a %s Job: state, outcome, queue place and owner read the same from the slim Job', (_, make) => {
  const full = make(job());
  const slim = slimJob(full);
  for (const read of [jobState, holdsSlot, isQueued, jobOutcome, terminatedBecause, controllerUid, queueFields]) {
    expect(read(slim)).toEqual(read(full));
  }
});

test('drift reads the same: unchanged, and each task field changed', () => {
  const full = job();
  const slim = slimJob(full);
  const variants: RunSpec[] = [
    spec,
    { ...spec, source: 'salesforce' },
    { ...spec, syncType: 'deals' },
    { ...spec, parameters: { since: '2026-02-01', objects: ['deals', 'owners'] } },
    { ...spec, parametersFrom: { secretRef: { name: 'other' } } },
    { ...spec, parametersFrom: undefined },
  ];
  expect(variants.map((v) => driftedField(full, v))).toEqual([undefined, 'spec.source', 'spec.syncType', 'spec.parameters', 'spec.parametersFrom', 'spec.parametersFrom']);
  expect(variants.map((v) => driftedField(slim, v))).toEqual(variants.map((v) => driftedField(full, v)));
});

test('a Job of an adopted CronJob (no sync container) is still not ours to compare', () => {
  const full = job();
  full.spec!.template.spec!.containers = [{ name: 'export', image: 'registry.example/export:2', env: [{ name: 'SYNCPOOL_SOURCE', value: 'x' }] }];
  expect(driftedField(slimJob(full), spec)).toBeUndefined();
  expect(driftedField(full, spec)).toBeUndefined();
});

test('no managedFields, image, resources, security context or volumes: under 60 % of the size', () => {
  const full = job();
  const slim = slimJob(full);
  const text = JSON.stringify(slim);
  for (const gone of ['managedFields', 'registry.example', 'resources', 'securityContext', 'volumes', 'LOG_LEVEL', 'crm-settings']) expect(text).not.toContain(gone);
  // The rest is mostly the SYNCPOOL_* variables drift compares; a real template (probes,
  // more env, volumes of its own) makes the full Job larger still.
  expect(text.length).toBeLessThan(JSON.stringify(full).length * 0.6);
  expect(slim.metadata).toEqual({ ...full.metadata, managedFields: undefined });
});
