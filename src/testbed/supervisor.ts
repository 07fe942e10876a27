// The process that owns a control plane. It runs in its own process group, so the
// components die with it, and in attached mode it also dies with the process that
// launched it: when that parent goes away, even by SIGKILL, our stdin pipe closes and
// we tear everything down. That is what keeps a killed test run from leaving
// apiservers behind.
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RunningControlPlane, startControlPlane } from './controlPlane.js';
import { STATE_FILE, ERROR_FILE, type TestbedState } from './state.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    assets: { type: 'string' },
    attached: { type: 'boolean', default: false },
    'remove-dir': { type: 'boolean', default: false },
    'controller-manager-qps': { type: 'string' },
  },
});
const dir = values.dir!;
const say = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

let plane: RunningControlPlane | undefined;
let stopping: Promise<never> | undefined;

/**
 * Idempotent: a second signal, or a component crashing while the others stop, must
 * wait for the first call, not exit half-way.
 */
function shutdown(why: string, code: number): Promise<never> {
  stopping ??= (async () => {
    say(`stopping: ${why}`);
    await plane?.stop();
    await rm(join(dir, STATE_FILE), { force: true });
    if (values['remove-dir']) await rm(dir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(sig, () => void shutdown(sig, 0));
}
if (values.attached) {
  process.stdin.on('close', () => void shutdown('parent went away', 0));
  process.stdin.resume();
}

const started = Date.now();
try {
  const qps = values['controller-manager-qps'];
  plane = await startControlPlane(dir, values.assets!, { controllerManagerQps: qps ? Number(qps) : undefined });
  const state: TestbedState = {
    pid: process.pid,
    dir,
    kubeconfig: plane.kubeconfig,
    server: plane.server,
    startMillis: Date.now() - started,
  };
  // Renamed into place: the launcher polls for this file and must never read half of it.
  await writeFile(join(dir, `${STATE_FILE}.tmp`), JSON.stringify(state, null, 2));
  await rename(join(dir, `${STATE_FILE}.tmp`), join(dir, STATE_FILE));
  say(`ready in ${state.startMillis} ms: ${plane.server}`);
  const died = await plane.firstExit;
  await shutdown(`${died.name} exited unexpectedly; see ${died.logFile}`, 1);
} catch (err) {
  await writeFile(join(dir, ERROR_FILE), String((err as Error).stack ?? err));
  await shutdown(`start failed: ${(err as Error).message}`, 1);
}
