// The kubectl plugin as users run it: the built artifact (tsc output of src/cli, the file
// package.json's bin installs as kubectl-syncpool), run as a subprocess against the test
// control plane, and found by the real kubectl through its plugin discovery.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAssets } from '../../../src/testbed/launcher.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Inside the repo, so the built files resolve the repo's node_modules as the installed package does. */
const CACHE = join(REPO, 'node_modules/.cache/syncpool-cli-test');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) hash.update(relative(REPO, path)).update(readFileSync(path));
    }
  };
  walk(join(REPO, 'src'));
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) hash.update(readFileSync(join(REPO, file)));
  return hash.digest('hex').slice(0, 16);
}

export interface BuiltCli {
  /** A directory holding `kubectl-syncpool`, for PATH. */
  binDir: string;
  main: string;
}

let built: BuiltCli | undefined;

/**
 * Compiles what src/cli/main.ts imports with the build's compiler options (tsconfig.build.json),
 * once per source version: later test files and runs reuse it.
 */
export function buildCli(): BuiltCli {
  if (built) return built;
  const out = join(CACHE, sourceHash());
  const result = { binDir: join(out, 'bin'), main: join(out, 'cli/main.js') };
  if (!existsSync(result.main)) {
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'bin'), { recursive: true });
    writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({
      extends: join(REPO, 'tsconfig.build.json'),
      compilerOptions: { rootDir: join(REPO, 'src'), outDir: tmp, sourceMap: false },
      files: [join(REPO, 'src/cli/main.ts')],
      include: [],
    }));
    try {
      execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(tmp, 'tsconfig.json')], { cwd: REPO, stdio: 'pipe' });
    } catch (err) {
      throw new Error(`building kubectl-syncpool failed:\n${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
    }
    // Outside a package with "type": "module" the compiled ES modules would be read as CommonJS.
    writeFileSync(join(tmp, 'package.json'), '{"type": "module"}\n');
    chmodSync(join(tmp, 'cli/main.js'), 0o755);
    symlinkSync('../cli/main.js', join(tmp, 'bin/kubectl-syncpool'));
    try {
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another test file built it meanwhile
    }
    // Builds of older sources are of no more use.
    for (const old of readdirSync(CACHE)) {
      if (old !== basename(out) && !old.includes('.tmp-')) rmSync(join(CACHE, old), { recursive: true, force: true });
    }
  }
  return (built = result);
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
