// The operator SIGKILLed at random points of one drain, at least 20 times: while it
// starts, takes the Lease and lists; while it leads; just after it admitted (with more
// of the cycle's writes in flight). Each time it comes straight back, as a container restarted in its
// pod (same identity: it renews the Lease it held at once) or as a new pod (a new
// identity: it waits the dead one's Lease out). Nothing may be over-admitted, made
// twice, lost or left stuck.
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../integration/support/cluster.js';
import { Drain, expectHealthyDrain } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs, seededRandom } from './support/mode.js';
import { OperatorReplicas } from './support/replicas.js';
import { useScenarioStage } from './support/scenario.js';

const SCENARIO = 'operator SIGKILLed';
const KILLS = 20 * faultsMode.repetitions;
// Short leases keep the restarts under a new identity from dominating the drain.
const LEASE = { duration: 4, renewDeadline: 3, retryPeriod: 0.5 };
/** Keep this much work queued or running while killing, so each kill lands on a busy operator. */
const BACKLOG = 20;

const stage = useScenarioStage('fault-kill');

test(`${SCENARIO} ${KILLS} times mid-drain: cap held, no duplicate Jobs, nothing lost or stuck`, async () => {
  const { kube, ns } = stage;
  const { rng, seed } = seededRandom(SCENARIO);
  // One replica, replaced whenever it exits: by our SIGKILL, or on its own (a renew
  // deadline missed on a busy machine ends the process, as designed).
  const replicas = new OperatorReplicas(kube, { namespace: ns, prefix: 'kill', replicas: 1, lease: LEASE });
  stage.cleanup(() => replicas.stop());
  await replicas.start();
  const logs: string[] = [];
  // The last wave is held back until the last kill, so every kill falls inside the drain.
  const drain = await Drain.prepare({ scenario: SCENARIO, kube, namespace: ns, rng, seed, waves: 12, autoWaves: false });
  stage.cleanup(() => drain.stop());
  await drain.start();

  const points = { starting: 0, synced: 0, admitting: 0 };
  const restartMs: number[] = [];
  for (let k = 1; k <= KILLS; k++) {
    while (drain.backlog() < BACKLOG && drain.wavesLeft > 1) await drain.submitWave();
    await replicas.settled();
    const op = [...replicas.running][0]!;
    const bornAt = Date.now();
    // Where to strike: soon after start (lease, first list); up to 2 s after it has
    // synced and leads (admission cycles, status writes); or just after an admission
    // of its own, so most kills cut a busy leader and the drain progresses between them.
    const point = rng.weighted([['starting', 2], ['synced', 4], ['admitting', 4]] as const);
    points[point]++;
    if (point === 'starting') {
      await sleep(rng.int(0, 500));
    } else {
      await eventually(`${op.identity} leading with synced caches`, async () => ((await op.readyz().catch(() => '')) === '200 leader, caches synced' ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 50 });
      if (point === 'synced') await sleep(rng.int(0, 2_000));
      else {
        await eventually(`${op.identity} admitting`, async () => (drain.observer.firstAdmissionAfter(bornAt) ?? (drain.observer.queuedNow() === 0 || undefined)),
          { timeoutMs: 90_000, intervalMs: 20 });
        await sleep(rng.int(0, 300));
      }
    }
    const at = Date.now();
    logs.push(`--- ${op.identity} (kill ${k})`, op.tail(15));
    await replicas.kill(op, { sameIdentity: rng.chance(0.6) });
    drain.recordFault('SIGKILL', at, at);
    restartMs.push(Date.now() - at);
  }

  const selfExits = replicas.exited.length - KILLS;
  const report = await drain.finish({ kills: KILLS, points, restartToHealthyMs: restartMs, selfExits });
  expectHealthyDrain(report, { logs: () => [...logs.slice(-12), replicas.logs()].join('\n') });
  expect(report.faults).toHaveLength(KILLS);
}, scenarioTimeoutMs(240_000));
