// A control plane of the scenario's own, started in this process so that the scenario
// can stop and restart its components (the shared one belongs to every other test).
// Its processes die with a crashing test run: they are our children, and an exit hook
// kills whatever a failed teardown left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCrds } from '../../../src/api/install.js';
import { type KubeClients, loadKubeConfig, makeClients } from '../../../src/kube/client.js';
import { type RunningControlPlane, startControlPlane } from '../../../src/testbed/controlPlane.js';
import { resolveAssets } from '../../../src/testbed/launcher.js';
import { type Component, logTail } from '../../../src/testbed/processes.js';

export interface OwnPlane {
  plane: RunningControlPlane;
  kube: KubeClients;
  kubeconfig: string;
  /** A component that exited without being asked to (a crash is a finding), with its log's end. */
  crash(): string | undefined;
  /** Keeps the directory (logs, etcd) after stop: a failing scenario's evidence. */
  keep(): string;
  stop(): Promise<void>;
}

export async function startOwnPlane(scenario: string): Promise<OwnPlane> {
  const dir = mkdtempSync(join(tmpdir(), `syncpool-faults-${scenario}-`));
  // The Job controller's client rate must not be what a drain measures (see ControlPlaneOptions).
  const plane = await startControlPlane(dir, resolveAssets(), { controllerManagerQps: 100 });
  const killAll = () => { for (const c of plane.components) c.proc.kill('SIGKILL'); };
  process.once('exit', killAll);
  let crashed: Component | undefined;
  let kept = false;
  void plane.firstExit.then((c) => { crashed = c; });
  const kube = makeClients(loadKubeConfig(plane.kubeconfig));
  await applyCrds(kube);
  return {
    plane, kube, kubeconfig: plane.kubeconfig,
    crash: () => (crashed ? `${crashed.name} exited on its own:\n${logTail(crashed.logFile)}` : undefined),
    keep: () => { kept = true; return dir; },
    async stop() {
      await plane.stop();
      process.removeListener('exit', killAll);
      // Kept after a crash, or when a scenario asked: the logs are the evidence.
      if (!crashed && !kept) rmSync(dir, { recursive: true, force: true });
    },
  };
}
