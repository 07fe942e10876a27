// The kubectl plugin as users run it: the built artifact (tsc output of src/cli, the file
// package.json's bin installs as kubectl-syncpool), run as a subprocess against the test
// control plane, and found by the real kubectl through its plugin discovery.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveAssets } from '../../../src/testbed/launcher.js';
import { built } from '../support/built.js';

export interface BuiltCli {
  /** A directory holding `kubectl-syncpool`, for PATH. */
  binDir: string;
  main: string;
}

/** The plugin as package.json's bin installs it (built once per source version, see built.ts). */
export function buildCli(): BuiltCli {
  const { binDir, cliMain } = built();
  return { binDir, main: cliMain };
}

/** kubectl of the testbed's Kubernetes release (hack/testbed-build.sh builds it). */
export function kubectl(): string {
  const bin = join(resolveAssets(), 'kubectl');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`no kubectl at ${bin}: hack/testbed-build.sh builds it with the control plane; run npm run testbed:build`);
  }
  return bin;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** PATH with the plugin first, and the node running the tests (the plugin's shebang is `env node`). */
export function pluginEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { binDir } = buildCli();
  return {
    ...process.env,
    PATH: [binDir, dirname(process.execPath), process.env.PATH].join(':'),
    KUBECONFIG: process.env.SYNCPOOL_TEST_KUBECONFIG,
    ...extra,
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `kubectl-syncpool <args>`, the built executable itself, with KUBECONFIG set to the test cluster. */
export function syncpool(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<Run> {
  return run(join(buildCli().binDir, 'kubectl-syncpool'), args, pluginEnv(env), timeoutMs);
}

/** `kubectl <args>` with the plugin on PATH. */
export function kubectlRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(kubectl(), args, pluginEnv(env));
}

/** Runs a read verb with -o json; fails with what the plugin said unless it exits 0. */
export async function json<T = Record<string, unknown>>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await syncpool([...args, '-o', 'json'], env);
  if (r.code !== 0) throw new Error(`kubectl syncpool ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A long-running verb (watch) whose output is read as it comes. */
export class Streaming {
  private text = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => { this.text += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { this.text += d.toString(); });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static start(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Streaming {
    return new Streaming(spawn(file, args, { env: pluginEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get output(): string {
    return this.text;
  }

  /** Resolves with what `seen` finds in the output so far, as soon as it finds it. */
  async until<T>(what: string, seen: (output: string) => T | undefined, { timeoutMs = 90_000 } = {}): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = seen(this.text);
      if (found !== undefined) return found;
      if (this.proc.exitCode !== null) throw new Error(`exited ${this.proc.exitCode} before ${what}:\n${this.text.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${this.text.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, as Ctrl-C would end it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
    return this.exited;
  }
}
