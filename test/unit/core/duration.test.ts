// Durations in specs (staleAfter, retry backoff, retention) and how status prints them.
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../../src/core/duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;

describe('parseDuration', () => {
  test.each([
    ['30m', 30 * M],
    ['1h30m', H + 30 * M],
    ['45s', 45 * S],
    ['500ms', 500],
    ['2h', 2 * H],
    ['1.5h', 90 * M],
    ['0s', 0],
    ['1h1m1s1ms', H + M + S + 1],
    ['1m30s', 90 * S],
    ['0.5s', 500],
    ['1.5ms', 2],
    ['90m', 90 * M],
    ['1s1s', 2 * S],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    ['', 'is empty'],
    ['  ', 'is empty'],
    ['-5m', 'must not be negative'],
    ['1d', 'has unknown unit "d"'],
    ['2w', 'has unknown unit "w"'],
    ['10us', 'has unknown unit "us"'],
    ['5toString', 'has unknown unit "toString"'],
    ['1H', 'has unknown unit "H"'],
    ['30', 'is missing a unit'],
    ['1h30', 'is missing a unit'],
    ['m', 'is not a duration'],
    ['1.h', 'is not a duration'],
    ['.5h', 'is not a duration'],
    ['1 h', 'is not a duration'],
    [' 30m', 'is not a duration'],
    ['+5m', 'is not a duration'],
    ['1e3ms', 'has unknown unit "e"'],
    ['soon', 'is not a duration'],
  ])('rejects %j: %s', (text, problem) => {
    expect(() => parseDuration(text)).toThrow(
      `invalid duration ${JSON.stringify(text)}: ${problem}; use a number followed by ms, s, m or h, e.g. "30m" or "1h30m"`,
    );
  });

  test('rejects a value too large to count in milliseconds', () => {
    expect(() => parseDuration('9999999999999h')).toThrow('invalid duration "9999999999999h": is too large');
  });
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [500, '500ms'],
    [45 * S, '45s'],
    [90 * M, '1h30m'],
    [2 * H, '2h'],
    [26 * H + S, '26h1s'],
    [S + 500, '1s500ms'],
    [H + 30 * M + 15 * S + 250, '1h30m15s250ms'],
    [0.4, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });

  test.each([0, 1, 999, S, 59 * S + 1, H - 1, 36 * H + 7, 123_456_789])('parse(format(%d)) gives it back', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  test.each([
    ['90m', '1h30m'],
    ['1.5h', '1h30m'],
    ['3600s', '1h'],
    ['1500ms', '1s500ms'],
    ['1h30m', '1h30m'],
  ])('%s formats canonically as %s', (text, canonical) => {
    expect(formatDuration(parseDuration(text))).toBe(canonical);
  });
});

describe('DURATION_PATTERN', () => {
  const pattern = new RegExp(DURATION_PATTERN);

  test.each(['30m', '1h30m', '45s', '500ms', '2h', '1.5h', '0s', '1s1s'])('accepts %s like parseDuration', (text) => {
    expect(pattern.test(text)).toBe(true);
    expect(() => parseDuration(text)).not.toThrow();
  });

  test.each(['', '-5m', '1d', '30', '1.h', ' 30m', '30m ', '1h\n', 'x30m'])('refuses %j like parseDuration', (text) => {
    expect(pattern.test(text)).toBe(false);
    expect(() => parseDuration(text)).toThrow('invalid duration');
  });

  test('uses only syntax the API server (RE2) also accepts: anchored, no lookaround', () => {
    expect(DURATION_PATTERN.startsWith('^')).toBe(true);
    expect(DURATION_PATTERN.endsWith('$')).toBe(true);
    expect(DURATION_PATTERN).not.toMatch(/\(\?[=!<]/);
  });
});
