// Bad input, the whole corpus (test/faults/corpus) at once, against the real API server
// with the operator running beside healthy work: every invalid manifest is refused by
// the API server, or accepted and then marked by the operator (Rejected, or a pool's
// Ready=False), with a message naming the field; the operator neither crashes nor
// restarts nor logs an error, and the healthy tasks run to Succeeded as if the corpus
// had never been applied.
import type { SyncTask } from '../../src/api/types.js';
import { type Condition, GROUP, VERSION } from '../../src/api/common.js';
import { LABEL_TASK } from '../../src/jobs/labels.js';
import { apiStatus, mergePatch } from '../../src/kube/client.js';
import { POOLS, TASKS } from '../../src/kube/writers.js';
import { eventually, failure } from '../integration/support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../integration/support/fixture.js';
import { type CorpusEntry, loadCorpus, loadFixture, type Manifest, type Verdict } from './corpus/load.js';

const corpus = loadCorpus();
/** How long the operator may take to judge one accepted entry. */
const VERDICT_TIMEOUT_MS = 45_000;
/** Entries applied at once: enough to overlap with the healthy drain, few enough for 2 cores. */
const PARALLEL = 6;
const HEALTHY = [
  ...['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => ({ name: `healthy-${n}`, pool: 'healthy-a' })),
  ...['b1', 'b2', 'b3'].map((n) => ({ name: `healthy-${n}`, pool: 'healthy-b' })),
];

let stage: SyncpoolStage;
let pid: number | undefined;
/** Healthy tasks as the API server stored them at create, before any corpus entry. */
const created = new Map<string, SyncTask>();

const ref = (kind: Manifest['kind']) => ({ group: GROUP, version: VERSION, namespace: stage.ns, plural: kind === 'SyncTask' ? TASKS : POOLS });
// As kubectl apply sends them: unknown fields are errors, not silently pruned.
const create = (m: Manifest) => stage.kube.custom.createNamespacedCustomObject({ ...ref(m.kind), body: m, fieldValidation: 'Strict' });
const patch = (m: Manifest, body: object) =>
  stage.kube.custom.patchNamespacedCustomObject({ ...ref(m.kind), name: m.metadata.name, body, fieldValidation: 'Strict' }, mergePatch);
const read = (m: Manifest) => stage.kube.custom.getNamespacedCustomObject({ ...ref(m.kind), name: m.metadata.name }) as Promise<Stored>;

beforeAll(async () => {
  stage = await startSyncpool('badinput');
  pid = stage.operator.proc.pid;
  await create(loadFixture('_pool.yaml'));
  await stage.api.createPool('healthy-a', { maxWorkers: 2 }, '3s');
  await stage.api.createPool('healthy-b', { maxWorkers: 1, sourceLimits: { hubspot: 1 } }, '3s');
  // Tasks applied before the operator has seen their pool would wait (Pending) for a
  // moment: a healthy task would raise a warning, a phantom one look like a missing pool.
  for (const pool of ['corpus', 'healthy-a', 'healthy-b']) {
    await eventually(`pool ${pool} Ready`, async () =>
      ((await stage.api.pool(pool)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined));
  }
}, 60_000);
afterAll(() => stage?.stop());

/** A SyncTask or WorkerPool as read back: only what the verdicts look at. */
interface Stored {
  metadata: { generation?: number };
  spec?: unknown;
  status?: { phase?: string; message?: string; jobName?: string; conditions?: Condition[] };
}

/** What happened to one entry, in words when it is not what the corpus says. */
interface Outcome {
  entry: CorpusEntry;
  verdict?: Verdict;
  /** How the verdict was given: 'create' / 'update' (API server), 'phase' / 'Ready' (operator). */
  by?: string;
  message?: string;
  problem?: string;
}

async function judge(entry: CorpusEntry): Promise<Outcome> {
  const o: Outcome = { entry };
  const base = entry.object;
  if (entry.update) {
    const made = await create(base).then(() => undefined, (err: unknown) => err);
    if (made) return { ...o, problem: `the valid base was refused: ${String(made)}` };
    if (entry.afterJob) {
      await eventually(`${entry.file}: the base's Job`, async () => ((await read(base)).status?.jobName ? true : undefined), { timeoutMs: VERDICT_TIMEOUT_MS });
    }
    const before = await read(base);
    const refused = await refusal(patch(base, entry.update));
    if (!refused) return { ...o, problem: `silently accepted: the update ${JSON.stringify(entry.update)} was stored` };
    const after = await read(base);
    // Its status may move on (the base runs); its spec must not.
    if (after.metadata.generation !== before.metadata.generation || JSON.stringify(after.spec) !== JSON.stringify(before.spec)) {
      return { ...o, problem: `the refused update changed the spec: ${JSON.stringify(after.spec)}` };
    }
    return check({ ...o, verdict: 'refused', by: 'update', message: refused });
  }
  const refused = await refusal(create(base));
  if (refused) return check({ ...o, verdict: 'refused', by: 'create', message: refused });
  return check(await operatorVerdict(o));
}

/** The API server's message, or undefined if it accepted; anything but a 4xx answer is the test's problem. */
async function refusal(request: Promise<unknown>): Promise<string | undefined> {
  try {
    await request;
    return undefined;
  } catch (err) {
    const code = apiStatus(err);
    if (code !== 400 && code !== 422) throw err;
    return (await failure(Promise.reject(err))).message;
  }
}

/** Waits for the operator to mark an accepted entry; a task that queues or runs was silently accepted. */
async function operatorVerdict(o: Outcome): Promise<Outcome> {
  const m = o.entry.object;
  let last: Stored | undefined;
  try {
    return await eventually(`${o.entry.file} judged`, async () => {
      const now = await read(m);
      last = now;
      if (m.kind === 'WorkerPool') {
        const ready = now.status?.conditions?.find((c) => c.type === 'Ready');
        if (!ready || ready.observedGeneration !== now.metadata.generation) return undefined;
        return ready.status === 'False'
          ? { ...o, verdict: 'rejected', by: `Ready=False ${ready.reason}`, message: ready.message }
          : { ...o, problem: `silently accepted: Ready=${ready.status} (${ready.reason})` };
      }
      const s = now.status;
      const accepted = s?.conditions?.find((c) => c.type === 'Accepted');
      if (s?.phase === 'Rejected') return { ...o, verdict: 'rejected', by: `Rejected ${accepted?.reason}`, message: s.message };
      if (s?.phase === 'Pending' && accepted?.status === 'False') return { ...o, verdict: 'pending', by: `Pending ${accepted.reason}`, message: s.message };
      if (s?.phase && s.phase !== 'Pending') return { ...o, problem: `silently accepted: phase ${s.phase} (${s.message})` };
      return undefined;
    }, { timeoutMs: VERDICT_TIMEOUT_MS, intervalMs: 250 });
  } catch {
    return { ...o, problem: `accepted by the API server and never judged by the operator; last status ${JSON.stringify(last?.status)}` };
  }
}

function check(o: Outcome): Outcome {
  if (o.problem) return o;
  if (o.verdict !== o.entry.expect) return { ...o, problem: `expected ${o.entry.expect}, got ${o.verdict} by ${o.by}: ${o.message}` };
  const missing = o.entry.names.filter((text) => !o.message?.includes(text));
  if (missing.length > 0) return { ...o, problem: `the message does not name ${missing.map((t) => JSON.stringify(t)).join(', ')}: ${o.message}` };
  return o;
}

/** Runs `work` over `items`, `n` at a time. */
async function inBatches<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  }));
  return out;
}

let outcomes: Outcome[] = [];

test('every corpus entry is refused by the API server or marked by the operator, with a message naming the field', async () => {
  expect(corpus.length).toBeGreaterThanOrEqual(50);
  // The healthy work starts first and runs while the corpus is applied.
  for (const [i, t] of HEALTHY.entries()) {
    const body = await stage.api.createTask(t.name, {
      pool: t.pool, syncType: `type-${i}`, priority: i % 3, parameters: { since: '2026-01-01', page: i },
    }) as SyncTask;
    created.set(t.name, body);
  }

  outcomes = await inBatches(corpus, PARALLEL, judge);

  const count = (v: Verdict, by?: RegExp) => outcomes.filter((o) => !o.problem && o.verdict === v && (!by || by.test(o.by ?? ''))).length;
  console.log([
    `bad-input corpus: ${corpus.length} entries`,
    `  refused by the API server: ${count('refused')} (${count('refused', /^create$/)} creates, ${count('refused', /^update$/)} updates)`,
    `  marked by the operator:    ${count('rejected')} (${count('rejected', /^Rejected/)} SyncTasks Rejected, ${count('rejected', /^Ready=False/)} WorkerPools Ready=False)`,
    `  waiting, Accepted=False:   ${count('pending')}`,
    `  wrong:                     ${outcomes.filter((o) => o.problem).length}`,
  ].join('\n'));
  expect(outcomes.filter((o) => o.problem).map((o) => `${o.entry.file} (${o.entry.why}): ${o.problem}`)).toEqual([]);
});

test('nothing the operator marked made a Job or a CronJob', async () => {
  const marked = outcomes.filter((o) => o.verdict !== 'refused' && o.entry.object.kind === 'SyncTask').map((o) => o.entry.object.metadata.name);
  expect(marked.length).toBeGreaterThan(0);
  const jobs = await stage.kube.batch.listNamespacedJob({ namespace: stage.ns });
  const cronJobs = await stage.kube.batch.listNamespacedCronJob({ namespace: stage.ns });
  const owners = [...jobs.items.map((j) => j.metadata?.labels?.[LABEL_TASK]), ...cronJobs.items.map((c) => c.metadata?.name)];
  expect(owners.filter((o) => o && marked.includes(o))).toEqual([]);
});

test('the healthy tasks ran to Succeeded untouched: one attempt, one Job each, specs as created, pools within their caps', async () => {
  for (const t of HEALTHY) {
    const done = await stage.api.waitForPhase(t.name, 'Succeeded', 120_000);
    const before = created.get(t.name)!;
    expect({ name: t.name, spec: done.spec, generation: done.metadata.generation })
      .toEqual({ name: t.name, spec: before.spec, generation: before.metadata.generation });
    expect(done.status).toMatchObject({ attempt: 1, jobName: `${t.name}-1` });
    expect(done.status?.conditions?.find((c) => c.type === 'Accepted')).toMatchObject({ status: 'True', reason: 'PoolFound' });
    expect(stage.jobs.jobsPerTask().get(t.name)).toEqual([`${t.name}-1`]);
  }
  expect(stage.jobs.peak.get('healthy-a')).toBeLessThanOrEqual(2);
  expect(stage.jobs.peak.get('healthy-b')).toBe(1);
  for (const pool of ['healthy-a', 'healthy-b']) {
    const p = await stage.api.pool(pool);
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  }
  // No warning was ever raised about them.
  const events = await stage.kube.core.listNamespacedEvent({ namespace: stage.ns });
  const healthyNames = new Set([...HEALTHY.map((t) => t.name), 'healthy-a', 'healthy-b']);
  expect(events.items.filter((e) => e.type === 'Warning' && healthyNames.has(e.involvedObject.name ?? ''))
    .map((e) => `${e.involvedObject.name}: ${e.reason} ${e.message}`)).toEqual([]);
}, 180_000);

test('the operator never crashed: the same process, alive and healthy, and no error in its logs', async () => {
  expect(stage.operator.proc.pid).toBe(pid);
  expect(stage.operator.proc.exitCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${stage.operator.port}/healthz`)).status).toBe(200);
  const bad = stage.operator.logs.filter((l) => /"level":"error"|uncaught|unhandled|^\s+at /i.test(l));
  expect(bad).toEqual([]);
});
