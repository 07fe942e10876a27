// The operator's connections to the API server cut mid-drain, and its watches forced to
// relist. It talks to the API server through two hops: FlakyProxy (TCP: resets every
// connection and refuses new ones while down) and ApiRelay (HTTP: can answer watches
// with the 410 Expired a compacted resourceVersion gets). The observer watches
// directly, so it sees the truth while the operator is blind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../integration/support/cluster.js';
import { FlakyProxy } from '../integration/runtime/proxy.js';
import { ApiRelay } from './support/apiRelay.js';
import { Drain, expectHealthyDrain, savingLogsOnFailure } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs, seededRandom } from './support/mode.js';
import { OperatorReplicas } from './support/replicas.js';
import { useScenarioStage } from './support/scenario.js';

const SCENARIO = 'watch connections cut, forced 410';
// Few in short mode: each fault within ~30 s of the last one doubles the operator's
// reconnect backoff (1 s, 2 s, 4 s … up to 30 s), so the drain's length grows
// exponentially with their number. The report's recovery times show that growth.
const CUTS = 3 * faultsMode.repetitions;
const EXPIRIES = 1 * faultsMode.repetitions;

const stage = useScenarioStage('fault-watch');

test(`${SCENARIO}: ${CUTS} cuts and ${EXPIRIES} forced relists mid-drain: cap held, nothing duplicated, lost or stuck`, async () => {
  const { kube, ns } = stage;
  const { rng, seed } = seededRandom(SCENARIO);
  const relay = await ApiRelay.start(process.env.SYNCPOOL_TEST_KUBECONFIG!);
  stage.cleanup(() => relay.close());
  const proxy = await FlakyProxy.start(new URL(`http://127.0.0.1:${relay.port}`));
  stage.cleanup(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 'syncpool-faults-'));
  stage.cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = ApiRelay.writeKubeconfig(dir, proxy.port);
  // One replica with the usual lease: a cut shorter than the renew deadline keeps it leading.
  const replicas = new OperatorReplicas(kube, { namespace: ns, prefix: 'watch', replicas: 1, args: ['--kubeconfig', kubeconfig] });
  stage.cleanup(() => replicas.stop());
  await replicas.start();
  await replicas.leader();
  await savingLogsOnFailure(SCENARIO, () => replicas.logs(), async () => {
    const drain = await Drain.prepare({ scenario: SCENARIO, kube, namespace: ns, rng, seed, waves: 6 });
    stage.cleanup(() => drain.stop());
    await drain.start();

    // Cuts and expiries in a seeded order.
    const faults = [...Array<'cut'>(CUTS).fill('cut'), ...Array<'expire'>(EXPIRIES).fill('expire')]
      .map((f) => ({ f, key: rng.next() })).sort((a, b) => a.key - b.key).map(({ f }) => f);
    const relisted: string[][] = [];
    for (const fault of faults) {
      const finished = drain.observer.finishedJobs();
      await eventually('progress before the next fault', async () => (drain.observer.finishedJobs() >= finished + rng.int(3, 8) ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 100 });
      const at = Date.now();
      if (fault === 'cut') {
        proxy.down();
        await sleep(rng.int(500, 4_000));
        proxy.up();
        drain.recordFault('connections cut', at);
      } else {
        // A watch still backing off from the last cut is not open to expire: wait for the Jobs watch.
        const jobsPath = `/apis/batch/v1/namespaces/${ns}/jobs`;
        await eventually('the Jobs watch open again', async () => (relay.watching().includes(jobsPath) ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
        const cut = relay.expireWatches();
        drain.recordFault('watches expired (410)', at);
        // Every watch that was cut comes back, gets the 410, and lists again.
        await eventually('a relist of every expired watch', async () => (relay.notRelisted(cut).length === 0 ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 100 });
        relisted.push(cut);
      }
    }

    const report = await drain.finish({ cuts: CUTS, expiries: EXPIRIES, relistedAfter410: relisted, operatorRestarts: replicas.exited.length });
    expectHealthyDrain(report, { logs: () => replicas.logs() });
    // The Jobs watch, the one admission lives on, was among those forced to relist.
    for (const paths of relisted) expect(paths).toContain(`/apis/batch/v1/namespaces/${ns}/jobs`);
  });
}, scenarioTimeoutMs(120_000));
