import { buildJob } from '../../../src/jobs/build.js';
import { driftedField, type RunSpec } from '../../../src/jobs/drift.js';

const spec: RunSpec = { source: 'hubspot', syncType: 'contacts', parameters: { since: '2026-01-01', deep: { a: [1, 2] } }, parametersFrom: { secretRef: { name: 'creds' } } };
const job = buildJob({
  task: { namespace: 'ns', name: 't', uid: 'u', apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', spec: { pool: 'p', ...spec } },
  pool: { spec: { template: { image: 'x' } } }, attempt: 1, enqueuedAt: '2026-11-23T10:00:00Z', heartbeatUrl: 'http://h',
});

test('a Job built from the spec matches it, whatever the key order', () => {
  expect(driftedField(job, { ...spec, parameters: { deep: { a: [1, 2] }, since: '2026-01-01' } })).toBeUndefined();
});

test.each<[string, RunSpec]>([
  ['spec.source', { ...spec, source: 'salesforce' }],
  ['spec.syncType', { ...spec, syncType: 'deals' }],
  // The case CEL lets through: a renamed key with the same number of keys.
  ['spec.parameters', { ...spec, parameters: { until: '2026-01-01', deep: { a: [1, 2] } } }],
  ['spec.parameters', { ...spec, parameters: { since: '2026-01-01', deep: { a: [2, 1] } } }],
  ['spec.parametersFrom', { ...spec, parametersFrom: undefined }],
])('a change of %s is drift', (field, changed) => {
  expect(driftedField(job, changed)).toBe(field);
});
