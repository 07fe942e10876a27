import { AdmissionExpectations } from '../../../src/controller/pools/expectations.js';

test('an assumed admission counts as running until the cache shows it unsuspended', () => {
  const e = new AdmissionExpectations(60_000);
  e.assume('a', 0);
  expect(e.assumedRunning('a', true, 10)).toBe(true); // cache still says suspended
  expect(e.assumedRunning('a', false, 20)).toBe(false); // cache caught up
  expect(e.size).toBe(0);
});

test('a rolled back or deleted admission no longer counts', () => {
  const e = new AdmissionExpectations(60_000);
  e.assume('a', 0);
  e.assume('b', 0);
  e.rollback('a');
  e.retainOnly(new Set(['x']));
  expect(e.assumedRunning('a', true, 1)).toBe(false);
  expect(e.assumedRunning('b', true, 1)).toBe(false);
});

test('an expectation the cache never confirms expires', () => {
  const e = new AdmissionExpectations(1_000);
  e.assume('a', 0);
  expect(e.assumedRunning('a', true, 999)).toBe(true);
  expect(e.assumedRunning('a', true, 1_001)).toBe(false);
});
