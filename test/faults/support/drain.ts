// A drain under fault: pools (at least three, in one namespace, since over-admission has
// come from pools sharing state), one-shot tasks and periodic tasks whose runs are
// triggered from their CronJobs (as `kubectl create job --from=cronjob/…` would: a run
// in seconds instead of at the next schedule), all watched by an independent observer.
// Work arrives in waves so a fault never finds an empty queue: the first wave at start,
// the next whenever the backlog runs low (or when the scenario asks). finish() waits for
// every task and run to end, then turns what the observer saw into the scenario's report.
//
//   const drain = await Drain.prepare({ scenario, kube, namespace, rng, seed }); // operator running
//   await drain.start();
//   …inject; drain.recordFault('kube-apiserver restarted', startedAt, clearedAt);…
//   expectHealthyDrain(await drain.finish({ anything: 'for the report' }));
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { V1CronJob } from '@kubernetes/client-node';
import { expect } from '@jest/globals';
import type { WorkerPool } from '../../../src/api/types.js';
import { isAlreadyExists, type KubeClients } from '../../../src/kube/client.js';
import type { Rng } from '../../unit/controller/sim/random.js';
import { eventually } from '../../integration/support/cluster.js';
import { triggerRun } from '../../integration/support/cronJobs.js';
import { SyncpoolApi } from '../../integration/support/syncpool.js';
import { faultsMode } from './mode.js';
import { DrainObserver } from './observer.js';
import { type FaultRecovery, recordScenario, REPORT_FILE, type ScenarioReport } from './report.js';

export interface PoolPlan {
  name: string;
  maxWorkers: number;
  /** How long each of its syncs runs on the fake node. */
  runFor: string;
  spec?: Partial<WorkerPool['spec']>;
}

/** Three pools of different caps and run lengths. */
export const DEFAULT_POOLS: PoolPlan[] = [
  { name: 'crm', maxWorkers: 4, runFor: '1s' },
  { name: 'exports', maxWorkers: 5, runFor: '1500ms' },
  { name: 'scrapers', maxWorkers: 3, runFor: '500ms' },
];

/** Midnight on New Year's Day: the CronJob controller never fires during a test. */
const NEVER = '0 0 1 1 *';
const SOURCES = ['hubspot', 'salesforce', 'zendesk', 'stripe'];

export interface DrainOptions {
  scenario: string;
  kube: KubeClients;
  namespace: string;
  rng: Rng;
  seed?: number;
  pools?: PoolPlan[];
  tasks?: number;
  periodic?: number;
  runsPerPeriodic?: number;
  /** Work is submitted in this many waves (default 4). */
  waves?: number;
  /** Default true: the next wave goes in when the backlog drops below half a wave. Else submitWave(). */
  autoWaves?: boolean;
}

interface Wave {
  tasks: { name: string; pool: string; source: string; syncType: string; priority: number }[];
  runs: { cronJob: string; suffix: string }[];
}

interface Fault { kind: string; startedAt: number; clearedAt: number; queued: number }

export class Drain {
  readonly api: SyncpoolApi;
  readonly observer: DrainObserver;
  readonly pools: PoolPlan[];
  /** One-shot tasks and periodic runs (Job names) submitted so far. */
  readonly submitted = { tasks: [] as string[], runs: [] as string[] };
  private readonly waves: Wave[];
  private readonly faults: Fault[] = [];
  private readonly cronJobs = new Map<string, V1CronJob>();
  private next = 0;
  private startedAt = 0;
  private auto?: NodeJS.Timeout;
  private submitting?: Promise<unknown>;

  private constructor(private readonly o: DrainOptions) {
    this.api = new SyncpoolApi(o.kube, o.namespace);
    this.observer = new DrainObserver(o.kube, o.namespace);
    this.pools = o.pools ?? DEFAULT_POOLS;
    if (this.pools.length < 3) throw new Error('a fault drain runs at least three pools in one namespace');
    this.waves = plan(o, this.pools);
  }

  /**
   * Starts the observer, creates the pools and the periodic tasks, and waits for the
   * operator to have made their CronJobs (so an operator must be running).
   */
  static async prepare(o: DrainOptions): Promise<Drain> {
    const drain = new Drain(o);
    await drain.observer.start();
    for (const p of drain.pools) await drain.api.createPool(p.name, { maxWorkers: p.maxWorkers, heartbeat: 'Optional', ...p.spec }, p.runFor);
    const periodic = o.periodic ?? faultsMode.periodic;
    for (let i = 0; i < periodic; i++) {
      const name = `p${String(i).padStart(3, '0')}`;
      await drain.api.createTask(name, { pool: drain.pools[i % drain.pools.length]!.name, source: 'warehouse', syncType: name, schedule: NEVER });
    }
    for (let i = 0; i < periodic; i++) {
      const name = `p${String(i).padStart(3, '0')}`;
      drain.cronJobs.set(name, await eventually(`CronJob of periodic task ${name}`, async () => {
        const cj = await o.kube.batch.readNamespacedCronJob({ namespace: o.namespace, name }).catch(() => undefined);
        return cj?.spec?.jobTemplate.spec?.suspend === true ? cj : undefined;
      }, { timeoutMs: 60_000, intervalMs: 250 }));
    }
    return drain;
  }

  /** Submits the first wave (and, unless autoWaves is off, the rest as the backlog drains). */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.submitWave();
    if (this.o.autoWaves === false) return;
    const waveSize = Math.ceil((this.o.tasks ?? faultsMode.tasks) / this.waves.length);
    this.auto = setInterval(() => {
      if (this.submitting || this.next >= this.waves.length || this.backlog() >= waveSize / 2) return;
      void this.submitWave();
    }, 250);
  }

  get wavesLeft(): number {
    return this.waves.length - this.next;
  }

  /** Submits the next wave; false when all are in. Creates are retried (a fault may be on). */
  async submitWave(): Promise<boolean> {
    while (this.submitting) await this.submitting;
    const wave = this.waves[this.next++];
    if (!wave) return false;
    const work = (async () => {
      await inParallel(wave.tasks, 8, ({ name, ...spec }) => retried(`create task ${name}`, () => this.api.createTask(name, spec)));
      this.submitted.tasks.push(...wave.tasks.map((t) => t.name));
      await inParallel(wave.runs, 4, (r) => retried(`trigger ${r.cronJob}-manual-${r.suffix}`,
        () => triggerRun(this.o.kube, this.o.namespace, this.cronJobs.get(r.cronJob)!, r.suffix)));
      this.submitted.runs.push(...wave.runs.map((r) => `${r.cronJob}-manual-${r.suffix}`));
    })();
    this.submitting = work;
    try {
      await work;
    } finally {
      this.submitting = undefined;
    }
    return true;
  }

  /** One-shot tasks submitted and not final, plus triggered runs not finished. */
  backlog(): number {
    return this.unfinishedTasks().length + this.unfinishedRuns().length;
  }

  /** The fraction of all planned work that has ended. */
  progress(): number {
    const total = this.waves.reduce((n, w) => n + w.tasks.length + w.runs.length, 0);
    const ended = this.submitted.tasks.length + this.submitted.runs.length - this.backlog();
    return ended / total;
  }

  /**
   * Records a fault: it began at `startedAt` and the harness stopped interfering at
   * `clearedAt` (for a fault the system must heal by itself, a dead or frozen leader,
   * that is the injection itself). Recovery is timed from `clearedAt`.
   */
  recordFault(kind: string, startedAt: number, clearedAt = Date.now()): void {
    this.faults.push({ kind, startedAt, clearedAt, queued: this.observer.queuedNow() });
  }

  /**
   * Submits what is left, waits for everything to end (or the mode's drain timeout),
   * and records the report. Never throws for an unfinished drain: that is the report's
   * `stuck`, asserted by the scenario with the detail in view.
   */
  async finish(notes: Record<string, unknown> = {}): Promise<ScenarioReport> {
    clearInterval(this.auto);
    while (await this.submitWave());
    const deadline = this.startedAt + faultsMode.drainTimeoutMs;
    await eventually('the drain to end', async () => (this.backlog() === 0 ? true : undefined),
      { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 250 }).catch(() => undefined);
    const report = this.report(notes);
    recordScenario(report);
    return report;
  }

  stop(): void {
    clearInterval(this.auto);
    this.observer.stop();
  }

  private unfinishedTasks(): string[] {
    return this.submitted.tasks.filter((name) => {
      const t = this.observer.tasks.get(name);
      return !t?.finalAt && !t?.deleted;
    });
  }

  private unfinishedRuns(): string[] {
    const ended = new Set([...this.observer.jobs.values()].filter((j) => j.finishedAt !== undefined || j.deleted).map((j) => j.name));
    return this.submitted.runs.filter((name) => !ended.has(name));
  }

  private report(notes: Record<string, unknown>): ScenarioReport {
    const obs = this.observer;
    const jobs = [...obs.jobs.values()];
    // Lost: gone before finishing, or its last Job deleted unfinished with none made after.
    const lostTasks = this.submitted.tasks.filter((name) => {
      const t = obs.tasks.get(name);
      if (t?.finalAt) return false;
      const last = jobs.filter((j) => j.task === name).sort((a, b) => a.firstSeenAt - b.firstSeenAt).at(-1);
      return t?.deleted === true || (last?.deleted === true && last.finishedAt === undefined);
    });
    const lostRuns = this.submitted.runs.filter((name) => jobs.some((j) => j.name === name && j.deleted && j.finishedAt === undefined));
    const ends = [
      ...this.submitted.tasks.map((n) => obs.tasks.get(n)?.finalAt ?? 0),
      ...jobs.filter((j) => this.submitted.runs.includes(j.name)).map((j) => j.finishedAt ?? 0),
    ];
    return {
      scenario: this.o.scenario,
      mode: faultsMode.name,
      seed: this.o.seed,
      pools: this.pools.map((p) => ({
        name: p.name,
        maxWorkers: obs.capsOf(p.name),
        maxActive: obs.maxActive(p.name),
      })),
      tasks: { oneShot: this.submitted.tasks.length, periodicRuns: this.submitted.runs.length },
      overCap: obs.overCap(),
      overCapStrict: obs.overCap({ strict: true }),
      duplicates: obs.duplicates(),
      lost: [...lostTasks, ...lostRuns],
      stuck: [...this.unfinishedTasks(), ...this.unfinishedRuns()].filter((n) => !lostTasks.includes(n) && !lostRuns.includes(n)),
      failed: [
        ...this.submitted.tasks.map((n) => obs.tasks.get(n)).filter((t) => t?.finalAt !== undefined && t.phase !== 'Succeeded')
          .map((t) => `task ${t!.name}: ${t!.phase}`),
        // The drain's own pools: a scenario may run deliberate failures beside it.
        ...jobs.filter((j) => j.state === 'Failed' && this.pools.some((p) => p.name === j.pool)).map((j) => `job ${j.name}: Failed`),
      ],
      faults: this.faults.map((f): FaultRecovery => {
        const admitted = f.queued > 0 ? obs.firstAdmissionAfter(f.clearedAt) : undefined;
        return { fault: f.kind, lastedMs: f.clearedAt - f.startedAt, recoveryMs: admitted === undefined ? undefined : admitted - f.clearedAt, queued: f.queued };
      }),
      drainMs: Math.max(...ends) - this.startedAt,
      observer: obs.watchHealth(),
      notes,
    };
  }
}

/**
 * What every scenario promises: nothing over the cap, no Job made twice for one attempt,
 * nothing lost, stuck or failed, and after every fault that left work queued, the
 * operator admitted again (within a bound generous enough for a busy machine: it only
 * proves recovery happened).
 */
export function expectHealthyDrain(
  report: ScenarioReport, { recoveryBoundMs = 120_000, logs = () => '' }: { recoveryBoundMs?: number; logs?: () => string } = {},
): void {
  const unrecovered = report.faults.filter((f) => f.queued > 0 && (f.recoveryMs === undefined || f.recoveryMs > recoveryBoundMs));
  const problems = report.overCap.length + report.duplicates.length + report.lost.length + report.stuck.length + report.failed.length + unrecovered.length;
  if (problems > 0) saveLogs(report.scenario, logs());
  expect(report.overCap).toEqual([]);
  expect(report.duplicates).toEqual([]);
  expect(report.lost).toEqual([]);
  expect(report.stuck).toEqual([]);
  expect(report.failed).toEqual([]);
  expect(unrecovered).toEqual([]);
}

/** Writes the operators' logs beside the report, for a scenario that went wrong. */
export function saveLogs(scenario: string, logs: string): void {
  const file = join(dirname(REPORT_FILE), `faults-${scenario.replace(/[^a-z0-9]+/gi, '-')}.log`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, logs);
  process.stderr.write(`[faults] ${scenario}: operator logs in ${file}\n`);
}

/** Runs a scenario's body; if it throws (or SYNCPOOL_FAULTS_LOGS is set), the operators' logs are saved. */
export async function savingLogsOnFailure(scenario: string, logs: () => string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    saveLogs(scenario, logs());
    throw err;
  }
  if (process.env.SYNCPOOL_FAULTS_LOGS) saveLogs(scenario, logs());
}

/** The waves: one-shot tasks spread over pools round-robin, periodic runs spread over waves. */
function plan(o: DrainOptions, pools: PoolPlan[]): Wave[] {
  const count = o.waves ?? 4;
  const waves: Wave[] = Array.from({ length: count }, () => ({ tasks: [], runs: [] }));
  const tasks = o.tasks ?? faultsMode.tasks;
  for (let i = 0; i < tasks; i++) {
    const name = `t${String(i).padStart(4, '0')}`;
    // Own syncType each (overlap Forbid would serialise equal ones); random priority for a real order.
    waves[Math.floor((i * count) / tasks)]!.tasks.push({
      name, pool: pools[i % pools.length]!.name, source: o.rng.pick(SOURCES), syncType: name, priority: o.rng.int(-3, 3),
    });
  }
  const periodic = o.periodic ?? faultsMode.periodic;
  const runs = o.runsPerPeriodic ?? faultsMode.runsPerPeriodic;
  for (let p = 0; p < periodic; p++) {
    for (let r = 0; r < runs; r++) {
      waves[o.rng.int(0, count - 1)]!.runs.push({ cronJob: `p${String(p).padStart(3, '0')}`, suffix: `r${r}` });
    }
  }
  return waves;
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!);
  }));
}

/** A create that may meet a fault: retried until it lands; AlreadyExists means an earlier try did. */
function retried(what: string, create: () => Promise<unknown>): Promise<unknown> {
  return eventually(what, () => create().then(() => true, (err: unknown) => {
    if (isAlreadyExists(err)) return true;
    throw err;
  }), { timeoutMs: 120_000, intervalMs: 500 });
}
