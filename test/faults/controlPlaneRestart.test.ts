// The control plane's front door and its storage restarted under one drain: kube-apiserver
// (a rolling upgrade's clean stop, and a crash) and etcd (a crash, back at once, and one
// that stays down a few seconds), at spread points of the drain. Every client loses its
// watches; the operator's leader may lose its lease (it then exits on purpose and is
// replaced, as its Deployment would do). Nothing may be over-admitted, made twice, lost
// or left stuck, and admission must resume after each restart.
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../integration/support/cluster.js';
import type { ComponentName } from '../../src/testbed/controlPlane.js';
import { expectHealthyDrain, savingLogsOnFailure } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs } from './support/mode.js';
import { type ControlPlaneScenario, explainStuck, printFigures, useOwnPlane } from './controlPlane/stage.js';

const SCENARIO = 'control plane: kube-apiserver and etcd restarted';

interface Restart {
  component: ComponentName;
  signal: 'SIGTERM' | 'SIGKILL';
  /** How long it stays down before it is started again. */
  downMs: number;
}

const KINDS: Restart[] = [
  { component: 'kube-apiserver', signal: 'SIGTERM', downMs: 0 },
  { component: 'etcd', signal: 'SIGKILL', downMs: 0 },
  { component: 'kube-apiserver', signal: 'SIGKILL', downMs: 0 },
  { component: 'etcd', signal: 'SIGKILL', downMs: 5_000 },
];
/** Each kind once per repetition of the mode (short: 4 restarts, long: 12). */
const RESTARTS = Array.from({ length: faultsMode.repetitions }, () => KINDS).flat();

const stage = useOwnPlane('cp-restart');

/**
 * kwok, the fake node's kubelet, drops a pod's stage for good when its patch fails with
 * a 500, which is what the API server answers while etcd is down (kwok v0.7.0 retries
 * only refused connections, timeouts, 503 and 429); the pod then stays Pending and its
 * Job active forever. A real kubelet retries its status updates on the next sync. Once
 * writes land again, a restarted kwok lists every pod and plays each one's stage afresh,
 * as that sync would.
 */
async function kubeletResync(s: ControlPlaneScenario): Promise<void> {
  await eventually('a write through the API server lands in etcd', async () => {
    await s.own.kube.core.createNamespacedConfigMap({ namespace: s.ns, body: { metadata: { generateName: 'etcd-probe-' } } });
    return true;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  await s.own.plane.restart('kwok');
}

/** Restarts each at an evenly spread point of the drain; returns how long each outage lasted. */
async function restartMidDrain(s: ControlPlaneScenario): Promise<number[]> {
  const outages: number[] = [];
  for (const [i, r] of RESTARTS.entries()) {
    const at = (i + 1) / (RESTARTS.length + 1);
    await eventually(`the drain ${Math.round(at * 100)}% done`, async () => (s.drain.progress() >= at ? true : undefined),
      { timeoutMs: faultsMode.drainTimeoutMs, intervalMs: 100 });
    const startedAt = Date.now();
    await s.own.plane.stopComponent(r.component, { signal: r.signal });
    await sleep(r.downMs);
    await s.own.plane.startComponent(r.component);
    if (r.component === 'etcd') await kubeletResync(s);
    s.drain.recordFault(`${r.component} ${r.signal === 'SIGKILL' ? 'killed' : 'stopped'}${r.downMs ? `, down ${r.downMs / 1000} s` : ''}`, startedAt);
    outages.push(Date.now() - startedAt);
  }
  return outages;
}

test(`kube-apiserver and etcd restarted ${RESTARTS.length} times mid-drain: cap held, no duplicate Jobs, nothing lost or stuck, admission resumes`, async () => {
  const s = await stage.scenario(SCENARIO);
  await savingLogsOnFailure(SCENARIO, () => s.operators.logs(), async () => {
    await s.drain.start();
    const outages = await restartMidDrain(s);
    const report = await s.drain.finish({
      outagesMs: outages,
      operatorExits: s.operators.exited.map((e) => `${e.identity}: ${e.code}`),
    });
    printFigures(report);
    if (report.stuck.length > 0) process.stderr.write(`[faults] stuck after the restarts:\n${await explainStuck(s, report.stuck)}\n`);
    await s.end();
    expectHealthyDrain(report);
    expect(report.faults).toHaveLength(RESTARTS.length);
    // The rest of the control plane rode it out.
    expect(s.own.crash()).toBeUndefined();
  });
}, scenarioTimeoutMs(120_000));
