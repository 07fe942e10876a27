// The operator as a Deployment runs it: N replicas, and one that exits (killed, or
// exiting on purpose after losing its lease) is replaced by a new one, named anew as a
// new pod would be. Scenarios kill and freeze replicas; this keeps the count up.
import { OperatorProcess, type OperatorOptions } from '../../integration/support/operator.js';
import { eventually } from '../../integration/support/cluster.js';
import type { KubeClients } from '../../../src/kube/client.js';

export interface ReplicaOptions extends Omit<OperatorOptions, 'identity'> {
  prefix: string;
  replicas: number;
}

export class OperatorReplicas {
  readonly running = new Set<OperatorProcess>();
  /** Replicas that exited, with their exit code and log (for a failing test's report). */
  readonly exited: { identity: string; code: number | null; log: string }[] = [];
  private born = 0;
  private stopping = false;
  private replacing: Promise<unknown> = Promise.resolve();

  constructor(private readonly kube: KubeClients, private readonly o: ReplicaOptions) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.o.replicas; i++) await this.spawn();
  }

  /** The replica holding the Lease, once one does and it is one of ours (and not `except`, e.g. a frozen one). */
  async leader({ timeoutMs = 60_000, except }: { timeoutMs?: number; except?: OperatorProcess } = {}): Promise<OperatorProcess> {
    return eventually('a leader among the replicas', async () => {
      const holder = await this.holder();
      return [...this.running].find((op) => op.identity === holder && op !== except);
    }, { timeoutMs, intervalMs: 100 });
  }

  /** The Lease's holder now, as the API server has it. */
  async holder(): Promise<string | undefined> {
    const lease = await this.kube.coordination.readNamespacedLease({ namespace: this.o.namespace, name: 'syncpool-operator' }).catch(() => undefined);
    return lease?.spec?.holderIdentity ?? undefined;
  }

  /** Resolves once every replica that exited has been replaced. */
  settled(): Promise<unknown> {
    return this.replacing;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.replacing.catch(() => undefined);
    await Promise.all([...this.running].map((op) => {
      op.proc.kill('SIGCONT'); // a frozen one could not handle SIGTERM
      return op.stop();
    }));
  }

  /** Every replica's log, the exited ones first. */
  logs(): string {
    return [...this.exited.map((e) => `--- ${e.identity} exited ${e.code}\n${e.log}`), ...[...this.running].map((op) => `--- ${op.identity}\n${op.logs.join('\n')}`)].join('\n');
  }

  /**
   * SIGKILLs a replica and waits for its replacement: under the same identity (a
   * container restarted in its pod, which renews the Lease it held at once) or a new one
   * (a new pod, which must wait the dead one's Lease out).
   */
  async kill(op: OperatorProcess, { sameIdentity = false } = {}): Promise<OperatorProcess> {
    if (sameIdentity) this.reuse.add(op);
    await op.kill();
    await this.replacing;
    return [...this.running].at(-1)!;
  }

  private readonly reuse = new Set<OperatorProcess>();

  private async spawn(identity = `${this.o.prefix}-${++this.born}`): Promise<void> {
    const op = await OperatorProcess.start({ ...this.o, identity });
    this.running.add(op);
    op.proc.once('exit', (code) => {
      this.running.delete(op);
      this.exited.push({ identity: op.identity, code, log: op.logs.join('\n') });
      const again = this.reuse.delete(op) ? op.identity : undefined;
      if (!this.stopping) this.replacing = this.replacing.catch(() => undefined).then(() => this.spawn(again));
    });
  }
}
