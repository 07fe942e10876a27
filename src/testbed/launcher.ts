// Starting and stopping testbeds from other processes: the tests' global setup, the
// demo and the npm scripts all come through here.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processAlive } from './processes.js';
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
  const file = join(dir, STATE_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TestbedState) : undefined;
}

export interface LaunchOptions {
  /** Where the testbed lives; a fresh temp dir if omitted. */
  dir?: string;
  /** Tie the testbed's life to this process (tests, demo); false for `testbed:start`. */
  attached: boolean;
  assets?: string;
  timeoutMs?: number;
}

export async function launch(opts: LaunchOptions): Promise<TestbedState> {
  reapOrphans();
  const assets = opts.assets ?? resolveAssets();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `${DIR_PREFIX}-`));
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, SUPERVISOR_LOG), 'a');
  const args = ['--import', 'tsx', SUPERVISOR, '--dir', dir, '--assets', assets];
  if (opts.attached) args.push('--attached', '--remove-dir');
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    detached: true, // its own process group: the components go down with it
    stdio: [opts.attached ? 'pipe' : 'ignore', log, log],
  });
  // An attached supervisor holds our side of its stdin pipe; a detached one must not
  // keep us alive.
  if (!opts.attached) child.unref();
  writeFileSync(join(dir, PID_FILE), String(child.pid));
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

/** Stops the testbed in `dir` and waits until its whole process group is gone. */
export async function stop(dir: string, timeoutMs = 30_000): Promise<boolean> {
  const state = readState(dir);
  if (!state) return false;
  if (processAlive(state.pid)) process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  killGroup(state.pid, 'SIGKILL'); // whatever did not stop in time
  rmSync(join(dir, STATE_FILE), { force: true });
  rmSync(join(dir, PID_FILE), { force: true });
  return true;
}

/**
 * Kills what is left of testbeds whose supervisor died without cleaning up (it was
 * SIGKILLed itself), so no run inherits another's stray processes.
 */
export function reapOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const pidFile = join(dir, PID_FILE);
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
    if (pid > 0 && !processAlive(pid)) {
      killGroup(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
