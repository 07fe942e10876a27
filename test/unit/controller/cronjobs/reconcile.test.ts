import { ApiException, type KubernetesObject, type V1CronJob } from '@kubernetes/client-node';
import { ANNOTATION_ADOPTED } from '../../../../src/controller/cronjobs/adopt.js';
import { CronJobReconciler } from '../../../../src/controller/cronjobs/reconcile.js';
import type { EventInput } from '../../../../src/kube/events.js';
import type { ClusterWrites, JobRef } from '../../../../src/kube/writers.js';
import { silentLogger } from '../../../../src/runtime/clock.js';

const apiError = (code: number) => new ApiException(code, `HTTP ${code}`, {}, {});

function cronJob(labels: Record<string, string>, resourceVersion = '7'): V1CronJob {
  return {
    metadata: { namespace: 'ns', name: 'export', uid: 'cj-uid', resourceVersion, labels },
    spec: { schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
  };
}

/** `pools`: in the cache; `livePools`: in the API server (the cache may be behind it). */
function stage(cached: V1CronJob | undefined, answer: (patch: object) => V1CronJob | Error, pools: string[] = ['crm'], livePools = pools) {
  const patches: { ref: JobRef; patch: object; resourceVersion?: string }[] = [];
  const events: EventInput[] = [];
  const writes = {
    async poolExists(_namespace: string, name: string) {
      return livePools.includes(name);
    },
    async patchCronJob(ref: JobRef, patch: object, resourceVersion?: string) {
      patches.push({ ref, patch, resourceVersion });
      const out = answer(patch);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as ClusterWrites;
  const cache = { get: () => cached, list: () => (cached ? [cached] : []) };
  const poolCache = { get: (_ns: string, name: string) => (pools.includes(name) ? {} as KubernetesObject : undefined), list: () => [] };
  const reconciler = new CronJobReconciler({ cronJobs: cache, pools: poolCache, writes, events: { emit: (e) => events.push(e) }, log: silentLogger });
  return { reconciler, patches, events };
}

test('adoption is one patch with the uid and resourceVersion preconditions, and an Adopted Event', async () => {
  const { reconciler, patches, events } = stage(cronJob({ 'syncpool.dev/pool': 'crm' }), () => cronJob({ 'syncpool.dev/pool': 'crm' }, '8'));
  await reconciler.reconcile('ns/export');
  expect(patches).toHaveLength(1);
  expect(patches[0]).toMatchObject({ ref: { namespace: 'ns', name: 'export', uid: 'cj-uid' }, resourceVersion: '7' });
  expect(events).toEqual([expect.objectContaining({
    regarding: { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'ns', name: 'export', uid: 'cj-uid' }, type: 'Normal', reason: 'Adopted',
  })]);
  expect(events[0]!.note).not.toContain('does not exist');
});

test('our patch is remembered: a reconcile before the watch shows it writes nothing again', async () => {
  const cached = cronJob({ 'syncpool.dev/pool': 'crm' });
  const { reconciler, patches } = stage(cached, (patch) => {
    const p = patch as { metadata: { annotations: Record<string, string> }; spec: { jobTemplate: { metadata: { labels: Record<string, string> }; spec: { suspend: boolean } } } };
    return {
      ...cached,
      metadata: { ...cached.metadata, resourceVersion: '8', annotations: p.metadata.annotations },
      spec: { ...cached.spec!, jobTemplate: { metadata: p.spec.jobTemplate.metadata, spec: { ...cached.spec!.jobTemplate.spec!, suspend: true } } },
    };
  });
  await reconciler.reconcile('ns/export');
  await reconciler.reconcile('ns/export');
  expect(patches).toHaveLength(1);
});

test('a CronJob changed since the cache showed it (409) fails the reconcile, to be decided again', async () => {
  const { reconciler, events } = stage(cronJob({ 'syncpool.dev/pool': 'crm' }), () => apiError(409));
  await expect(reconciler.reconcile('ns/export')).rejects.toThrow('409');
  expect(events).toEqual([]);
});

test('a CronJob deleted meanwhile (404) is nothing to do', async () => {
  const { reconciler, events } = stage(cronJob({ 'syncpool.dev/pool': 'crm' }), () => apiError(404));
  await expect(reconciler.reconcile('ns/export')).resolves.toBeUndefined();
  expect(events).toEqual([]);
});

test('a pool that does not exist yet: adopted anyway, and the Event says its runs wait', async () => {
  const { reconciler, patches, events } = stage(cronJob({ 'syncpool.dev/pool': 'later' }), () => cronJob({}, '8'), []);
  await reconciler.reconcile('ns/export');
  expect(patches).toHaveLength(1);
  expect(events[0]!.note).toContain('WorkerPool later (it does not exist yet: runs wait until it does)');
});

test('a pool the cache does not show yet but the API server has: the Event does not call it missing', async () => {
  const { reconciler, events } = stage(cronJob({ 'syncpool.dev/pool': 'fresh' }), () => cronJob({}, '8'), [], ['fresh']);
  await reconciler.reconcile('ns/export');
  expect(events[0]!.note).toContain('runs now queue in WorkerPool fresh:');
  expect(events[0]!.note).not.toContain('does not exist');
});

test('an unreadable record: a Warning, nothing written; a gone CronJob: nothing at all', async () => {
  const broken = { ...cronJob({}), metadata: { ...cronJob({}).metadata, annotations: { [ANNOTATION_ADOPTED]: 'nope' } } };
  const a = stage(broken, () => { throw new Error('no write expected'); });
  await a.reconciler.reconcile('ns/export');
  expect(a.patches).toEqual([]);
  expect(a.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'AdoptionRecordInvalid' })]);

  const b = stage(undefined, () => { throw new Error('no write expected'); });
  await b.reconciler.reconcile('ns/export');
  expect(b.patches).toEqual([]);
});
