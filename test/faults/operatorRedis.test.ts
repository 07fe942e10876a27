// The heartbeat store failing mid-drain: Redis SIGKILLed (heartbeats then held in the
// memory of the replica that received them) and restarted empty, later FLUSHALLed.
// DESIGN.md: staleness is judged on the operator's receive times, and after any gap in
// the store a grace period of staleAfter applies before anything is declared stale.
// Two replicas, and the workers' heartbeats reach the standby (as a Service may route
// them): the leader, which judges staleness, knows them only through Redis, so what
// Redis loses is lost to the judge. Beside the drain, a pool with Required heartbeats
// and a short staleAfter runs:
// - healthy runs that beat every staleAfter/4, pausing for 2/3 of staleAfter around each
//   gap (their last heartbeat is then only in the lost store; the status copy is up to
//   30 s old): none may be ended;
// - one run that never beats: it must still be ended (HeartbeatTimeout), or "no false
//   stale" would prove nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../integration/support/cluster.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../integration/support/heartbeats.js';
import type { OperatorProcess } from '../integration/support/operator.js';
import { RedisServer } from '../integration/support/redis.js';
import { Drain, expectHealthyDrain, savingLogsOnFailure } from './support/drain.js';
import { scenarioTimeoutMs, seededRandom } from './support/mode.js';
import { OperatorReplicas } from './support/replicas.js';
import { useScenarioStage } from './support/scenario.js';

const SCENARIO = 'Redis killed, then flushed';
const STALE_AFTER_S = 12;
const BEAT_MS = (STALE_AFTER_S * 1000) / 4;
const PAUSE_MS = (STALE_AFTER_S * 1000 * 2) / 3;
const HEALTHY = ['beat-a', 'beat-b'];

const stage = useScenarioStage('fault-redis');

/** A worker's heartbeats for a task's running pod, every BEAT_MS; pause() beats once more, then goes quiet. */
async function worker(task: string, op: OperatorProcess) {
  const { kube, ns } = stage;
  const token = await mintPodToken(kube, await podOfTask(kube, ns, task, 'Running', 90_000));
  const state = { accepted: 0, refused: [] as number[], quiet: false, stopped: false };
  const beat = async () => {
    const answer = await sendHeartbeat(op.port, token, { progress: 0.5, message: 'syncing' }).catch(() => ({ status: 0 }));
    if (answer.status === 200) state.accepted++;
    else state.refused.push(answer.status);
  };
  await beat();
  const timer = setInterval(() => { if (!state.quiet && !state.stopped) void beat(); }, BEAT_MS);
  return {
    state,
    pause: async () => { await beat(); state.quiet = true; },
    resume: async () => { state.quiet = false; await beat(); },
    stop: () => { state.stopped = true; clearInterval(timer); },
  };
}

test(`${SCENARIO} mid-drain: every task finishes, no healthy run is ended as stale, a silent one still is`, async () => {
  const { kube, ns } = stage;
  const { rng, seed } = seededRandom(SCENARIO);
  const redis = await RedisServer.start(`faults-${seed}`);
  stage.cleanup(() => redis.dispose());
  const replicas = new OperatorReplicas(kube, { namespace: ns, prefix: 'redis', replicas: 2, args: ['--redis-url', redis.url] });
  stage.cleanup(() => replicas.stop());
  await replicas.start();
  const leader = await replicas.leader();
  const standby = [...replicas.running].find((op) => op !== leader)!;
  await savingLogsOnFailure(SCENARIO, () => replicas.logs(), async () => {
    const drain = await Drain.prepare({ scenario: SCENARIO, kube, namespace: ns, rng, seed, waves: 4 });
    stage.cleanup(() => drain.stop());

    // The heartbeat pool: runs that outlast the test (they keep beating to the end); no
    // retries, so the silent run fails once.
    await drain.api.createPool('heartbeats', { maxWorkers: 3, heartbeat: 'Required', staleAfter: `${STALE_AFTER_S}s` }, '600s');
    for (const task of [...HEALTHY, 'silent']) await drain.api.createTask(task, { pool: 'heartbeats', syncType: task, retry: { limit: 0 } });
    const workers = await Promise.all(HEALTHY.map((t) => worker(t, standby)));
    stage.cleanup(() => workers.forEach((w) => w.stop()));
    await drain.start();

    // Sharp only once the runs have run longer than staleAfter: before that, their start
    // alone keeps them alive, gap or not.
    const runningSince = Date.now();
    await sleep(STALE_AFTER_S * 1000 + 2_000);
    // Make the leader judge every heartbeat run now, inside the gap (a spec edit requeues
    // the task), and note how old the status copy of the heartbeat is then: older than
    // staleAfter means only the store (and its grace) stands between the run and a false stale.
    const statusAgeS: number[] = [];
    const lookNow = async (n: number) => {
      await Promise.all([...HEALTHY, 'silent'].map((t) => drain.api.patchTask(t, { priority: n })));
      for (const t of HEALTHY) {
        const last = (await drain.api.task(t)).status?.lastHeartbeat;
        statusAgeS.push(Math.round((Date.now() - (last ? Date.parse(last) : runningSince)) / 1000));
      }
    };
    const gap = async (kind: string, injure: () => Promise<void>, heal: () => Promise<void>) => {
      await Promise.all(workers.map((w) => w.pause()));
      const at = Date.now();
      await sleep(rng.int(500, 2_000));
      await injure();
      await sleep(1_000);
      await heal();
      await lookNow(at % 100);
      await sleep(Math.max(0, at + PAUSE_MS - Date.now()));
      await Promise.all(workers.map((w) => w.resume()));
      drain.recordFault(kind, at);
    };
    await gap('Redis SIGKILLed, restarted empty', () => redis.kill(), () => redis.restart());
    await sleep(rng.int(2_000, 5_000));
    await gap('Redis FLUSHALL', () => redis.flushAll(), async () => undefined);

    const silentEnded = await eventually('the silent run ended as stale', async () => {
      const job = [...drain.observer.jobs.values()].find((j) => j.task === 'silent' && j.endedBecause);
      return job?.endedBecause;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const healthyEnded = () => [...drain.observer.jobs.values()].filter((j) => HEALTHY.includes(j.task) && j.endedBecause).map((j) => `${j.name}: ${j.endedBecause}`);
    const report = await drain.finish({
      staleAfterS: STALE_AFTER_S, statusHeartbeatAgeAtGapS: statusAgeS, heartbeatsTo: standby.identity, judgedBy: leader.identity, healthyEndedAsStale: healthyEnded(), silentEndedBecause: silentEnded,
      heartbeats: workers.map((w) => ({ accepted: w.state.accepted, refused: w.state.refused })),
    });
    expectHealthyDrain(report, { logs: () => replicas.logs() });
    // The sharp case held throughout: heartbeats received by a standby, judged by the leader.
    expect([leader.proc.exitCode, standby.proc.exitCode, await replicas.holder()]).toEqual([null, null, leader.identity]);
    expect(healthyEnded()).toEqual([]);
    expect(silentEnded).toBe('HeartbeatTimeout');
    expect(Math.max(...statusAgeS)).toBeGreaterThan(STALE_AFTER_S);
    // The healthy runs beat to the end, every beat accepted, and are still running.
    for (const task of HEALTHY) expect((await drain.api.task(task)).status?.phase).toBe('Running');
    workers.forEach((w) => w.stop());
    for (const w of workers) expect(w.state.refused).toEqual([]);
  });
}, scenarioTimeoutMs(60_000));
