// A fake cluster and one operator, driven by hand: the deterministic tests' setup.
// Writes land at once unless `hold` is set; held writes wait in `held` until settled.
import type { EventInput } from '../../../../src/kube/events.js';
import { MemoryHeartbeatStore } from '../../../../src/heartbeat/memoryStore.js';
import { SimClock } from './clock.js';
import { FakeCluster } from './cluster.js';
import { type JobControllerOptions, QUICK, tickJobController } from './jobController.js';
import { NS } from './objects.js';
import { type Inflight, type Kind, SimOperator } from './operator.js';
import { Rng } from './random.js';
import type { Fate, PendingWrite } from './writes.js';

export class Harness {
  readonly clock = new SimClock();
  readonly cluster = new FakeCluster(this.clock);
  readonly events: EventInput[] = [];
  readonly held: PendingWrite[] = [];
  /** Keep writes for `settle` instead of landing them at once. */
  hold = false;
  /** Per write (in order), how it ends when it lands at once; 'land' when none is left. */
  readonly script: { match: RegExp; fate: Fate }[] = [];
  op: SimOperator;
  private restarts = 0;
  private readonly rng = new Rng(1);

  /** Heartbeats the operator has received, shared across its restarts like Redis would be (replace it to model a gap). */
  heartbeats = new MemoryHeartbeatStore({ now: () => this.clock.now() });

  /** `claimHints`: the pool reconciler's (false: every claim is decided by its snapshot). */
  constructor(private readonly o: { claimHints?: boolean } = {}) {
    this.op = this.startOperator();
  }

  startOperator(): SimOperator {
    const op: SimOperator = new SimOperator({
      cluster: this.cluster, clock: this.clock, id: `operator-${++this.restarts}`, claimHints: this.o.claimHints,
      events: { emit: (e) => this.events.push(e) }, heartbeats: this.heartbeats,
      onWrite: (w) => {
        if (op.dead) return;
        if (this.hold) this.held.push(w);
        else w.settle(this.scripted(w));
      },
    });
    return op;
  }

  /** Operator restart: a fresh process lists everything again. */
  restart(): SimOperator {
    this.op.kill();
    this.held.length = 0;
    this.op = this.startOperator();
    return this.op;
  }

  private scripted(w: PendingWrite): Fate {
    const i = this.script.findIndex((s) => s.match.test(w.what));
    if (i < 0) return 'land';
    return this.script.splice(i, 1)[0]!.fate;
  }

  /** Runs one reconcile to its end (writes land as scripted) and returns what it returned or threw. */
  async reconcile(kind: Kind, name: string): Promise<{ result?: unknown; error?: unknown }> {
    const key = `${NS}/${name}`;
    try {
      const result = kind === 'task' ? await this.op.taskReconciler.reconcile(key) : await this.op.poolReconciler.reconcile(key);
      return { result };
    } catch (error) {
      return { error };
    }
  }

  /** Starts a reconcile that parks on its first held write (set `hold` first). */
  start(kind: Kind, name: string): Promise<Inflight> {
    return this.op.startKey(kind, `${NS}/${name}`);
  }

  /** Settles the first held write whose description matches, letting its reconcile run on. */
  async settle(match: RegExp, fate: Fate = 'land'): Promise<void> {
    const i = this.held.findIndex((w) => match.test(w.what));
    if (i < 0) throw new Error(`no held write matches ${match}; held: ${this.held.map((w) => w.what).join('; ') || 'none'}`);
    const [w] = this.held.splice(i, 1);
    await this.op.resume(w!, fate);
  }

  /** Every cache catches up with the truth. */
  deliverAll(): void {
    for (const cache of Object.values(this.op.caches)) cache.deliver();
  }

  /** Runs the Job controller until nothing changes: every admitted Job runs and succeeds. */
  runJobs(): void {
    for (let i = 0; i < 20 && this.stepJobs().length > 0; i++);
  }

  /** One step of the Job controller (by default: pods start and finish at once). */
  stepJobs(o: Partial<JobControllerOptions> = {}): string[] {
    return tickJobController(this.cluster, this.rng, { ...QUICK, ...o });
  }

  /** Writes sent so far, as `what → fate`. */
  writes(): string[] {
    return this.op.writes.calls.map((c) => `${c.what} → ${c.fate ?? 'in flight'}`);
  }

  task(name: string) {
    return this.cluster.tasks.get(name);
  }

  pool(name: string) {
    return this.cluster.pools.get(name);
  }

  job(name: string) {
    return this.cluster.jobs.get(name);
  }
}

export { NS };
