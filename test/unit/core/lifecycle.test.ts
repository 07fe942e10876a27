// The pure lifecycle rules: retry backoff, liveness (stale, never started), retention.
import { judgeRun, type RunFacts } from '../../../src/core/liveness.js';
import { DEFAULT_RETENTION, expiresAtMs } from '../../../src/core/retention.js';
import { DEFAULT_BACKOFF, nextAttempt, retryDelayMs } from '../../../src/core/retry.js';

const S = 1_000;
const M = 60 * S;

describe('retry backoff', () => {
  test.each([
    [1, 60 * S], [2, 120 * S], [3, 240 * S], [6, 32 * M], [7, 60 * M], [50, 60 * M], [5000, 60 * M],
  ])('after attempt %i failed, the default policy waits %i ms (60 s × 2ⁿ, capped at 1 h)', (failed, delay) => {
    expect(retryDelayMs(DEFAULT_BACKOFF, failed)).toBe(delay);
  });

  test('a factor of 1 waits the same each time', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ initialMs: 5 * S, factor: 1, maxMs: M }, n))).toEqual([5 * S, 5 * S, 5 * S]);
  });

  test('limit counts retries: limit 2 allows attempts 2 and 3, not 4', () => {
    const rules = { limit: 2, backoff: DEFAULT_BACKOFF };
    expect(nextAttempt(rules, 1, 0)).toEqual({ retry: true, attempt: 2, atMs: 60 * S, delayMs: 60 * S });
    expect(nextAttempt(rules, 2, 1000)).toEqual({ retry: true, attempt: 3, atMs: 1000 + 120 * S, delayMs: 120 * S });
    expect(nextAttempt(rules, 3, 0)).toEqual({ retry: false });
    expect(nextAttempt({ limit: 0, backoff: DEFAULT_BACKOFF }, 1, 0)).toEqual({ retry: false });
  });
});

describe('liveness', () => {
  const base: RunFacts = {
    admittedAtMs: 0, runningSinceMs: 10 * S, storeCompleteSinceMs: -Infinity,
    staleAfterMs: 5 * M, startupTimeoutMs: 2 * M, heartbeat: 'Required',
  };

  test('a pod not running by startupTimeout after admission never started; before that, look again at the deadline', () => {
    const notRunning = { ...base, runningSinceMs: undefined };
    expect(judgeRun(notRunning, 2 * M - 1)).toEqual({ verdict: 'alive', recheckAtMs: 2 * M });
    expect(judgeRun(notRunning, 2 * M)).toEqual({ verdict: 'neverStarted', waitedMs: 2 * M });
  });

  test('no heartbeat at all: stale staleAfter after the pod started running', () => {
    expect(judgeRun(base, 10 * S + 5 * M - 1)).toEqual({ verdict: 'alive', recheckAtMs: 10 * S + 5 * M });
    expect(judgeRun(base, 10 * S + 5 * M)).toMatchObject({ verdict: 'stale', silentForMs: 5 * M });
  });

  test('the last heartbeat restarts the clock', () => {
    const beating = { ...base, lastHeartbeatMs: 4 * M };
    expect(judgeRun(beating, 8 * M)).toEqual({ verdict: 'alive', recheckAtMs: 9 * M });
    expect(judgeRun(beating, 9 * M)).toEqual({ verdict: 'stale', silentForMs: 5 * M, lastHeartbeatMs: 4 * M });
  });

  test('after a gap in the store, nothing is stale until staleAfter past it, and the silence is still told from the last heartbeat', () => {
    const gap = { ...base, lastHeartbeatMs: 1 * M, storeCompleteSinceMs: 20 * M };
    expect(judgeRun(gap, 24 * M)).toEqual({ verdict: 'alive', recheckAtMs: 25 * M });
    expect(judgeRun(gap, 25 * M)).toEqual({ verdict: 'stale', silentForMs: 24 * M, lastHeartbeatMs: 1 * M });
  });

  test('heartbeat Optional: never stale without a heartbeat; once one came, the usual rule', () => {
    const optional = { ...base, heartbeat: 'Optional' as const };
    expect(judgeRun(optional, 999 * M).verdict).toBe('alive');
    expect(judgeRun({ ...optional, lastHeartbeatMs: 10 * M }, 15 * M).verdict).toBe('stale');
  });
});

describe('retention', () => {
  test('succeeded and cancelled tasks keep for `succeeded`; failed and rejected for `failed`', () => {
    const r = { succeededMs: 1 * M, failedMs: 10 * M };
    expect(['Succeeded', 'Cancelled', 'Failed', 'Rejected'].map((p) => expiresAtMs(p, 100, r))).toEqual([100 + M, 100 + M, 100 + 10 * M, 100 + 10 * M]);
    expect(DEFAULT_RETENTION).toEqual({ succeededMs: 24 * 60 * M, failedMs: 7 * 24 * 60 * M });
  });
});
