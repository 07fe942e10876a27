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
  const template = { ...(pool!.spec.template as object), annotations: { 'testbed.syncpool.dev/run-for': '1s' } };
  await kube.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: ns, plural: POOLS, body: { ...pool, spec: { ...pool!.spec, template } },
  });
  // Applied eight at a time, as `kubectl apply -f` of a directory would be, only faster.
  for (let i = 0; i < tasks.length; i += 8) {
    await Promise.all(tasks.slice(i, i + 8).map((t) =>
      kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: TASKS, body: t })));
  }
  await api.waitForAll(['Scheduled'], 38, 240_000);

  // Their minutes coincide: one run of each at once, as the CronJob controller makes them at :00.
  const cronJobs = (await kube.batch.listNamespacedCronJob({ namespace: ns })).items;
  expect(cronJobs).toHaveLength(38);
  await Promise.all(cronJobs.map((cj) => triggerRun(kube, ns, cj, 'now')));
  await eventually('every task counted one run', async () => {
    const all = await api.tasks();
    return all.every((t) => t.status?.runs?.succeeded === 1) ? all : undefined;
  }, { timeoutMs: 300_000, intervalMs: 1000 });

  expect(jobs.peak.get('crm-sync')).toBeLessThanOrEqual(5);
  expect(jobs.peak.get('crm-sync')).toBeGreaterThanOrEqual(2); // it did run several at once
  expect(jobs.admitted).toHaveLength(38);
  // Higher priorities went first: the 5-minute syncs (priority 5) before the weekly ones (-5).
  const position = (name: string) => jobs.admitted.findIndex((j) => j.startsWith(name));
  expect(position('hubspot-contacts-5m')).toBeLessThan(position('hubspot-full-weekly'));
  expect(position('salesforce-contacts-5m')).toBeLessThan(position('salesforce-full-nightly'));
  const bySource = (source: string) => [...jobs.seen.values()].filter((j) => j.metadata?.labels?.[LABEL_SOURCE] === source);
  expect(bySource('hubspot')).toHaveLength(6);
  expect(jobs.seen.size).toBe(38);
  expect([...jobs.seen.values()].every((j) => j.metadata?.labels?.[LABEL_POOL] === 'crm-sync')).toBe(true);
}, 600_000); // a busy 2-core machine may take minutes for 38 tasks and their runs
