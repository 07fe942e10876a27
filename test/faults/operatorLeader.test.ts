// Two replicas, short leases, and the leader taken away mid-drain: SIGKILLed (the standby
// takes over once the Lease expires), and frozen with SIGSTOP for longer than its lease.
// The frozen one wakes up (SIGCONT) still believing it leads, with admissions perhaps
// half-done and a cache from before the freeze; the new leader has admitted meanwhile.
// It must not admit on that view: the cap holds, and it exits once it sees the lease
// is gone, to come back as a standby.
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../integration/support/cluster.js';
import { Drain, expectHealthyDrain, savingLogsOnFailure } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs, seededRandom } from './support/mode.js';
import { OperatorReplicas } from './support/replicas.js';
import { useScenarioStage } from './support/scenario.js';

const SCENARIO = 'leader failover';
const LEASE = { duration: 4, renewDeadline: 3, retryPeriod: 0.5 };
const ROUNDS = 2 * faultsMode.repetitions;

const stage = useScenarioStage('fault-leader');

test(`${SCENARIO}: leader SIGKILLed and SIGSTOPped past its lease, ${ROUNDS} times each: cap held, nothing duplicated, lost or stuck`, async () => {
  const { kube, ns } = stage;
  const { rng, seed } = seededRandom(SCENARIO);
  const replicas = new OperatorReplicas(kube, { namespace: ns, prefix: 'ha', replicas: 2, lease: LEASE });
  stage.cleanup(() => replicas.stop());
  await savingLogsOnFailure(SCENARIO, () => replicas.logs(), async () => {
    await replicas.start();
    await replicas.leader();
    const drain = await Drain.prepare({ scenario: SCENARIO, kube, namespace: ns, rng, seed, waves: 6 });
    stage.cleanup(() => drain.stop());
    await drain.start();

    const takeovers: number[] = [];
    const frozenExits: (number | null)[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const fault of rng.chance(0.5) ? ['kill', 'freeze'] : ['freeze', 'kill']) {
        // Strike while it is busy: some work done since the last fault, plenty still queued.
        const finished = drain.observer.finishedJobs();
        await eventually('progress before the next fault', async () => (drain.observer.finishedJobs() >= finished + rng.int(3, 8) ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 100 });
        await replicas.settled(); // the standby of the last fault is back
        const leader = await replicas.leader();
        const at = Date.now();
        if (fault === 'kill') await leader.kill();
        else leader.proc.kill('SIGSTOP');
        const next = await replicas.leader({ timeoutMs: 30_000, except: leader });
        const tookOverAt = Date.now();
        takeovers.push(tookOverAt - at);
        // The fault lasts until another replica holds the Lease; recovery is its first admission.
        drain.recordFault(fault === 'kill' ? 'leader SIGKILLed' : 'leader SIGSTOPped', at, tookOverAt);
        if (fault === 'freeze') {
          // The new leader admits on its own view before the old one wakes.
          await eventually('the new leader admitting', async () => drain.observer.firstAdmissionAfter(tookOverAt) ?? (drain.backlog() === 0 || undefined),
            { timeoutMs: 30_000, intervalMs: 100 });
          await sleep(rng.int(0, 1_000));
          leader.proc.kill('SIGCONT');
          frozenExits.push(await eventually(`${leader.identity} exiting after it woke without the lease`,
            async () => (leader.proc.exitCode !== null ? leader.proc.exitCode : undefined), { timeoutMs: 30_000, intervalMs: 100 }));
          expect([leader.identity, await replicas.holder()]).toEqual([leader.identity, next.identity]);
        }
      }
    }

    const report = await drain.finish({ takeoverMs: takeovers, frozenLeaderExitCodes: frozenExits });
    expectHealthyDrain(report, { logs: () => replicas.logs() });
    expect(report.faults).toHaveLength(2 * ROUNDS);
    // Lost leadership ends the process (exit 1), so it cannot admit on a stale view.
    expect(frozenExits).toEqual(Array(ROUNDS).fill(1));
  });
}, scenarioTimeoutMs(120_000));
