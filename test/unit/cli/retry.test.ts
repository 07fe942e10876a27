import { refusal, retryBase, retryBody, retryName } from '../../../src/cli/retry.js';
import type { TaskObject } from '../../../src/views/index.js';

function task(name: string, phase: string | undefined, extra: { annotations?: Record<string, string>; labels?: Record<string, string> } = {}): TaskObject {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
    metadata: { name, namespace: 'data', uid: 'u1', resourceVersion: '9', ...extra },
    spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 5, cancel: true, parameters: { since: '2026' } },
    status: phase ? { phase: phase as never, message: 'why' } : undefined,
  } as TaskObject;
}

test('only a Failed or Cancelled task is retried; the others say why not', () => {
  expect(refusal(task('a', 'Failed'))).toBeUndefined();
  expect(refusal(task('a', 'Cancelled'))).toBeUndefined();
  expect(refusal(task('a', 'Running'))).toBe('SyncTask a is Running, not finished; only a Failed or Cancelled task can be retried');
  expect(refusal(task('a', undefined))).toMatch(/is not seen by the operator yet, not finished/);
  expect(refusal(task('a', 'Succeeded'))).toMatch(/Succeeded; only a Failed or Cancelled task is retried \(submit a new one/);
  expect(refusal(task('a', 'Rejected'))).toMatch(/was Rejected \(why\); it is judged again when it or its pool changes/);
});

test('retries are numbered after the original, also when a retry is retried', () => {
  expect(retryBase(task('nightly', 'Failed'))).toBe('nightly');
  expect(retryBase(task('nightly-r2', 'Failed', { annotations: { 'syncpool.dev/retry-of': 'nightly-r1' } }))).toBe('nightly');
  // A name that merely looks like a retry is its own family.
  expect(retryBase(task('backup-r2', 'Failed'))).toBe('backup-r2');
  expect(retryName('nightly', 3)).toEqual({ name: 'nightly-r3' });
  const long = 'x'.repeat(50);
  expect(retryName(long, 1)).toEqual({ generateName: `${'x'.repeat(44)}-r-` });
});

test('the new task has the spec and labels but not the cancel flag, status or other annotations', () => {
  const body = retryBody(task('a', 'Cancelled', { labels: { team: 'crm' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }), { name: 'a-r1' }) as {
    metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown;
  };
  expect(body.metadata).toEqual({ name: 'a-r1', labels: { team: 'crm' }, annotations: { 'syncpool.dev/retry-of': 'a' } });
  expect(body.spec).toEqual({ pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 5, parameters: { since: '2026' } });
  expect(body.status).toBeUndefined();
});
