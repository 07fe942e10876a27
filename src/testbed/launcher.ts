// Starting and stopping testbeds from other processes: the tests' global setup, the
// demo and the npm scripts all come through here.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveness, type Liveness, parseRecord, recordFor, type SupervisorRecord } from './identity.js';
import { ERROR_FILE, PID_FILE, STATE_FILE, SUPERVISOR_LOG, type TestbedState } from './state.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SUPERVISOR = fileURLToPath(new URL('./supervisor.ts', import.meta.url));
export const DIR_PREFIX = 'syncpool-testbed';

/**
 * The directory with etcd, kube-apiserver, ... : KUBEBUILDER_ASSETS if set, else the
 * cached build, building it first if needed (~15 minutes cold on 2 cores; progress on stderr).
 */
export function resolveAssets(): string {
  const out = execFileSync('bash', [join(REPO, 'hack/testbed-build.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return out.trim().split('\n').at(-1)!;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function readState(dir: string): TestbedState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as TestbedState;
  } catch {
    return undefined; // not there (yet), or from a supervisor killed mid-write
  }
}

function readSupervisor(dir: string): SupervisorRecord | undefined {
  const file = join(dir, PID_FILE);
  return existsSync(file) ? parseRecord(readFileSync(file, 'utf8')) : undefined;
}

/** The state of the testbed running in `dir`, if its supervisor is alive. */
export function running(dir: string): TestbedState | undefined {
  const rec = readSupervisor(dir);
  return rec && liveness(rec) === 'alive' ? readState(dir) : undefined;
}

export interface LaunchOptions {
  /** Where the testbed lives; a fresh temp dir if omitted. */
  dir?: string;
  /** Tie the testbed's life to this process (tests, demo); false for `testbed:start`. */
  attached: boolean;
  assets?: string;
  timeoutMs?: number;
  /** Raise the controller-manager's client rate limit (benchmarks; see ControlPlaneOptions). */
  controllerManagerQps?: number;
}

// What a testbed writes into its directory. A start always begins from none of it: the
// PKI and ports are new each time, so an old etcd would hold a node, leases and
// service-account tokens that no longer fit (and `nodes "kwok-node-0" already exists`).
const RUN_FILES = ['etcd', 'pki', 'kubeconfig', STATE_FILE, `${STATE_FILE}.tmp`, ERROR_FILE, PID_FILE];
const LOGS = 'logs';
const PREVIOUS_LOGS = 'logs.previous';

/**
 * Makes a reused directory ready for a new testbed: refuses if one runs there, stops
 * what a crashed one left running, removes its data and keeps its logs one run back
 * (they explain a crash).
 */
async function prepareDir(dir: string): Promise<void> {
  const rec = readSupervisor(dir);
  if (rec && liveness(rec) === 'alive') throw new Error(`a testbed is already running in ${dir} (stop it first)`);
  await stop(dir);
  for (const f of RUN_FILES) rmSync(join(dir, f), { recursive: true, force: true });
  if (existsSync(join(dir, LOGS)) || existsSync(join(dir, SUPERVISOR_LOG))) {
    rmSync(join(dir, PREVIOUS_LOGS), { recursive: true, force: true });
    mkdirSync(join(dir, LOGS), { recursive: true });
    if (existsSync(join(dir, SUPERVISOR_LOG))) renameSync(join(dir, SUPERVISOR_LOG), join(dir, LOGS, SUPERVISOR_LOG));
    renameSync(join(dir, LOGS), join(dir, PREVIOUS_LOGS));
  }
}

export async function launch(opts: LaunchOptions): Promise<TestbedState> {
  reapOrphans();
  const assets = opts.assets ?? resolveAssets();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `${DIR_PREFIX}-`));
  mkdirSync(dir, { recursive: true });
  if (opts.dir) await prepareDir(dir);
  const log = openSync(join(dir, SUPERVISOR_LOG), 'a');
  const args = ['--import', 'tsx', SUPERVISOR, '--dir', dir, '--assets', assets];
  if (opts.attached) args.push('--attached', '--remove-dir');
  if (opts.controllerManagerQps) args.push('--controller-manager-qps', String(opts.controllerManagerQps));
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    detached: true, // its own process group: the components go down with it
    stdio: [opts.attached ? 'pipe' : 'ignore', log, log],
  });
  // An attached supervisor holds our side of its stdin pipe; a detached one must not
  // keep us alive.
  if (!opts.attached) child.unref();
  writeFileSync(join(dir, PID_FILE), JSON.stringify(recordFor(child.pid!)));
  let exitCode: number | null | undefined;
  child.on('exit', (code) => { exitCode = code ?? -1; });

  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (;;) {
    const state = readState(dir);
    if (state) {
      if (opts.attached) {
        // Keep the pipe open but let the event loop exit if nothing else runs.
        (child.stdin as unknown as { unref?: () => void }).unref?.();
        child.unref();
      }
      return state;
    }
    if (exitCode !== undefined || Date.now() > deadline) {
      const why = existsSync(join(dir, ERROR_FILE))
        ? readFileSync(join(dir, ERROR_FILE), 'utf8')
        : readFileSync(join(dir, SUPERVISOR_LOG), 'utf8');
      if (exitCode === undefined) killGroup(child.pid!, 'SIGKILL');
      throw new Error(`the testbed control plane did not start (logs in ${dir}):\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether any process of the group still exists (zombies included, hence the bound). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Stops the testbed in `dir` and waits until its whole process group is gone. True if
 * anything of it was still running (its supervisor, or components a crash left behind).
 */
export async function stop(dir: string, timeoutMs = 30_000): Promise<boolean> {
  const state = readState(dir);
  const rec = readSupervisor(dir) ?? (state ? { pid: state.pid } : undefined);
  if (!rec) return false;
  const was: Liveness = liveness(rec);
  if (was === 'alive') {
    process.kill(rec.pid, 'SIGTERM');
    await waitUntil(() => liveness(rec) !== 'alive', timeoutMs);
  }
  const leftovers = was !== 'gone' && groupExists(rec.pid);
  if (leftovers) {
    killGroup(rec.pid, 'SIGKILL'); // whatever did not stop in time, or outlived a crash
    await waitUntil(() => !groupExists(rec.pid), 5_000);
  }
  rmSync(join(dir, STATE_FILE), { force: true });
  rmSync(join(dir, PID_FILE), { force: true });
  return was === 'alive' || leftovers;
}

/**
 * Kills what is left of testbeds whose supervisor died without cleaning up (it was
 * SIGKILLed itself), so no run inherits another's stray processes; directories from
 * an earlier boot are removed without signalling anything.
 */
export function reapOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const rec = readSupervisor(dir);
    if (!rec) continue;
    const state = liveness(rec);
    if (state === 'alive') continue;
    if (state === 'dead') killGroup(rec.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
