// kube-controller-manager stopped mid-drain for several schedule intervals of periodic
// tasks that run every minute. While it is down nothing runs (its Job controller makes the
// pods) and no scheduled run is made; the operator must hold every pool's cap meanwhile.
// When it comes back, periodic runs resume sanely: the CronJob controller makes at most
// the latest missed activation of each task (none older than startingDeadlineSeconds,
// none beside an unfinished run under Forbid), never one per missed interval, and those
// runs queue under the cap like any other.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncTaskSpec } from '../../src/api/types.js';
import { eventually } from '../integration/support/cluster.js';
import { DEFAULT_POOLS, expectHealthyDrain, savingLogsOnFailure } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs } from './support/mode.js';
import { explainStuck, printFigures, useOwnPlane } from './controlPlane/stage.js';
import { type ScheduledRun, ScheduledRuns } from './controlPlane/scheduledRuns.js';

const SCENARIO = 'control plane: kube-controller-manager stopped';
/** Activations of an every-minute schedule that fall while the controller-manager is down. */
const MISSED = faultsMode.name === 'long' ? 5 : 2;
const DEADLINE_SECONDS = 20;
const MINUTE = 60_000;

/** One every-minute task in each of the drain's pools, one per concurrency rule. */
const pool = (i: number) => DEFAULT_POOLS[i]!.name;
const TICKING: { name: string; pool: string; spec: Partial<SyncTaskSpec> }[] = [
  { name: 'tick-forbid', pool: pool(0), spec: {} }, // Forbid, the default
  { name: 'tick-allow', pool: pool(1), spec: { concurrencyPolicy: 'Allow' } },
  { name: 'tick-deadline', pool: pool(2), spec: { startingDeadlineSeconds: DEADLINE_SECONDS } },
];
const FORBID = ['tick-forbid', 'tick-deadline'];

/** The k-th minute boundary after `t` (k = 1: the next one). */
const boundaryAfter = (t: number, k: number) => (Math.floor(t / MINUTE) + k) * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

const stage = useOwnPlane('cp-kcm');

test(`kube-controller-manager stopped for ${MISSED} schedule intervals mid-drain: periodic runs resume without a burst, under the cap, nothing duplicated or lost`, async () => {
  const s = await stage.scenario(SCENARIO);
  const { drain, own } = s;
  const runs = new ScheduledRuns(own.kube, s.ns, TICKING.map((t) => t.name));
  await runs.start();
  await savingLogsOnFailure(SCENARIO, () => s.operators.logs(), async () => {
    // Ahead of the drain's one-shot tasks in their pools' queues, so a run due waits for
    // a free slot, not for the whole backlog.
    for (const t of TICKING) {
      await drain.api.createTask(t.name, { pool: t.pool, source: 'warehouse', syncType: t.name, schedule: '* * * * *', priority: 5, ...t.spec });
    }
    await drain.start();
    // Late enough that little is left to drain once it is back: the schedule, not the
    // drain, sets this scenario's length.
    await eventually('the drain 40% done', async () => (drain.progress() >= 0.4 ? true : undefined),
      { timeoutMs: faultsMode.drainTimeoutMs, intervalMs: 100 });

    const stoppedAt = Date.now();
    await own.plane.stopComponent('kube-controller-manager');
    // Gone for sure from here: an activation while it shut down may still have been made.
    const downAt = Date.now();
    // Down across MISSED activations, and on a little past the last one.
    const lastMissed = boundaryAfter(downAt, MISSED);
    await sleep(lastMissed + 2_000 - Date.now());
    await own.plane.startComponent('kube-controller-manager');
    const restartedAt = Date.now();
    drain.recordFault(`kube-controller-manager down across ${MISSED} schedule intervals`, stoppedAt, restartedAt);

    // Resumed: every task is run again. Usually by the catch-up of the latest missed
    // activation, made at once; under Forbid, a run the outage left unfinished postpones
    // that to the first activation after it ends. The long mode also waits for an
    // activation due after the restart: the schedule itself goes on.
    const next = boundaryAfter(restartedAt, 1);
    const resumed = (r: ScheduledRun) => (faultsMode.name === 'long' ? r.dueMs >= next : r.seenMs >= restartedAt);
    await eventually('every ticking task run again', async () => (TICKING.every((t) => runs.of(t.name).some(resumed)) ? true : undefined),
      { timeoutMs: next + 2 * MINUTE - Date.now(), intervalMs: 250 });
    // Nothing more is due; what was made finishes with the drain.
    for (const t of TICKING) await drain.api.patchTask(t.name, { suspend: true });

    const perTask = TICKING.map(({ name }) => {
      const mine = runs.of(name);
      const firstAfter = mine.find((r) => r.seenMs >= restartedAt);
      return {
        name,
        runs: mine.map((r) => `${iso(r.dueMs)} made +${((r.madeMs - r.dueMs) / 1000).toFixed(0)}s`),
        // Activations that fell while the controller-manager was down, and were made after.
        caughtUp: mine.filter((r) => r.dueMs > downAt && r.dueMs <= restartedAt).map((r) => iso(r.dueMs)),
        // Creation times are whole seconds: a run made just before downAt may show its second.
        madeWhileDown: mine.filter((r) => r.madeMs >= Math.ceil(downAt / 1000) * 1000 && r.madeMs < restartedAt - 1_000).map((r) => r.name),
        firstRunSeenAfterRestartMs: firstAfter ? firstAfter.seenMs - restartedAt : undefined,
        peakUnfinished: runs.peakUnfinished.get(name) ?? 0,
      };
    });
    const report = await drain.finish({
      downMs: restartedAt - stoppedAt,
      missedActivations: MISSED,
      periodic: perTask,
      operatorExits: s.operators.exited.map((e) => `${e.identity}: ${e.code}`),
    });
    printFigures(report);
    if (report.stuck.length > 0) process.stderr.write(`[faults] stuck after the controller-manager's outage:\n${await explainStuck(s, report.stuck)}\n`);
    await eventually('every scheduled run finished', async () => ([...runs.runs.values()].every((r) => r.finished) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 });
    await s.end();

    expectHealthyDrain(report);
    expect(report.faults).toHaveLength(1);
    for (const t of perTask) {
      expect({ task: t.name, madeWhileDown: t.madeWhileDown }).toEqual({ task: t.name, madeWhileDown: [] });
      // No burst: of the missed activations, at most the latest is made.
      expect({ task: t.name, caughtUp: t.caughtUp.length <= 1 }).toEqual({ task: t.name, caughtUp: true });
      const dues = runs.of(t.name).map((r) => r.dueMs);
      expect(new Set(dues).size).toBe(dues.length);
    }
    for (const name of FORBID) expect({ task: name, peakUnfinished: runs.peakUnfinished.get(name) }).toEqual({ task: name, peakUnfinished: 1 });
    // No run later than the deadline allows (creation times are whole seconds, hence the slack).
    for (const r of runs.of('tick-deadline')) expect(r.madeMs - r.dueMs).toBeLessThanOrEqual((DEADLINE_SECONDS + 2) * 1000);
    expect(own.crash()).toBeUndefined();
  }).finally(() => runs.stop());
}, scenarioTimeoutMs((MISSED + 3) * MINUTE));
