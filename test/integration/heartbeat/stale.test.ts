// Stale detection end to end: an operator with its heartbeats in a real Redis, runs
// that heartbeat through the endpoint with tokens minted for their pods, and runs that
// stop. A stale run is ended within staleAfter + 10 %, its slot goes to the next task;
// a run that keeps beating is never ended; a flushed or restarted Redis ends nothing.
import type { V1Job } from '@kubernetes/client-node';
import { ANNOTATION_FAILURE_REASON } from '../../../src/jobs/labels.js';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';
import { RedisServer } from '../support/redis.js';

const STALE_AFTER_S = 20;

let redis: RedisServer;
let stage: SyncpoolStage;

beforeAll(async () => {
  redis = await RedisServer.start('stale-test-password');
  stage = await startSyncpool('stale', {}, { operatorArgs: ['--redis-url', redis.url] });
});

afterAll(async () => {
  await stage?.stop();
  await redis?.dispose();
});

/** Heartbeats for a task's running pod, every `everyMs`, until stopped; the time of the last one accepted. */
async function beat(task: string, everyMs: number) {
  const { kube, ns, operator } = stage;
  const token = await mintPodToken(kube, await podOfTask(kube, ns, task));
  const state = { lastAcceptedAt: 0, stopped: false, refused: [] as number[] };
  const once = async () => {
    const answer = await sendHeartbeat(operator.port, token, { progress: 0.5, message: 'working' });
    if (answer.status === 200) state.lastAcceptedAt = Date.now();
    else state.refused.push(answer.status);
  };
  await once();
  const timer = setInterval(() => { if (!state.stopped) void once(); }, everyMs);
  return { state, stop: () => { state.stopped = true; clearInterval(timer); } };
}

const endedBecause = (job: V1Job | undefined) => job?.metadata?.annotations?.[ANNOTATION_FAILURE_REASON];

test('a run whose heartbeats stop is ended within staleAfter + 10 % and the next task starts; one that keeps beating for 3 × staleAfter is not', async () => {
  const { api, jobs } = stage;
  await api.createPool('beating', { maxWorkers: 2, staleAfter: `${STALE_AFTER_S}s` }, '600s');
  await api.createTask('steady', { pool: 'beating', syncType: 'steady' });
  await api.createTask('silent', { pool: 'beating', syncType: 'silent' });
  await api.waitForPhase('steady', 'Running');
  await api.waitForPhase('silent', 'Running');
  await api.createTask('next', { pool: 'beating', syncType: 'next' });
  await api.waitForPhase('next', 'Queued');

  const steady = await beat('steady', 2_000);
  const silent = await beat('silent', 2_000);
  await new Promise((r) => setTimeout(r, 5_000));
  silent.stop();
  const silentSince = silent.state.lastAcceptedAt;

  // The ending, as our own watch sees the operator record it on the Job.
  const endedAt = await eventually('silent-1 ended by the operator', async () => (endedBecause(jobs.seen.get('silent-1')) ? Date.now() : undefined),
    { timeoutMs: 3 * STALE_AFTER_S * 1000, intervalMs: 50 });
  const silence = (endedAt - silentSince) / 1000;
  expect(endedBecause(jobs.seen.get('silent-1'))).toBe('HeartbeatTimeout');
  expect(silence).toBeGreaterThanOrEqual(STALE_AFTER_S);
  expect(silence).toBeLessThanOrEqual(STALE_AFTER_S * 1.1);

  const failed = await api.waitForPhase('silent', 'Failed');
  expect(failed.status?.conditions?.find((c) => c.type === 'Finished')?.reason).toBe('HeartbeatTimeout');
  expect(failed.status?.message).toMatch(/no heartbeat for \d+s \(staleAfter 20s; last at /);
  await api.waitForPhase('next', 'Running'); // its slot went to the queue's next task

  // steady has beaten all along: three staleAfters after it started, still running.
  await eventually('3 × staleAfter of heartbeats', async () => (Date.now() - silentSince >= 3 * STALE_AFTER_S * 1000 - 5_000 ? true : undefined),
    { timeoutMs: 4 * STALE_AFTER_S * 1000, intervalMs: 500 });
  steady.stop();
  expect(steady.state.refused).toEqual([]);
  const alive = await api.task('steady');
  expect(alive.status?.phase).toBe('Running');
  expect(endedBecause(jobs.seen.get('steady-1'))).toBeUndefined();
  expect(alive.status).toMatchObject({ progress: 0.5, progressMessage: 'working' });
  expect(Date.parse(alive.status!.lastHeartbeat!)).toBeGreaterThan(Date.now() - 60_000);
});

test.each([
  ['flushed', () => redis.flushAll()],
  ['restarted empty', () => redis.restart()],
])('Redis %s while a run pauses its heartbeats (shorter than staleAfter): no false stale', async (what, gap) => {
  const { api, jobs } = stage;
  const task = `paused-${what.split(' ')[0]}`;
  const staleAfterS = 10;
  await api.createPool(task, { maxWorkers: 1, staleAfter: `${staleAfterS}s` }, '600s');
  await api.createTask(task, { pool: task });
  await api.waitForPhase(task, 'Running');
  const worker = await beat(task, 2_000);
  // Long enough that the pod started more than staleAfter ago: without the gap rule,
  // a store that forgot the run would make it stale at once (the status's
  // lastHeartbeat, written every 30 s, is older than staleAfter by then).
  await new Promise((r) => setTimeout(r, (staleAfterS + 2) * 1000));
  worker.stop();
  await gap();
  // Make the operator look at the run now, in the middle of the pause.
  await api.patchTask(task, { priority: 5 });
  await new Promise((r) => setTimeout(r, staleAfterS * 500));
  const resumed = await beat(task, 2_000);
  await new Promise((r) => setTimeout(r, staleAfterS * 1000));
  resumed.stop();
  expect(resumed.state.refused).toEqual([]);
  expect(endedBecause(jobs.seen.get(`${task}-1`))).toBeUndefined();
  expect((await api.task(task)).status?.phase).toBe('Running');
});
