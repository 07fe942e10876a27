// The interleaving schedule: one seed → one run of user actions, cache deliveries,
// reconciles (interleaved by holding their writes), Job controller steps, faults and
// operator restarts, checked against the truth after every step; then a quiet period in
// which everything is delivered, reconciled and run to the end, and the end state checked.
import type { KubernetesObject } from '@kubernetes/client-node';
import { controllerUid, isFinished, jobState } from '../../../../src/jobs/classify.js';
import { LABEL_POOL } from '../../../../src/jobs/labels.js';
import { TERMINAL_PHASES } from '../../../../src/api/syncTask.js';
import { SimClock, T0 } from './clock.js';
import { apiError, FakeCluster, type WatchEvent } from './cluster.js';
import { type JobControllerOptions, QUICK, tickJobController } from './jobController.js';
import type { LaggingCache } from './laggingCache.js';
import type { PoolSpecInput, TaskObject } from './objects.js';
import { type Inflight, type Kind, SimOperator } from './operator.js';
import { Rng } from './random.js';
import type { Fate, PendingWrite } from './writes.js';

export interface SimConfig {
  /** Steps of the busy phase, before the schedule quiets. */
  steps: number;
  /** At most this many tasks are created. */
  maxTasks: number;
  /** Chance that a settled write fails (refused, or lands and times out). */
  faultRate: number;
  /** Chance per step of an operator restart. */
  restartRate: number;
  jobs: JobControllerOptions;
}

export const DEFAULT_CONFIG: SimConfig = {
  steps: 120,
  maxTasks: 12,
  faultRate: 0.2,
  restartRate: 0.008,
  jobs: { finishChance: 0.35, failShare: 0.2, gcChance: 0.5, graceChance: 0.5 },
};

export interface SimResult {
  seed: number;
  failure?: string;
  log: string[];
  stats: { steps: number; admissions: number; restarts: number; faults: number; tasks: number };
}

const POOLS = ['pa', 'pb', 'pc'] as const;
const SOURCES = ['hubspot', 'salesforce', 'stripe'] as const;
const TYPES = ['contacts', 'companies', 'deals'] as const;
const PRIORITIES = [-5, 0, 0, 1, 5, 10] as const;
const REFUSALS = [429, 500, 503, 504] as const;

/** Each pool differs in one way, so every admission rule is exercised. */
function poolSpec(name: string, rng: Rng): PoolSpecInput {
  const maxWorkers = rng.pick([1, 1, 2, 3]);
  if (name === 'pa') return { maxWorkers, aging: { interval: '5s' } };
  if (name === 'pb') return { maxWorkers, overlap: 'Allow' };
  return {
    maxWorkers, sourceLimits: { hubspot: 1 },
    syncTypes: [{ source: 'hubspot', types: ['*'] }, { source: 'salesforce', types: ['contacts', 'companies'] }, { source: 'stripe', types: ['*'] }],
  };
}

class Simulation {
  readonly rng: Rng;
  readonly clock = new SimClock();
  readonly cluster: FakeCluster;
  op!: SimOperator;
  private held: PendingWrite[] = [];
  private readonly lines: string[] = [];
  private step = 0;
  private faults: number;
  private tasksCreated = 0;
  private restarts = 0;
  private faultCount = 0;
  private readonly names: string[] = [];
  /** How quickly each watch catches up in this run: some runs have one cache far behind. */
  private readonly watchSpeed: Record<string, number> = {};

  constructor(readonly seed: number, readonly config: SimConfig, private readonly verbose: boolean) {
    this.rng = new Rng(seed);
    this.faults = config.faultRate;
    this.cluster = new FakeCluster(this.clock);
    this.cluster.note = (line) => this.line(line);
    for (const kind of ['SyncTask', 'WorkerPool', 'Job', 'Pod']) this.watchSpeed[kind] = this.rng.pick([0.2, 1, 1, 4]);
  }

  /** A step's headline; built only when the run keeps a log (a failing seed is re-run with one). */
  private say(line: () => string): void {
    if (this.verbose) this.lines.push(`#${this.step} t+${((this.clock.now() - T0) / 1000).toFixed(3)}s ${line()}`);
  }

  private line(text: () => string): void {
    if (this.verbose) this.lines.push(text());
  }

  private startOperator(): void {
    const id = `operator-${this.restarts + 1}`;
    const op: SimOperator = new SimOperator({
      cluster: this.cluster, clock: this.clock, id,
      // A dead operator's later calls never reach the API server: it is gone.
      onWrite: (w) => { if (!op.dead) { this.held.push(w); this.line(() => `  ⤷ ${id} sends: ${w.what}`); } },
      log: (line) => this.line(line),
      // Claims decided by their snapshot alone in odd runs, the hint first in even ones.
      claimHints: this.seed % 2 === 0,
      onStart: (rec) => this.say(() => `reconcile ${rec.kind} ${rec.key} #${rec.id} (${op.busy(rec.kind)} other ${rec.kind} reconcile(s) in flight)`),
    });
    this.op = op;
  }

  async run(): Promise<SimResult> {
    for (const name of POOLS) if (this.rng.chance(0.75)) this.cluster.applyPool(name, poolSpec(name, this.rng));
    this.startOperator();
    this.say(() => `start: pools ${this.cluster.pools.list().map((p) => `${p.metadata.name}(max ${p.spec.maxWorkers})`).join(' ') || 'none yet'}`);

    for (this.step = 1; this.step <= this.config.steps; this.step++) {
      this.clock.advance(this.rng.int(0, 200));
      await this.busyStep();
      if (this.cluster.violations.length > 0) return this.result(this.cluster.violations[0]!);
    }
    this.say(() => '— the schedule quiets: no more user actions or faults —');
    const stuck = await this.quiesce();
    if (this.cluster.violations.length > 0) return this.result(this.cluster.violations[0]!);
    if (stuck) return this.result(stuck);
    const end = this.endState();
    return this.result(end);
  }

  private result(failure: string | undefined): SimResult {
    return {
      seed: this.seed, failure, log: this.lines,
      stats: { steps: this.step, admissions: this.cluster.admissions.length, restarts: this.restarts, faults: this.faultCount, tasks: this.tasksCreated },
    };
  }

  // ---- The busy phase ----

  private async busyStep(): Promise<void> {
    const op = this.op;
    const laggingCaches = Object.values(op.caches).filter((c) => c.lag > 0) as LaggingCache<KubernetesObject>[];
    const startable = (['task', 'pool'] as Kind[]).filter((k) => op.canStart(k));
    const action = this.rng.weighted<string>([
      ['deliver', laggingCaches.length > 0 ? 30 : 0],
      ['relist', 1.5],
      ['reconcile', startable.length > 0 ? 25 : 0],
      ['settle', this.held.length > 0 ? 14 : 0],
      ['jobs', 10],
      ['time', 3],
      ['user', 15],
      ['restart', this.config.restartRate * 100],
    ]);
    switch (action) {
      case 'deliver': {
        const cache = this.rng.weighted(laggingCaches.map((c) => [c, this.watchSpeed[c.kind] ?? 1] as const));
        const n = this.rng.chance(0.25) ? cache.lag : this.rng.int(1, Math.min(cache.lag, 2));
        const events = cache.deliver(n);
        this.say(() => `deliver ${cache.kind}: ${describeEvents(events)}`);
        break;
      }
      case 'relist': {
        const cache = this.rng.pick(Object.values(op.caches)) as LaggingCache<KubernetesObject>;
        const superseded = cache.lag;
        this.say(() => `relist ${cache.kind} (${superseded} pending events superseded)`);
        cache.relist();
        break;
      }
      case 'reconcile':
        await this.reconcile(this.rng.pick(startable), 0.5);
        break;
      case 'settle': {
        const w = this.held[this.rng.int(0, this.held.length - 1)]!;
        await this.settle(w, this.fate());
        break;
      }
      case 'jobs': {
        const changes = tickJobController(this.cluster, this.rng, this.config.jobs);
        this.say(() => `job controller: ${changes.join('; ') || 'nothing'}`);
        break;
      }
      case 'time': {
        const ms = this.rng.int(1_000, 10_000);
        this.say(() => `time passes: ${ms} ms`);
        this.clock.advance(ms);
        break;
      }
      case 'user':
        this.userAction();
        break;
      case 'restart':
        this.restart();
        break;
    }
  }

  /** Starts the next key of that kind; then, with `p` per write, lets its writes land right away. */
  private async reconcile(kind: Kind, p: number): Promise<Inflight | undefined> {
    const rec = await this.op.startNext(kind);
    if (!rec) return undefined;
    for (;;) {
      const mine = this.held.find((w) => w.owner === rec);
      if (rec.done || !mine || !this.rng.chance(p)) break;
      await this.settle(mine, this.fate());
    }
    if (!rec.done) this.line(() => `  ⤷ ${kind} ${rec.key} #${rec.id} parked on a write`);
    return rec;
  }

  private fate(): Fate {
    if (!this.rng.chance(this.faults)) return 'land';
    this.faultCount++;
    return this.rng.chance(0.4) ? 'landThenTimeout' : { refuse: apiError(this.rng.pick(REFUSALS), 'Fault', 'injected fault') };
  }

  private async settle(w: PendingWrite, fate: Fate): Promise<void> {
    this.held = this.held.filter((h) => h !== w);
    const how = typeof fate === 'string' ? fate : `refused (HTTP ${(fate.refuse as { code: number }).code})`;
    this.line(() => `#${this.step} settle: ${w.what} → ${how}`);
    await this.op.resume(w, fate);
  }

  private restart(): void {
    const inFlight = this.held.length;
    this.say(() => `operator restart (${inFlight} write(s) in flight)`);
    for (const w of this.held) {
      const fate = this.rng.chance(0.5) ? 'landSilently' : 'dropSilently';
      this.line(() => `  ⤷ in-flight ${w.what} → ${fate}`);
      w.settle(fate);
    }
    this.held = [];
    this.op.kill();
    this.restarts++;
    this.startOperator();
  }

  // ---- What users do ----

  private userAction(): void {
    const { cluster, rng } = this;
    const tasks = cluster.tasks.list();
    const pools = cluster.pools.list();
    const missingPools = POOLS.filter((p) => !cluster.pools.get(p));
    const action = rng.weighted<string>([
      ['create', this.tasksCreated < this.config.maxTasks ? 35 : 0],
      ['cancel', tasks.length > 0 ? 12 : 0],
      ['priority', tasks.length > 0 ? 15 : 0],
      ['delete', tasks.length > 0 ? 5 : 0],
      ['recreate', this.names.length > 0 && this.tasksCreated < this.config.maxTasks ? 8 : 0],
      ['maxWorkers', pools.length > 0 ? 10 : 0],
      ['pause', pools.length > 0 ? 6 : 0],
      ['createPool', missingPools.length > 0 ? 10 : 0],
    ]);
    switch (action) {
      case 'create': {
        const name = `t${this.names.length + 1}`;
        this.names.push(name);
        this.createTask(name);
        break;
      }
      case 'cancel': {
        const t = rng.pick(tasks);
        this.say(() => `user cancels ${t.metadata.name}`);
        cluster.updateTaskSpec(t.metadata.name, { cancel: true });
        break;
      }
      case 'priority': {
        const t = rng.pick(tasks);
        const priority = rng.pick(PRIORITIES);
        this.say(() => `user sets ${t.metadata.name} priority ${t.spec.priority} → ${priority}`);
        cluster.updateTaskSpec(t.metadata.name, { priority });
        break;
      }
      case 'delete': {
        const t = rng.pick(tasks);
        this.say(() => `user deletes ${t.metadata.name} (${t.metadata.uid})`);
        cluster.deleteTask(t.metadata.name);
        break;
      }
      case 'recreate': {
        const name = rng.pick(this.names);
        if (cluster.tasks.get(name)) {
          const uid = cluster.tasks.get(name)!.metadata.uid;
          this.say(() => `user deletes ${name} (${uid}) to re-create it`);
          cluster.deleteTask(name);
        }
        this.createTask(name);
        break;
      }
      case 'maxWorkers': {
        const p = rng.pick(pools);
        const maxWorkers = rng.int(0, 4);
        this.say(() => `user sets pool ${p.metadata.name} maxWorkers ${p.spec.maxWorkers} → ${maxWorkers}`);
        cluster.applyPool(p.metadata.name, { maxWorkers });
        break;
      }
      case 'pause': {
        const p = rng.pick(pools);
        this.say(() => `user ${p.spec.paused ? 'resumes' : 'pauses'} pool ${p.metadata.name}`);
        cluster.applyPool(p.metadata.name, { paused: !p.spec.paused });
        break;
      }
      case 'createPool': {
        const name = rng.pick(missingPools);
        const spec = poolSpec(name, rng);
        this.say(() => `user creates pool ${name} (max ${spec.maxWorkers})`);
        cluster.applyPool(name, spec);
        break;
      }
    }
  }

  private createTask(name: string): void {
    const { rng } = this;
    const spec = {
      pool: rng.pick(POOLS), source: rng.pick(SOURCES), syncType: rng.pick(TYPES), priority: rng.pick(PRIORITIES),
      // Some fail and try again: a retry is a second Job of the task, never alive with the first.
      ...(rng.chance(0.3) && { retry: { limit: rng.pick([1, 2]), backoff: { initial: rng.pick(['1ms', '1s']), factor: 2 } } }),
    };
    const task = this.cluster.createTask(name, spec);
    this.tasksCreated++;
    this.say(() => `user creates ${name} (${task.metadata.uid}) in ${spec.pool}: ${spec.source}/${spec.syncType} priority ${spec.priority}`);
  }

  // ---- The quiet period ----

  /** Runs everything to the end; returns why it could not, if so. */
  private async quiesce(): Promise<string | undefined> {
    this.faults = 0;
    for (const name of POOLS) {
      const pool = this.cluster.pools.get(name);
      const maxWorkers = Math.max(pool?.spec.maxWorkers ?? 0, 2);
      this.say(() => `user makes sure pool ${name} exists, is resumed, and has maxWorkers ≥ 2 (${maxWorkers})`);
      this.cluster.applyPool(name, { ...(pool ? {} : poolSpec(name, this.rng)), maxWorkers, paused: false });
    }
    for (let round = 0; round < 400; round++) {
      this.step++;
      let busy = false;
      while (this.held.length > 0) {
        busy = true;
        await this.settle(this.held[0]!, 'land');
      }
      for (const cache of Object.values(this.op.caches) as LaggingCache<KubernetesObject>[]) {
        if (cache.lag > 0) {
          busy = true;
          const events = cache.deliver();
          this.say(() => `deliver ${cache.kind}: ${describeEvents(events)}`);
        }
      }
      for (const kind of ['task', 'pool'] as Kind[]) {
        while (this.op.canStart(kind)) {
          busy = true;
          await this.reconcile(kind, 1);
          if (this.cluster.violations.length > 0) return undefined;
        }
      }
      if (busy) continue;
      const changes = tickJobController(this.cluster, this.rng, QUICK);
      if (changes.length > 0) {
        this.say(() => `job controller: ${changes.join('; ')}`);
        continue;
      }
      const next = this.clock.nextTimerAt();
      if (next === undefined) return undefined;
      // Done once every task has finished and what remains are retention timers (a day
      // away): running them would delete the tasks the end state is about. Retries and
      // requeues after a refused write come sooner than that, and still run.
      const allFinished = this.cluster.tasks.list().every((t) => TERMINAL_PHASES.has(statusOf(t).phase ?? ''));
      if (allFinished && next - this.clock.now() > RETENTION_HORIZON_MS) return undefined;
      const ms = next - this.clock.now();
      this.say(() => `time passes to the next requeue: ${ms} ms`);
      this.clock.advance(ms);
    }
    return `did not quiesce in 400 rounds: ${this.describeTasks()}`;
  }

  private describeTasks(): string {
    return this.cluster.tasks.list()
      .filter((t) => !TERMINAL_PHASES.has(statusOf(t).phase ?? ''))
      .map((t) => `${t.metadata.name}: ${statusOf(t).phase ?? 'no status'} (${statusOf(t).message ?? ''})`)
      .join('; ');
  }

  /** What must hold once everything has run: the promises a user would check by hand. */
  private endState(): string | undefined {
    const { cluster, op } = this;
    const problems: string[] = [];
    const tasksByUid = new Map(cluster.tasks.list().map((t) => [t.metadata.uid!, t]));
    const jobs = cluster.jobs.list();
    for (const task of cluster.tasks.list()) {
      const status = statusOf(task);
      const name = task.metadata.name;
      if (!status.phase || !TERMINAL_PHASES.has(status.phase)) {
        problems.push(`task ${name} ended ${status.phase ?? 'without a status'}: ${status.message ?? ''}`);
        continue;
      }
      // A reported outcome must be this task's own Job's, not an earlier incarnation's.
      if (status.phase === 'Succeeded' || status.phase === 'Failed') {
        const own = jobs.find((j) => j.metadata!.name === status.jobName && controllerUid(j) === task.metadata.uid);
        const state = own ? jobState(own) : 'no Job of its own';
        // A cancel that raced with the end of the run deletes the finished Job: that is fine.
        const deletedByCancel = !own && task.spec.cancel;
        if (state !== status.phase && !deletedByCancel) problems.push(`task ${name} reports ${status.phase} (${status.message}) but its own Job ${status.jobName} is ${state}`);
      }
    }
    for (const job of jobs) {
      const owner = tasksByUid.get(controllerUid(job) ?? '');
      const state = jobState(job);
      if (state === 'Queued' && owner && !owner.spec.cancel) {
        problems.push(`pool ${job.metadata!.labels?.[LABEL_POOL]} still queues Job ${job.metadata!.name} of live task ${owner.metadata.name} (${statusOf(owner).phase})`);
      } else if (!isFinished(job)) {
        const ownerText = owner ? `${owner.metadata.name}, ${statusOf(owner).phase}${owner.spec.cancel ? ', cancelled' : ''}` : 'gone';
        problems.push(`Job ${job.metadata!.name} left ${state} for good (owner ${ownerText})`);
      }
    }
    for (const pool of cluster.pools.list()) {
      const s = (pool.status ?? {}) as { active?: number; queued?: number };
      if (s.active !== 0 || s.queued !== 0) problems.push(`pool ${pool.metadata.name} status says active ${s.active} queued ${s.queued} with nothing left to run`);
    }
    if (op.taskCache.size > 0 || op.poolCache.size > 0) {
      problems.push(`write-through caches still hold ${op.taskCache.size} task(s) and ${op.poolCache.size} pool(s) after the watch caught up`);
    }
    if (op.expectations.size() > 0) problems.push(`${op.expectations.size()} admission expectation(s) left after the watch caught up`);
    return problems.length > 0 ? `end state: ${problems.join('\n  ')}` : undefined;
  }
}

/** Timers further away than this, once every task has finished, are retention's. */
const RETENTION_HORIZON_MS = 3_600_000;

/**
 * Runs one seed. Runs are deterministic, so the log is kept only when a run fails: it
 * is run again with one (the log costs a fifth of the time).
 */
export async function simulate(seed: number, config: SimConfig = DEFAULT_CONFIG): Promise<SimResult> {
  const quick = await new Simulation(seed, config, false).run();
  if (!quick.failure) return quick;
  const logged = await new Simulation(seed, config, true).run();
  if (logged.failure !== quick.failure) logged.failure = `${quick.failure}\n(not reproduced with the log on: ${logged.failure ?? 'passed'})`;
  return logged;
}

function statusOf(task: TaskObject): { phase?: string; jobName?: string; message?: string } {
  return (task.status ?? {}) as { phase?: string; jobName?: string; message?: string };
}

function describeEvents(events: readonly WatchEvent<KubernetesObject>[]): string {
  return events.map((e) => `${e.type} ${e.obj.metadata?.name}@${e.obj.metadata?.resourceVersion}`).join(', ');
}

/**
 * The failure as a test prints it: the seed, how to replay it, the history of the tasks
 * it names (what happened to them may be long before the end), and the last steps.
 */
export function report(r: SimResult, tail = 200): string {
  const named = [...new Set((r.failure ?? '').match(/\bt\d+\b/g) ?? [])];
  const mentions = named.length > 0 ? new RegExp(`\\b(${named.join('|')})(-\\d+)?\\b|restart`) : undefined;
  const history = mentions ? r.log.filter((line) => mentions.test(line)).slice(-80) : [];
  const lines = r.log.slice(-tail);
  return [
    `seed ${r.seed} failed: ${r.failure}`,
    `replay: SYNCPOOL_SIM_SEED=${r.seed} npm run test:unit -- test/unit/controller/interleaving`,
    ...(history.length > 0 ? [`— what happened to ${named.join(', ')} (and restarts):`, ...history] : []),
    `— the last ${lines.length} of ${r.log.length} log lines:`,
    ...lines,
  ].join('\n');
}
