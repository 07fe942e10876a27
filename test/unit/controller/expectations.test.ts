import type { V1Job } from '@kubernetes/client-node';
import { AdmissionExpectations } from '../../../src/controller/pools/expectations.js';

const job = (uid: string, rv: string, suspend = true): V1Job => ({ metadata: { uid, resourceVersion: rv }, spec: { suspend, template: {} } });
const view = (...jobs: V1Job[]) => new Map(jobs.map((j) => [j.metadata!.uid!, j]));

test('an admission counts as running until the cache shows our write, then is dropped', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.landed('ns/a', 'u1', '12');
  expect(e.observe('ns/a', view(job('u1', '10'))).assumed).toEqual(new Set(['u1'])); // cache still at rv 10
  expect(e.observe('ns/a', view(job('u1', '12', false))).assumed.size).toBe(0); // caught up
  expect(e.size()).toBe(0);
});

test('a Job re-suspended after our write is queued again, not assumed running', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.landed('ns/a', 'u1', '12');
  expect(e.observe('ns/a', view(job('u1', '14', true))).assumed.size).toBe(0);
});

test('reconciling one pool never drops another pool\'s expectations', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'a1', 0);
  e.landed('ns/a', 'u1', '12');
  // Pool b's cycle sees only b's Jobs; a's expectation must survive it.
  expect(e.observe('ns/b', view(job('u9', '3'))).assumed.size).toBe(0);
  expect(e.observe('ns/a', view(job('u1', '10'))).assumed).toEqual(new Set(['u1']));
});

test('a refused write is rolled back; a write with unknown outcome keeps its slot and is resent', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.rollback('ns/a', 'u1');
  e.assume('ns/a', 'u2', 'j2', 0);
  e.uncertain('ns/a', 'u2');
  const seen = e.observe('ns/a', view(job('u1', '5'), job('u2', '5')));
  expect(seen.assumed).toEqual(new Set(['u2']));
  expect(seen.resend).toEqual([{ uid: 'u2', name: 'j2' }]);
});

test('a Job gone from the pool\'s unfinished Jobs (finished or deleted) settles its expectation', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.uncertain('ns/a', 'u1');
  expect(e.observe('ns/a', view()).assumed.size).toBe(0);
  expect(e.size('ns/a')).toBe(0);
});
