// The migration example: the 38 periodic syncs of a typical Celery-beat setup as
// SyncTasks (examples/celery-beat), applied as a user would. When their minutes
// coincide (at :00 most are due) every run waits in the one pool's queue: the cap and
// the per-source limits hold, and every run is made and counted.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { GROUP, VERSION } from '../../../src/api/common.js';
import { LABEL_POOL, LABEL_SOURCE } from '../../../src/jobs/labels.js';
import { POOLS, TASKS } from '../../../src/kube/writers.js';
import { eventually } from '../support/cluster.js';
import { triggerRun } from '../support/cronJobs.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/celery-beat/', import.meta.url));

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('celerybeat');
});

afterAll(() => stage?.stop());

async function documents(file: string): Promise<{ kind: string; metadata: { name: string }; spec: Record<string, unknown> }[]> {
  return parseAllDocuments(await readFile(`${EXAMPLES}${file}`, 'utf8')).map((d) => d.toJS()).filter(Boolean);
}

test('38 Celery-beat syncs as SyncTasks: all scheduled under one pool; when they coincide the cap and source limits hold', async () => {
  const { kube, ns, api, jobs } = stage;
  const [pool] = await documents('pool.yaml');
  const tasks = await documents('synctasks.yaml');
  expect(tasks).toHaveLength(38);
  // The fake pods run for a moment, so runs overlap and the cap has something to hold.
  // The pool starts paused: runs that reach an empty pool start at once, in the order
  // they arrive, and only the ones that wait are ordered by priority. Paused, all 38
  // wait, so the order in which they start is the pool's choice alone.
  const template = { ...(pool!.spec.template as object), annotations: { 'testbed.syncpool.dev/run-for': '1s' } };
  await kube.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: ns, plural: POOLS, body: { ...pool, spec: { ...pool!.spec, template, paused: true } },
  });
  // Applied eight at a time, as `kubectl apply -f` of a directory would be, only faster.
  for (let i = 0; i < tasks.length; i += 8) {
    await Promise.all(tasks.slice(i, i + 8).map((t) =>
      kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: TASKS, body: t })));
  }
  // A real tick may fall inside the test (at :00 most of these are due); its runs queue
  // like any other, so the phases allow for them and the figures below count only the
  // runs made by hand.
  await api.waitForAll(['Scheduled', 'Queued'], 38, 240_000);

  // Their minutes coincide: one run of each at once, as the CronJob controller makes them at :00.
  const cronJobs = (await kube.batch.listNamespacedCronJob({ namespace: ns })).items;
  expect(cronJobs).toHaveLength(38);
  await Promise.all(cronJobs.map((cj) => triggerRun(kube, ns, cj, 'now')));
  await api.waitForAll(['Queued'], 38, 120_000);
  expect(jobs.admitted).toHaveLength(0);
  await api.patchPool('crm-sync', { paused: false });
  const manual = (names: Iterable<string>) => [...names].filter((n) => n.endsWith('-manual-now'));
  await eventually('every run made by hand finished, and each task counted it', async () => {
    const all = await api.tasks();
    const finished = manual(jobs.finishedAt.keys()).length === 38;
    return finished && all.every((t) => (t.status?.runs?.succeeded ?? 0) >= 1) ? all : undefined;
  }, { timeoutMs: 300_000, intervalMs: 1000 });

  expect(jobs.peak.get('crm-sync')).toBeLessThanOrEqual(5);
  expect(jobs.peak.get('crm-sync')).toBeGreaterThanOrEqual(2); // it did run several at once
  for (const source of ['hubspot', 'salesforce']) expect(peakOf(source)).toBeLessThanOrEqual(2);
  const admitted = manual(jobs.admitted);
  expect(admitted).toHaveLength(38);
  // Higher priorities went first: the 5-minute syncs (priority 5) before the weekly ones (-5).
  const position = (name: string) => admitted.findIndex((j) => j.startsWith(`${name}-manual`));
  expect(position('hubspot-contacts-5m')).toBeLessThan(position('hubspot-full-weekly'));
  expect(position('salesforce-contacts-5m')).toBeLessThan(position('salesforce-full-nightly'));
  const bySource = (source: string) => manual(jobs.seen.keys()).filter((n) => jobs.seen.get(n)?.metadata?.labels?.[LABEL_SOURCE] === source);
  expect(bySource('hubspot')).toHaveLength(6);
  expect(manual(jobs.seen.keys())).toHaveLength(38);
  expect([...jobs.seen.values()].every((j) => j.metadata?.labels?.[LABEL_POOL] === 'crm-sync')).toBe(true);

  /** The most runs of one source running at once, from the watcher's admissions and finishes. */
  function peakOf(source: string): number {
    const names = [...jobs.seen.keys()].filter((n) => jobs.seen.get(n)?.metadata?.labels?.[LABEL_SOURCE] === source);
    // A finish and the admission it made room for may share a millisecond: finishes count first.
    const edges = names.flatMap((n) => [
      ...(jobs.admittedAt.has(n) ? [{ at: jobs.admittedAt.get(n)!, step: 1 }] : []),
      ...(jobs.finishedAt.has(n) ? [{ at: jobs.finishedAt.get(n)!, step: -1 }] : []),
    ]).sort((a, b) => a.at - b.at || a.step - b.step);
    let now = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (now += e.step));
    return peak;
  }
}, 600_000); // a busy 2-core machine may take minutes for 38 tasks and their runs
