// A plain CronJob labelled with a pool, on the real control plane: its template made
// suspended and labelled, its runs queued under the pool's cap, and the template given
// back exactly as it was when the label goes.
import type { EventsV1Event, V1CronJob } from '@kubernetes/client-node';
import { jobState } from '../../../src/jobs/classify.js';
import { mergePatch } from '../../../src/kube/client.js';
import { eventually } from '../support/cluster.js';
import { triggerRun as triggerRunOf } from '../support/cronJobs.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('adoption');
});

afterAll(() => stage?.stop());

const NEVER = '0 0 1 1 *'; // midnight on New Year's Day: never fires by itself during a test
const POOL = 'syncpool.dev/pool';
const ADOPTED = 'syncpool.dev/adopted';

/** A CronJob as a team has it before syncpool: nothing of syncpool in its template. */
function createCronJob(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): Promise<V1CronJob> {
  return stage.kube.batch.createNamespacedCronJob({
    namespace: stage.ns,
    body: {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, labels, annotations },
      spec: {
        schedule: NEVER,
        // Keep every finished run for the test to see (the CronJob controller's default is 3).
        successfulJobsHistoryLimit: 10,
        jobTemplate: {
          metadata: { labels: { app: name } },
          spec: {
            backoffLimit: 0,
            template: {
              metadata: { annotations: { 'testbed.syncpool.dev/run-for': '5s' } },
              spec: { restartPolicy: 'Never', serviceAccountName: 'default', containers: [{ name: 'export', image: 'registry.example/export:1' }] },
            },
          },
        },
      },
    },
  });
}

const readCronJob = (name: string) => stage.kube.batch.readNamespacedCronJob({ namespace: stage.ns, name });

const patchCronJobLabels = (name: string, labels: Record<string, string | null>) =>
  stage.kube.batch.patchNamespacedCronJob({ namespace: stage.ns, name, body: { metadata: { labels } } }, mergePatch);

function waitForAdoption(name: string, pool: string): Promise<V1CronJob> {
  return eventually(`CronJob ${name} adopted into ${pool}`, async () => {
    const cj = await readCronJob(name);
    const t = cj.spec!.jobTemplate;
    return t.spec?.suspend === true && t.metadata?.labels?.[POOL] === pool && cj.metadata?.annotations?.[ADOPTED] ? cj : undefined;
  });
}

const triggerRun = (cj: V1CronJob, suffix: string) => triggerRunOf(stage.kube, stage.ns, cj, suffix);

async function eventsOf(name: string): Promise<EventsV1Event[]> {
  const list = await stage.kube.events.listNamespacedEvent({ namespace: stage.ns });
  return list.items.filter((e) => e.regarding?.kind === 'CronJob' && e.regarding?.name === name);
}

async function succeeded(names: string[]): Promise<void> {
  const state = (n: string) => { const j = stage.jobs.seen.get(n); return j ? jobState(j) : 'unseen'; };
  try {
    await eventually(`${names.length} runs succeeded`, async () => (names.every((n) => state(n) === 'Succeeded') ? true : undefined), { timeoutMs: 90_000, intervalMs: 250 });
  } catch (err) {
    // Say where they got stuck: each run's state, and the operator's last words.
    throw new Error(`${(err as Error).message}\n  runs: ${names.map((n) => `${n}=${state(n)}`).join(' ')}\n  operator:\n${stage.operator.tail(30)}`);
  }
}

test('a labelled CronJob\'s runs queue under the pool\'s cap; unlabelled, its template is exactly as before', async () => {
  const { api, jobs } = stage;
  // overlap Allow: runs of one CronJob share a source and sync type, and the default
  // (Forbid) would run them one at a time; here the cap is what holds them back.
  await api.createPool('crm', { maxWorkers: 2, overlap: 'Allow' }, '5s');
  const created = await createCronJob('export', { [POOL]: 'crm' }, { 'syncpool.dev/priority': '5' });
  const original = created.spec!.jobTemplate;

  const cj = await waitForAdoption('export', 'crm');
  // Exactly these: no app.kubernetes.io/managed-by, the runs stay the CronJob's.
  expect(cj.spec!.jobTemplate.metadata?.labels).toEqual({
    app: 'export', [POOL]: 'crm', 'syncpool.dev/source': 'export', 'syncpool.dev/sync-type': 'cronjob',
  });
  expect(cj.spec!.jobTemplate.metadata?.annotations).toEqual({ 'syncpool.dev/priority': '5' });
  expect(JSON.parse(cj.metadata!.annotations![ADOPTED]!)).toEqual({
    pool: 'crm', suspend: null,
    labels: { [POOL]: null, 'syncpool.dev/source': null, 'syncpool.dev/sync-type': null },
    annotations: { 'syncpool.dev/priority': null },
  });
  expect(cj.spec!.schedule).toBe(NEVER); // nothing but the template changes
  await eventually('Adopted Event', async () => ((await eventsOf('export')).some((e) => e.reason === 'Adopted') ? true : undefined));

  // Five runs at once: each is created suspended, in the pool's queue.
  const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `export-manual-${s}`);
  const runs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => triggerRun(cj, s)));
  expect(runs.every((r) => r.spec?.suspend === true)).toBe(true);

  // The pool counts them while they drain.
  let sawQueued = 0;
  let sawActive = 0;
  let drained = false;
  const watching = (async () => {
    while (!drained) {
      const status = (await api.pool('crm')).status;
      sawQueued = Math.max(sawQueued, status?.queued ?? 0);
      sawActive = Math.max(sawActive, status?.active ?? 0);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    await succeeded(names);
  } finally {
    drained = true;
    await watching;
  }
  expect(jobs.peak.get('crm')).toBe(2);
  expect(names.every((n) => jobs.admitted.includes(n))).toBe(true);
  expect(sawQueued).toBeGreaterThan(0);
  expect(sawActive).toBeGreaterThan(0);
  expect(sawActive).toBeLessThanOrEqual(2);

  // Unlabelled: the template is given back as the API server first stored it.
  await patchCronJobLabels('export', { [POOL]: null });
  const released = await eventually('CronJob export released', async () => {
    const c = await readCronJob('export');
    return c.metadata?.annotations?.[ADOPTED] === undefined ? c : undefined;
  });
  expect(released.spec!.jobTemplate).toEqual(original);
  expect(released.metadata?.annotations).toEqual({ 'syncpool.dev/priority': '5' });
  await eventually('Released Event', async () => ((await eventsOf('export')).some((e) => e.reason === 'Released') ? true : undefined));
});

test('a manifest re-applied over an adopted CronJob is adopted again, keeping the original record', async () => {
  const created = await createCronJob('reapplied', { [POOL]: 'crm' });
  const adopted = await waitForAdoption('reapplied', 'crm');
  const record = adopted.metadata!.annotations![ADOPTED];

  // What `kubectl apply` of a manifest saying `suspend: false` does to the template.
  await stage.kube.batch.patchNamespacedCronJob({
    namespace: stage.ns, name: 'reapplied', body: { spec: { jobTemplate: { spec: { suspend: false } } } },
  }, mergePatch);
  const again = await eventually('adopted again', async () => {
    const c = await readCronJob('reapplied');
    return c.spec!.jobTemplate.spec?.suspend === true && c.metadata!.generation! > adopted.metadata!.generation! + 1 ? c : undefined;
  });
  expect(again.metadata!.annotations![ADOPTED]).toBe(record);

  await patchCronJobLabels('reapplied', { [POOL]: null });
  const released = await eventually('released', async () => {
    const c = await readCronJob('reapplied');
    return c.metadata?.annotations?.[ADOPTED] === undefined ? c : undefined;
  });
  expect(released.spec!.jobTemplate).toEqual(created.spec!.jobTemplate);
});

test('a CronJob labelled with a pool that does not exist yet is adopted; its runs wait until the pool exists', async () => {
  const { api, jobs } = stage;
  await createCronJob('early', { [POOL]: 'later' });
  const cj = await waitForAdoption('early', 'later');
  const [event] = await eventually('Adopted Event', async () => {
    const e = (await eventsOf('early')).filter((x) => x.reason === 'Adopted');
    return e.length ? e : undefined;
  });
  expect(event!.note).toContain('does not exist yet');

  await triggerRun(cj, 'x');
  // Queued, and nothing admits it: there is no pool to.
  await eventually('run seen', async () => (jobs.seen.has('early-manual-x') ? true : undefined));
  await new Promise((r) => setTimeout(r, 2_000));
  expect(jobState(jobs.seen.get('early-manual-x')!)).toBe('Queued');

  await api.createPool('later', { maxWorkers: 1 }, '1s');
  await succeeded(['early-manual-x']);
});
