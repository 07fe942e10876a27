import { HeartbeatStatusWriter } from '../../../src/heartbeat/statusWriter.js';
import type { Run, RunLookup } from '../../../src/heartbeat/runs.js';
import type { HeartbeatFields } from '../../../src/kube/heartbeatStatus.js';
import { FakeClock, flush } from '../runtime/fakeClock.js';

const INTERVAL = 30_000;
const EPOCH = Date.parse('2030-01-01T00:00:00Z');

const run = (task: string, attempt = 1): Run => ({
  namespace: 'crm', task, pool: 'p', attempt, jobUid: `job-${task}-${attempt}`, jobName: `${task}-${attempt}`,
  podName: `${task}-${attempt}-abcde`, podUid: `pod-${task}-${attempt}`,
});

let clock: FakeClock;
let writes: { at: number; task: string; fields: HeartbeatFields }[];
let failNext: number;
let livePods: Set<string>;
let debug: { msg: string; meta?: object }[];
let writer: HeartbeatStatusWriter;

beforeEach(() => {
  clock = new FakeClock();
  writes = [];
  failNext = 0;
  livePods = new Set();
  debug = [];
  writer = new HeartbeatStatusWriter({
    write: async (_ns, task, fields) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('heartbeat status patch refused (HTTP 500)');
      }
      writes.push({ at: clock.now(), task, fields });
    },
    runs: {
      runOf: async (_ns, _pod, uid): Promise<RunLookup> => {
        const r = [run('a'), run('a', 2), run('b')].find((x) => x.podUid === uid);
        return r && livePods.has(uid) ? { ok: true, run: r } : { ok: false, reason: 'Finished', message: 'gone' };
      },
    },
    clock,
    log: { debug: (msg, meta) => debug.push({ msg, meta }), info() {}, warn() {}, error() {} },
    minIntervalMs: INTERVAL,
  });
  for (const r of [run('a'), run('a', 2), run('b')]) livePods.add(r.podUid);
});

afterEach(() => writer.stop());

/** A heartbeat received at the clock's current time. */
const beat = (r: Run, said: { progress?: number; message?: string } = {}) => writer.offer(r, { atMs: EPOCH + clock.now(), ...said });
const iso = (ms: number) => new Date(EPOCH + ms).toISOString();

test('a run\'s first heartbeat is written at once, with only the heartbeat fields', async () => {
  beat(run('a'), { progress: 0.1, message: 'starting' });
  await flush();
  expect(writes).toEqual([{ at: 0, task: 'a', fields: { lastHeartbeat: iso(0), progress: 0.1, progressMessage: 'starting' } }]);
});

test('a heartbeat that says nothing writes only lastHeartbeat', async () => {
  beat(run('a'));
  await flush();
  expect(writes[0]!.fields).toEqual({ lastHeartbeat: iso(0) });
});

test('heartbeats within the interval are coalesced into one trailing write with the latest values', async () => {
  beat(run('a'), { progress: 0.1 });
  await clock.advance(5_000);
  beat(run('a'), { progress: 0.2, message: 'page 2' });
  await clock.advance(5_000);
  beat(run('a'), { progress: 0.3 }); // no message: the last one said still stands
  await clock.advance(19_999);
  expect(writes).toHaveLength(1);
  await clock.advance(1);
  expect(writes).toEqual([
    { at: 0, task: 'a', fields: { lastHeartbeat: iso(0), progress: 0.1 } },
    { at: INTERVAL, task: 'a', fields: { lastHeartbeat: iso(10_000), progress: 0.3, progressMessage: 'page 2' } },
  ]);
});

test('a worker beating every second costs one write per task per interval', async () => {
  for (let t = 0; t < 95; t++) {
    beat(run('a'), { progress: t / 100 });
    beat(run('b'));
    await clock.advance(1_000);
  }
  await clock.advance(INTERVAL);
  const atOf = (task: string) => writes.filter((w) => w.task === task).map((w) => w.at);
  // The beats of 91–94 s trail into the write at 120 s.
  expect(atOf('a')).toEqual([0, 30_000, 60_000, 90_000, 120_000]);
  expect(atOf('b')).toEqual([0, 30_000, 60_000, 90_000, 120_000]);
  expect(writes.filter((w) => w.task === 'a').at(-1)!.fields).toEqual({ lastHeartbeat: iso(94_000), progress: 0.94 });
});

test('after a quiet interval the task is forgotten and its next heartbeat is written at once', async () => {
  beat(run('a'));
  await clock.advance(45_000);
  beat(run('a'));
  await flush();
  expect(writes.map((w) => w.at)).toEqual([0, 45_000]);
});

test('a new attempt\'s first heartbeat is written at once; the last attempt\'s pending values are dropped', async () => {
  beat(run('a', 1));
  await clock.advance(1_000);
  beat(run('a', 1), { progress: 0.9, message: 'attempt 1 late' });
  await clock.advance(1_000);
  beat(run('a', 2), { progress: 0 });
  await clock.advance(INTERVAL * 2);
  expect(writes).toEqual([
    { at: 0, task: 'a', fields: { lastHeartbeat: iso(0) } },
    { at: 2_000, task: 'a', fields: { lastHeartbeat: iso(2_000), progress: 0 } },
  ]);
});

test('a trailing write is dropped when its run has ended meanwhile', async () => {
  beat(run('a'), { progress: 0.5 });
  await clock.advance(10_000);
  beat(run('a'), { progress: 1 });
  livePods.delete(run('a').podUid); // the pod finished
  await clock.advance(INTERVAL);
  expect(writes.map((w) => w.at)).toEqual([0]);
  expect(debug.map((d) => d.msg)).toContain('heartbeat status dropped: the run is over');
});

test('a failed write is logged at debug and dropped; the next heartbeat writes again', async () => {
  failNext = 1;
  beat(run('a'), { message: 'secret-ish worker text' });
  await flush();
  expect(writes).toHaveLength(0);
  expect(debug).toHaveLength(1);
  expect(debug[0]!.msg).toBe('heartbeat status write failed; the next heartbeat retries');
  expect(JSON.stringify(debug)).not.toContain('secret-ish'); // never the worker's message
  await clock.advance(1_000);
  beat(run('a'), { progress: 0.4 });
  await clock.advance(INTERVAL);
  expect(writes).toEqual([{ at: INTERVAL, task: 'a', fields: { lastHeartbeat: iso(1_000), progress: 0.4 } }]);
});

test('writes of one task land in order even when one is slow', async () => {
  let release!: () => void;
  const landed: string[] = [];
  const slow = new HeartbeatStatusWriter({
    write: async (_ns, _task, fields) => {
      if (fields.progress === 0.1) await new Promise<void>((r) => { release = r; });
      landed.push(String(fields.progress));
    },
    runs: { runOf: async (): Promise<RunLookup> => ({ ok: true, run: run('a') }) },
    clock, log: { debug() {}, info() {}, warn() {}, error() {} }, minIntervalMs: INTERVAL,
  });
  slow.offer(run('a'), { atMs: EPOCH, progress: 0.1 });
  slow.offer(run('a'), { atMs: EPOCH + 1, progress: 0.2 });
  await clock.advance(INTERVAL);
  expect(landed).toEqual([]);
  release();
  await flush();
  expect(landed).toEqual(['0.1', '0.2']);
  await slow.stop();
});

test('stop() cancels pending writes', async () => {
  beat(run('a'));
  await clock.advance(1_000);
  beat(run('a'), { progress: 0.7 });
  await writer.stop();
  await clock.advance(INTERVAL * 2);
  beat(run('b'));
  await flush();
  expect(writes.map((w) => w.task)).toEqual(['a']);
});
