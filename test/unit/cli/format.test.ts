import { age, eta, humanDuration, percent, relative, text } from '../../../src/cli/format.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

// The examples of kubectl's own HumanDuration tests (k8s.io/apimachinery/pkg/util/duration).
test.each<[number, string]>([
  [-2 * s, '<invalid>'],
  [-1 * s, '0s'],
  [0, '0s'],
  [1 * s, '1s'],
  [119 * s, '119s'],
  [2 * m, '2m'],
  [2 * m + 30 * s, '2m30s'],
  [9 * m + 59 * s, '9m59s'],
  [10 * m + 30 * s, '10m'],
  [179 * m, '179m'],
  [3 * h, '3h'],
  [3 * h + 30 * m, '3h30m'],
  [8 * h, '8h'],
  [47 * h + 59 * m, '47h'],
  [48 * h, '2d'],
  [2 * d + 5 * h, '2d5h'],
  [8 * d, '8d'],
  [729 * d, '729d'],
  [730 * d, '2y'],
  [800 * d, '2y70d'],
  [8 * 365 * d, '8y'],
])('%d ms → %s', (ms, shown) => {
  expect(humanDuration(ms)).toBe(shown);
});

test('ages, expected starts and relative times read from the same clock', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  expect(age('2026-05-01T11:55:00Z', now)).toBe('5m');
  expect(age(undefined, now)).toBe('<none>');
  expect(eta(now + 90 * s, now)).toBe('in 90s');
  expect(eta(now + 200, now)).toBe('now');
  expect(eta(undefined, now)).toBe('<unknown>');
  expect(relative('2026-05-01T11:59:30Z', now)).toBe('30s ago');
  expect(relative('2026-05-01T12:10:00Z', now)).toBe('in 10m');
});

test('percentages round, missing values show <none>', () => {
  expect(percent(2 / 3)).toBe('67%');
  expect(percent(1.5)).toBe('150%');
  expect([text(undefined), text(''), text(0), text('x')]).toEqual(['<none>', '<none>', '0', 'x']);
});
