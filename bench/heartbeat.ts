// Heartbeats against a real operator process, once with heartbeats kept in its memory
// and once in a real redis-server (--redis-url). One namespace and one operator per
// store: N live sync runs (pods Running on the fake node for an hour) with a pod-bound
// token each; then
//  1. the steady state: every run beats every 10 s, spread evenly (open loop), for
//     `steadySeconds`: latency, the operator's memory and CPU, and the API calls it
//     makes meanwhile, counted by kube-apiserver (status writes, TokenReviews);
//  2. what one operator accepts: C senders in a closed loop over all runs' tokens,
//     after a warm-up beat per run, so TokenReview answers are cached as they would be
//     (by a fresh operator, said so, if the steady state left the first one dead).
// The operator runs with its default --heartbeat-status-interval (30 s). Every answer
// must be 200: refusals are counted, shown, and fail the bench; so does an operator
// that exits meanwhile, reported with its last warnings and what was measured until then.
import { randomBytes } from 'node:crypto';
import { eventually } from '../test/integration/support/cluster.js';
import { RedisServer } from '../test/integration/support/redis.js';
import { type Counts, delta, scrape, total } from './apiserverMetrics.js';
import { accepted, HeartbeatClient, type LoadResult, refused } from './heartbeatLoad.js';
import { createTasks, mintTokens, runningPods } from './liveRuns.js';
import { RawApi } from './rawApi.js';
import type { BenchOperator } from './operator.js';
import { type BenchStage, withStage } from './stage.js';
import { fmt, mib, type Percentiles, percentiles, secs } from './stats.js';

const POOL = 'hb';
const STATUS_INTERVAL_S = 30; // the operator's default --heartbeat-status-interval

export type Store = 'memory' | 'redis';

export interface HeartbeatPlan {
  /** Live runs, each beating. */
  tasks: number;
  /** Steady state: each run beats once per period, for this long. */
  steadySeconds: number;
  periodMs: number;
  /** Closed loop: senders in parallel, for this long. */
  senders: number;
  burstSeconds: number;
}

/** API calls the operator made during a measurement, as kube-apiserver counted them. */
interface ApiCalls {
  /** PATCH synctasks/status, by HTTP code. */
  statusWrites: Map<string, number>;
  tokenReviews: number;
  /** Live pod reads (a pod its cache did not know yet). */
  podReads: number;
  seconds: number;
}

export interface HeartbeatResult {
  store: Store;
  createMs: number;
  runningMs: number;
  tokensMs: number;
  rssBefore: number;
  rssRunning: number;
  steady: Steady;
  /** Undefined when the operator did not survive the steady state. */
  burst?: Burst;
  /** The operator exited meanwhile: when, and its last words. */
  failure?: string;
}

interface Steady {
  load: LoadResult;
  /** Of accepted heartbeats; undefined if none was. */
  latency?: Percentiles;
  calls: ApiCalls;
  /** Operator CPU, % of one core. */
  cpu: number;
  /** Redis commands per heartbeat; redis only. */
  redisPerBeat?: number;
  rssAfter?: number;
}

interface Burst {
  /** A beat per run first; refused ones there skip the measurement. */
  warm: LoadResult;
  load?: LoadResult;
  latency?: Percentiles;
  calls?: ApiCalls;
  /** The steady state's operator exited: this one was started afresh for the closed loop. */
  freshOperator: boolean;
}

function calls(before: Counts, after: Counts, seconds: number): ApiCalls {
  return {
    statusWrites: delta(before, after, 'PATCH', 'synctasks', 'status'),
    tokenReviews: total(delta(before, after, 'POST', 'tokenreviews')),
    podReads: total(delta(before, after, 'GET', 'pods')),
    seconds,
  };
}

/** Runs `fn` between two scrapes of kube-apiserver's request counts. */
async function counted<T>(stage: BenchStage, fn: () => Promise<T>): Promise<[T, ApiCalls]> {
  const before = await scrape(stage.kube);
  const t0 = Date.now();
  const value = await fn();
  const seconds = (Date.now() - t0) / 1000;
  return [value, calls(before, await scrape(stage.kube), seconds)];
}

const redisCommands = async (redis: RedisServer) =>
  Number((await redis.withClient((c) => c.info('stats'))).match(/^total_commands_processed:(\d+)/m)![1]);

/** Steady state: every run beats once per period, evenly spread, for steadySeconds. */
async function steadyState(stage: BenchStage, tokens: string[], plan: HeartbeatPlan, redis?: RedisServer): Promise<Steady> {
  const { operator } = stage;
  const cpu0 = operator.cpuMs();
  const cmd0 = redis && await redisCommands(redis);
  const client = new HeartbeatClient(operator.port);
  const [load, calls] = await counted(stage, () => client.openLoop(tokens, plan.periodMs, plan.steadySeconds * 1000))
    .finally(() => client.close());
  const steady: Steady = { load, latency: latencyOf(load), calls, cpu: NaN };
  if (operator.exitedAt !== undefined) return steady;
  steady.cpu = ((operator.cpuMs() - cpu0) / (calls.seconds * 1000)) * 100;
  if (redis && cmd0 !== undefined) steady.redisPerBeat = (await redisCommands(redis) - cmd0) / load.latencies.length;
  steady.rssAfter = operator.rssBytes();
  return steady;
}

const latencyOf = (load: LoadResult) => (load.latencies.length > 0 ? percentiles(load.latencies) : undefined);

/**
 * Closed loop over every run's token, after a warm-up beat per run (TokenReview answers
 * cached). An operator the steady state left dead is replaced by a fresh one first.
 */
async function burst(stage: BenchStage, tokens: string[], plan: HeartbeatPlan, redis?: RedisServer): Promise<Burst> {
  const freshOperator = stage.operator.exitedAt !== undefined;
  if (freshOperator) {
    await stage.restartOperator();
    if (redis) await connectedToRedis(stage.operator);
  }
  const client = new HeartbeatClient(stage.operator.port);
  try {
    const warm = await client.closedLoop(tokens, plan.senders, 300_000, tokens.length);
    if (refused(warm) > 0) return { warm, freshOperator };
    const [load, calls] = await counted(stage, () => client.closedLoop(tokens, plan.senders, plan.burstSeconds * 1000));
    return { warm, load, latency: latencyOf(load), calls, freshOperator };
  } finally {
    client.close();
  }
}

const connectedToRedis = (operator: BenchOperator) => eventually('operator connected to Redis',
  async () => !(await operator.readyz()).includes('degraded') || undefined, { timeoutMs: 30_000, intervalMs: 250 });

async function measure(stage: BenchStage, store: Store, plan: HeartbeatPlan, redis: RedisServer | undefined): Promise<HeartbeatResult> {
  const { kube, ns, operator } = stage;
  if (redis) await connectedToRedis(operator);
  const rssBefore = operator.rssBytes();
  const raw = await RawApi.connect(kube, 16);
  try {
    const t0 = Date.now();
    await createTasks(raw, ns, POOL, 'hb', plan.tasks);
    const createMs = Date.now() - t0;
    const pods = await runningPods(raw, ns, POOL, plan.tasks, 1_200_000);
    const runningMs = Date.now() - t0;
    await operator.settle();
    const rssRunning = operator.rssBytes();
    const t1 = Date.now();
    const tokens = await mintTokens(raw, ns, pods);
    const tokensMs = Date.now() - t1;
    const started = Date.now();
    const result: HeartbeatResult = {
      store, createMs, runningMs, tokensMs, rssBefore, rssRunning,
      steady: await steadyState(stage, tokens, plan, redis),
    };
    if (operator.exitedAt !== undefined) {
      result.failure = `the operator exited ${secs(operator.exitedAt - started)} into the steady state:\n${operator.lastComplaints()}`;
    }
    result.burst = await burst(stage, tokens, plan, redis);
    if (stage.operator.exitedAt !== undefined) {
      result.failure = `${result.failure ? `${result.failure}\n` : ''}the operator exited during the closed loop:\n${stage.operator.lastComplaints()}`;
    }
    return result;
  } finally {
    raw.close();
  }
}

/** One store: its own namespace, operator and (for redis) redis-server. */
export async function heartbeatScenario(store: Store, plan: HeartbeatPlan, waitForNamespace: boolean): Promise<HeartbeatResult> {
  const redis = store === 'redis' ? await RedisServer.start(randomBytes(12).toString('hex')) : undefined;
  try {
    return await withStage(`bench-hb-${store}`, {
      measuredPools: [POOL],
      waitForNamespace,
      operatorArgs: redis ? ['--redis-url', redis.url] : [],
      setup: async (_kube, api) => {
        await api.createPool(POOL, { maxWorkers: plan.tasks }, '3600s');
      },
    }, (stage) => measure(stage, store, plan, redis));
  } finally {
    await redis?.dispose();
  }
}

const perSec = (n: number, seconds: number) => `${(n / seconds).toFixed(1)}/s`;
const codes = (byCode: Map<string | number, number>) => [...byCode].map(([code, n]) => `${code || 'no answer'}×${n}`).join(' ') || 'none';
const orDash = <T>(value: T | undefined, show: (v: T) => string) => (value === undefined ? '-' : show(value));

/** The section's figures, one row per figure, a column per store. */
export function heartbeatReport(results: HeartbeatResult[], plan: HeartbeatPlan): string {
  const n = plan.tasks;
  const s = `${plan.steadySeconds} s`;
  const rows: [string, (r: HeartbeatResult) => string][] = [
    [`${n} tasks created / all ${n} pods Running / ${n} tokens minted`,
      (r) => `${secs(r.createMs)} / ${secs(r.runningMs)} / ${secs(r.tokensMs)}`],
    [`steady state: ${n} runs × 1 heartbeat/${plan.periodMs / 1000} s (${(n * 1000 / plan.periodMs).toFixed(0)}/s, open loop), ${s}: latency (200s)`,
      (r) => orDash(r.steady.latency, fmt)],
    ['  answers (HTTP status × count)', (r) => codes(r.steady.load.codes)],
    ['  most heartbeats waiting for an answer at once / sender lag p99', (r) => `${r.steady.load.maxInFlight} / ${percentiles(r.steady.load.lag).p99} ms`],
    [`  status writes (PATCH synctasks/status in apiserver_request_total; after first beats ≤ ${(n / STATUS_INTERVAL_S).toFixed(1)}/s)`,
      (r) => `${perSec(total(r.steady.calls.statusWrites), r.steady.calls.seconds)} (${codes(r.steady.calls.statusWrites)})`],
    ['  TokenReviews (acceptances cached 5 min, at most 64 in flight)', (r) => perSec(r.steady.calls.tokenReviews, r.steady.calls.seconds)],
    ['  live pod GETs', (r) => String(r.steady.calls.podReads)],
    ['  operator CPU', (r) => (Number.isNaN(r.steady.cpu) ? '-' : `${r.steady.cpu.toFixed(0)}% of a core`)],
    ['  Redis commands per heartbeat', (r) => orDash(r.steady.redisPerBeat, (v) => v.toFixed(2))],
    [`operator RSS: no tasks / ${n} Running / after ${s} of heartbeats`,
      (r) => `${mib(r.rssBefore)} / ${mib(r.rssRunning)} / ${orDash(r.steady.rssAfter, mib)}`],
    [`heartbeats accepted/s (closed loop, ${plan.senders} senders over ${n} runs, ${plan.burstSeconds} s)`,
      (r) => orDash(r.burst, (b) => `${b.load
        ? `${perSec(accepted(b.load), b.load.elapsedMs / 1000)} (${accepted(b.load)} accepted, ${refused(b.load)} refused)`
        : `- (warm-up: ${codes(b.warm.codes)})`}${b.freshOperator ? ', fresh operator' : ''}`)],
    ['  its latency', (r) => orDash(r.burst?.latency, fmt)],
    ['  TokenReviews meanwhile', (r) => orDash(r.burst?.calls, (c) => perSec(c.tokenReviews, c.seconds))],
  ];
  const lines = [`${'heartbeats'.padEnd(100)}${results.map((r) => (r.store === 'redis' ? 'Redis store (--redis-url)' : 'memory store').padEnd(56)).join('')}`];
  for (const [label, cell] of rows) lines.push(`${label.padEnd(100)}${results.map((r) => cell(r).padEnd(56)).join('')}`.trimEnd());
  for (const r of results) if (r.failure) lines.push(`${r.store} store: ${r.failure}`);
  return lines.join('\n');
}

/** Throws, naming them, if an operator died or any heartbeat was not answered 200. */
export function assertAllAccepted(results: HeartbeatResult[]): void {
  const loads: [string, LoadResult | undefined][] = results.flatMap((r) => [
    [`${r.store} steady state`, r.steady.load], [`${r.store} closed-loop warm-up`, r.burst?.warm], [`${r.store} closed loop`, r.burst?.load],
  ]);
  const bad = loads.flatMap(([what, load]) => (load && refused(load) > 0
    ? [`${what}: ${refused(load)} not accepted (${codes(load.codes)}), e.g.\n    ${load.refusals.join('\n    ')}`]
    : []));
  const died = results.filter((r) => r.failure).map((r) => `${r.store} store: ${r.failure!.split('\n')[0]}`);
  if (bad.length + died.length > 0) throw new Error(`heartbeat section failed:\n  ${[...died, ...bad].join('\n  ')}`);
}
