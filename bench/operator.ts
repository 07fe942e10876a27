// syncpool-operator as the bench runs it: a child process at log level info (debug
// logging of 20,000 Jobs would measure the logger), whose memory and CPU we read from
// /proc. It runs the operator as it ships (tsc output of whatever src/ holds at the
// time, see test/integration/support/built.ts): no tsx in its memory or its CPU, with
// the image's Node flags and, where it can, the chart's memory limit (memoryLimit.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/testbed/ports.js';
import { built } from '../test/integration/support/built.js';
import { eventually } from '../test/integration/support/cluster.js';
import { type MemoryLimit, operatorMemoryLimit } from './memoryLimit.js';
import { cpuMsOf, rssBytesOf, settleProcess } from './proc.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * The Node flags the image runs the operator with: those between the node binary and the
 * script in the Dockerfile's last ENTRYPOINT, so the bench measures what ships.
 */
export function imageNodeFlags(dockerfile = readFileSync(`${REPO}Dockerfile`, 'utf8')): string[] {
  const entry = dockerfile.split('\n').filter((l) => l.startsWith('ENTRYPOINT ')).at(-1);
  if (!entry) throw new Error('the Dockerfile has no ENTRYPOINT');
  const argv = JSON.parse(entry.slice('ENTRYPOINT '.length)) as string[];
  return argv.slice(1, -1);
}

export class BenchOperator {
  private readonly tail: string[] = [];
  /** Its last warnings and errors: what a bench that saw it die should say. */
  private readonly complaints: string[] = [];
  private readonly exited: Promise<number | null>;
  /** When it exited (ms since the epoch), if it did. */
  exitedAt?: number;

  private constructor(private readonly proc: ChildProcess, readonly port: number, memory: MemoryLimit) {
    this.exited = new Promise((resolve) => proc.on('exit', (code) => {
      this.exitedAt = Date.now();
      const kills = memory.oomKills();
      if (kills > 0) this.tail.push(`killed by the kernel for memory: over its limit of ${memory.bytes / 2 ** 20} MiB`);
      memory.remove();
      resolve(code);
    }));
    const keep = (d: Buffer) => {
      const lines = d.toString().split('\n').filter(Boolean);
      this.tail.push(...lines);
      this.tail.splice(0, Math.max(0, this.tail.length - 40));
      this.complaints.push(...lines.filter((l) => /"level":"(warn|error)"/.test(l)));
      this.complaints.splice(0, Math.max(0, this.complaints.length - 10));
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
  }

  /**
   * `args`: more flags, after the usual ones (e.g. `--redis-url`); `nodeArgs`: flags for
   * Node itself (e.g. `--cpu-prof`, written when the operator exits on SIGTERM).
   */
  static async start(namespace: string, kubeconfig: string, args: string[] = [], nodeArgs: string[] = []): Promise<BenchOperator> {
    const port = await freePort();
    const memory = operatorMemoryLimit(`syncpool-bench-${process.pid}-${port}`);
    const [cmd, ...argv] = memory.wrap([
      process.execPath, ...imageNodeFlags(), ...nodeArgs, built().operatorMain, '--kubeconfig', kubeconfig,
      '--namespace', namespace, '--lease-namespace', namespace, '--identity', `bench-${namespace}`,
      '--http-host', '127.0.0.1', '--http-port', String(port),
      '--heartbeat-url', 'http://127.0.0.1:9/api/v1/heartbeat', '--log-level', 'info', ...args,
    ]);
    const proc = spawn(cmd!, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const op = new BenchOperator(proc, port, memory);
    await eventually('operator leading with its caches synced', async () => {
      if (proc.exitCode !== null) throw new Error(`operator exited ${proc.exitCode}:\n${op.tail.join('\n')}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.ok && (await res.text()).startsWith('leader') ? true : undefined;
    }, { timeoutMs: 180_000, intervalMs: 250 });
    return op;
  }

  /** What /readyz says, e.g. `leader, caches synced` (with `; degraded: …` while Redis is away). */
  async readyz(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/readyz`);
    return `${res.status} ${await res.text()}`;
  }

  /** Resident memory now, in bytes. */
  rssBytes(): number {
    return rssBytesOf(this.alivePid());
  }

  /** CPU time used so far (user + system), in ms. */
  cpuMs(): number {
    return cpuMsOf(this.alivePid());
  }

  /**
   * Waits until the operator is idle (under 5% of a core for 3 s in a row): it has
   * listed and reconciled what it found, and measuring starts from a quiet process.
   * Resolves with how long it was busy (the quiet seconds that prove it not counted).
   */
  settle(timeoutMs = 300_000): Promise<number> {
    return settleProcess(() => this.alivePid(), timeoutMs, () => this.tail.join('\n'));
  }

  /** Its pid; a gone operator fails the bench with its last words. */
  private alivePid(): number {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
      throw new Error(`operator exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${this.tail.join('\n')}`);
    }
    return this.proc.pid!;
  }

  /**
   * Rejects, with its last lines, once the operator has exited: raced against a long
   * wait, so that a bench whose operator died says why at once instead of timing out.
   */
  died(): Promise<never> {
    return this.exited.then((code) => {
      throw new Error(`operator exited (${code ?? this.proc.signalCode}):\n${this.tail.join('\n')}`);
    });
  }

  /** Its last warnings and errors (or, without any, its last lines). */
  lastComplaints(lines = 5): string {
    return (this.complaints.length > 0 ? this.complaints : this.tail).slice(-lines).join('\n');
  }

  lastLines(): string {
    return this.tail.join('\n');
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
