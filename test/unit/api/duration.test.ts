// Durations in specs: whatever the schema (and so the CRD's pattern) accepts, the
// operator's parseDuration turns into a safe, whole number of milliseconds, and Go's
// time.Duration could hold it too; where zero makes no sense it is refused.
import { BOUNDED_DURATION_PATTERN } from '../../../src/api/common.js';
import { parseWorkerPool } from '../../../src/api/parse.js';
import { parseDuration } from '../../../src/core/duration.js';

const accepted = (d: string) => new RegExp(BOUNDED_DURATION_PATTERN).test(d);
/** time.Duration's maximum, 2^63 - 1 ns, in whole milliseconds. */
const GO_MAX_MS = 9_223_372_036_854;

test.each([
  ['30m', 1_800_000], ['1h30m', 5_400_000], ['90s', 90_000], ['500ms', 500], ['1.5h', 5_400_000], ['0s', 0],
  ['1h1m1s1ms', 3_661_001], ['0.001s', 1], ['0.001m', 60], ['2.25m', 135_000], ['604800s', 604_800_000],
  ['999999.999h999999.999m999999.999s999999ms', 3_661_000_996_338],
])('%s is accepted and is %d ms', (text, ms) => {
  expect(accepted(text)).toBe(true);
  expect(parseDuration(text)).toBe(ms);
});

test('the largest accepted duration fits a safe integer and a Go time.Duration', () => {
  const largest = parseDuration('999999.999h999999.999m999999.999s999999ms');
  expect(Number.isSafeInteger(largest)).toBe(true);
  expect(largest).toBeLessThan(GO_MAX_MS);
});

test.each([
  ['9999999999999999999h', 'overflows parseDuration'],
  ['1000000h', 'seven digits'],
  ['30m1h', 'units out of order'],
  ['1s1s', 'a unit twice'],
  ['1.5ms', 'a fraction of a millisecond'],
  ['0.0001s', 'four decimals'],
  ['', 'empty'], ['m', 'no number'], ['1d', 'days'], ['30', 'no unit'], ['.5h', 'no leading digit'], ['-1s', 'negative'],
])('%j is refused (%s)', (text) => {
  expect(accepted(text)).toBe(false);
});

/** A small deterministic generator: no flaky seeds. */
function* samples(count: number): Generator<string> {
  let seed = 7;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const digits = (n: number) => Array.from({ length: n }, () => next(10)).join('');
  for (let i = 0; i < count; i++) {
    let text = '';
    for (const unit of ['h', 'm', 's', 'ms']) {
      if (next(2) === 0) continue;
      text += digits(1 + next(6));
      if (unit !== 'ms' && next(2) === 0) text += `.${digits(1 + next(3))}`;
      text += unit;
    }
    if (text) yield text;
  }
}

test('every accepted duration is a whole, safe number of milliseconds, at least 1 ms when it has a digit other than 0', () => {
  for (const text of samples(2000)) {
    expect(accepted(text)).toBe(true);
    const ms = parseDuration(text);
    expect({ text, safe: Number.isSafeInteger(ms), positive: ms > 0 }).toEqual({ text, safe: true, positive: /[1-9]/.test(text) });
  }
});

describe('where zero makes no sense', () => {
  const pool = (spec: Record<string, unknown>) => parseWorkerPool({
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { name: 'crm', namespace: 'data' },
    spec: { maxWorkers: 1, template: { image: 'i' }, ...spec },
  });

  test.each([
    [{ staleAfter: '0s' }, 'spec.staleAfter: must be longer than 0, e.g. "30m"'],
    [{ staleAfter: '0h0m0.000s' }, 'spec.staleAfter: must be longer than 0, e.g. "30m"'],
    [{ aging: { interval: '0m' } }, 'spec.aging.interval: must be longer than 0, e.g. "30m"'],
  ])('%j is refused', (spec, message) => {
    expect(pool(spec)).toEqual({ ok: false, message });
  });

  test('a zero backoff (retry at once) or retention (delete at once) is allowed', () => {
    expect(pool({ retry: { limit: 1, backoff: { initial: '0s', max: '0s' } }, retention: { succeeded: '0s', failed: '0s' } }).ok).toBe(true);
  });

  test('an overflowing duration is refused with the field named', () => {
    expect(pool({ retention: { failed: '9999999999999999999h' } })).toMatchObject({ ok: false, message: expect.stringMatching(/^spec\.retention\.failed: must be a duration/) });
  });
});
