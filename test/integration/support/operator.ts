// Runs syncpool-operator as a real child process against the test control plane, so
// tests can SIGKILL it, restart it and run two replicas. Each test file scopes its
// operators to its own namespace (and Lease), so files do not see each other's work.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/testbed/ports.js';
import { built } from './built.js';
import { eventually } from './cluster.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface OperatorOptions {
  namespace: string;
  identity: string;
  /** Fast leases keep failover tests short; the defaults (15 s) are what production uses. */
  lease?: { duration: number; renewDeadline: number; retryPeriod: number };
  /** More flags, after the usual ones (e.g. a short --heartbeat-status-interval). */
  args?: string[];
  /** A control plane other than the shared one (default: SYNCPOOL_TEST_KUBECONFIG). */
  kubeconfig?: string;
}

export class OperatorProcess {
  readonly logs: string[] = [];
  private exit?: Promise<number | null>;

  private constructor(readonly proc: ChildProcess, readonly port: number, readonly identity: string) {
    this.exit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    const keep = (d: Buffer) => { this.logs.push(...d.toString().split('\n').filter(Boolean)); };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
  }

  static async start(o: OperatorOptions): Promise<OperatorProcess> {
    const port = await freePort();
    const lease = o.lease ?? { duration: 15, renewDeadline: 10, retryPeriod: 2 };
    const args = [
      built().operatorMain,
      '--kubeconfig', o.kubeconfig ?? process.env.SYNCPOOL_TEST_KUBECONFIG!,
      '--namespace', o.namespace, '--lease-namespace', o.namespace,
      '--identity', o.identity, '--http-host', '127.0.0.1', '--http-port', String(port),
      '--heartbeat-url', 'http://127.0.0.1:9/api/v1/heartbeat', '--log-level', 'debug',
      '--lease-duration', String(lease.duration), '--renew-deadline', String(lease.renewDeadline),
      '--retry-period', String(lease.retryPeriod),
      ...(o.args ?? []),
    ];
    const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const op = new OperatorProcess(proc, port, o.identity);
    await eventually(`operator ${o.identity} serving /healthz`, async () => {
      if (proc.exitCode !== null) throw new Error(`operator exited ${proc.exitCode}:\n${op.logs.slice(-20).join('\n')}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, { timeoutMs: 30_000 });
    return op;
  }

  async readyz(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/readyz`);
    return `${res.status} ${await res.text()}`;
  }

  /** The operator's last log lines, for a failing test's report. */
  tail(lines = 40): string {
    return this.logs.slice(-lines).join('\n');
  }

  /** SIGKILL: no cleanup, no lease release — a crash. */
  async kill(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM: graceful shutdown; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill('SIGTERM');
    return this.exit!;
  }
}
