// Proves the testbed is a real control plane that behaves as syncpool needs: every
// later integration test builds on these behaviours.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { type KubeClients, mergePatch } from '../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, eventuallyGone, testClients } from './support/cluster.js';

let kube: KubeClients;
let ns: string;

beforeAll(async () => {
  kube = testClients();
  ns = await createTestNamespace(kube, 'testbed');
});
afterAll(() => deleteNamespace(kube, ns));

function job(name: string, opts: { annotations?: Record<string, string>; suspend?: boolean } = {}): V1Job {
  return {
    metadata: { name },
    spec: {
      suspend: opts.suspend ?? false,
      backoffLimit: 0,
      template: {
        metadata: { annotations: opts.annotations ?? {} },
        spec: { restartPolicy: 'Never', containers: [{ name: 'sync', image: 'example.invalid/sync:1' }] },
      },
    },
  };
}

const condition = (j: V1Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

function finished(name: string, type: 'Complete' | 'Failed', timeoutMs = 60_000): Promise<V1Job> {
  return eventually(`job ${name} ${type}`, async () => {
    const j = await kube.batch.readNamespacedJob({ name, namespace: ns });
    return condition(j, type) ? j : undefined;
  }, { timeoutMs });
}

async function podsOf(jobName: string): Promise<V1Pod[]> {
  const list = await kube.core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${jobName}` });
  return list.items;
}

test('the API server is ready and reports the pinned Kubernetes version', async () => {
  const version = await kube.version.getCode();
  expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  expect(version.gitVersion).not.toBe('v0.0.0');
  const nodes = await kube.core.listNode();
  expect(nodes.items.map((n) => n.metadata?.name)).toContain('kwok-node-0');
});

test('a CRD applies and a custom object round-trips, status through its subresource', async () => {
  const group = 'testbed.syncpool.dev';
  const crdName = `widgets.${group}`;
  await kube.apiextensions.createCustomResourceDefinition({
    body: {
      metadata: { name: crdName },
      spec: {
        group,
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{
          name: 'v1', served: true, storage: true, subresources: { status: {} },
          schema: { openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          } },
        }],
      },
    },
  }).catch((err) => { if (!String(err).includes('AlreadyExists') && (err as { code?: number }).code !== 409) throw err; });
  await eventually('CRD established', async () => {
    const crd = await kube.apiextensions.readCustomResourceDefinition({ name: crdName });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });

  const ref = { group, version: 'v1', namespace: ns, plural: 'widgets' };
  // The main resource ignores status once the status subresource is on.
  await eventually('widget created', () => kube.custom.createNamespacedCustomObject({
    ...ref, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 }, status: { phase: 'Ignored' } },
  }));
  const created = await kube.custom.getNamespacedCustomObject({ ...ref, name: 'w1' }) as { spec: { size: number }; status?: unknown };
  expect(created.spec.size).toBe(3);
  expect(created.status).toBeUndefined();

  await kube.custom.patchNamespacedCustomObjectStatus({ ...ref, name: 'w1', body: { status: { phase: 'Ready' } } }, mergePatch);
  const read = await kube.custom.getNamespacedCustomObject({ ...ref, name: 'w1' }) as { status: { phase: string } };
  expect(read.status.phase).toBe('Ready');

  // Schema validation happens in the API server.
  await expect(kube.custom.createNamespacedCustomObject({
    ...ref, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 0 } },
  })).rejects.toMatchObject({ code: 422 });
});

test('a Job whose pod succeeds reaches Complete', async () => {
  await kube.batch.createNamespacedJob({ namespace: ns, body: job('succeeds') });
  const done = await finished('succeeds', 'Complete');
  expect(done.status?.succeeded).toBe(1);
});

test('a Job whose pod exits non-zero reaches Failed, with that exit code', async () => {
  await kube.batch.createNamespacedJob({
    namespace: ns, body: job('fails', { annotations: { 'testbed.syncpool.dev/exit-code': '3' } }),
  });
  const done = await finished('fails', 'Failed');
  expect(done.status?.failed).toBe(1);
  const [pod] = await podsOf('fails');
  expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
});

test('a pod runs for the duration its annotation asks, then finishes', async () => {
  await kube.batch.createNamespacedJob({
    namespace: ns, body: job('runs-4s', { annotations: { 'testbed.syncpool.dev/run-for': '4s' } }),
  });
  const running = await eventually('pod Running', async () => {
    const [pod] = await podsOf('runs-4s');
    return pod?.status?.phase === 'Running' ? pod : undefined;
  });
  const done = await finished('runs-4s', 'Complete');
  const [pod] = await podsOf('runs-4s');
  const state = pod?.status?.containerStatuses?.[0]?.state?.terminated;
  const ranMs = new Date(state!.finishedAt!).getTime() - new Date(running.status!.startTime!).getTime();
  expect(ranMs).toBeGreaterThanOrEqual(3_000);
  expect(done.status?.succeeded).toBe(1);
});

test('a suspended Job creates no pod until it is unsuspended', async () => {
  await kube.batch.createNamespacedJob({ namespace: ns, body: job('held', { suspend: true }) });
  await new Promise((r) => setTimeout(r, 3_000)); // long enough for the Job controller to have acted
  expect(await podsOf('held')).toHaveLength(0);
  const held = await kube.batch.readNamespacedJob({ name: 'held', namespace: ns });
  expect(condition(held, 'Suspended')).toBeDefined();

  await kube.batch.patchNamespacedJob({ name: 'held', namespace: ns, body: { spec: { suspend: false } } }, mergePatch);
  await finished('held', 'Complete');
  expect(await podsOf('held')).toHaveLength(1);
});

test('a CronJob creates a Job on schedule', async () => {
  await kube.batch.createNamespacedCronJob({
    namespace: ns,
    body: {
      metadata: { name: 'every-minute' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: job('unused').spec! } },
    },
  });
  const created = await eventually('a Job owned by the CronJob', async () => {
    const jobs = await kube.batch.listNamespacedJob({ namespace: ns });
    return jobs.items.find((j) => j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'every-minute'));
  }, { timeoutMs: 90_000, intervalMs: 1_000 });
  await finished(created.metadata!.name!, 'Complete');
});

test('deleting a namespace finishes, its contents with it', async () => {
  const doomed = await createTestNamespace(kube, 'doomed');
  await kube.batch.createNamespacedJob({ namespace: doomed, body: job('orphan') });
  await kube.core.deleteNamespace({ name: doomed });
  await eventuallyGone(`namespace ${doomed}`, () => kube.core.readNamespace({ name: doomed }), { timeoutMs: 90_000, intervalMs: 500 });
});

describe('a pod that takes long to terminate (testbed.syncpool.dev/terminate-for)', () => {
  const slow = { 'testbed.syncpool.dev/run-for': '60s', 'testbed.syncpool.dev/terminate-for': '5s' };

  async function runningPod(jobName: string): Promise<V1Pod> {
    await kube.batch.createNamespacedJob({ namespace: ns, body: job(jobName, { annotations: slow }) });
    return eventually(`${jobName}'s pod Running`, async () => {
      const [pod] = await podsOf(jobName);
      return pod?.status?.phase === 'Running' ? pod : undefined;
    });
  }

  const terminating = (jobName: string) => eventually(`${jobName}'s pod terminating`, async () => {
    const [pod] = await podsOf(jobName);
    return pod?.metadata?.deletionTimestamp ? pod : undefined;
  }, { intervalMs: 50 });

  const readJob = (name: string) => kube.batch.readNamespacedJob({ name, namespace: ns });

  test('foreground deletion: the Job stays until its terminating pod is gone', async () => {
    const pod = await runningPod('slow-stop-fg');
    await kube.batch.deleteNamespacedJob({ name: 'slow-stop-fg', namespace: ns, propagationPolicy: 'Foreground' });

    const dying = await terminating('slow-stop-fg');
    expect(dying.status?.phase).toBe('Running'); // still "running its shutdown"
    const held = await readJob('slow-stop-fg');
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    expect(held.metadata?.finalizers).toContain('foregroundDeletion');

    await eventuallyGone(`pod ${pod.metadata!.name}`, () => kube.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: ns }));
    await eventuallyGone('job slow-stop-fg', () => readJob('slow-stop-fg'));
  });

  test('background deletion: the Job goes at once, its pod lingers while it terminates', async () => {
    const pod = await runningPod('slow-stop-bg');
    await kube.batch.deleteNamespacedJob({ name: 'slow-stop-bg', namespace: ns, propagationPolicy: 'Background' });

    await eventuallyGone('job slow-stop-bg', () => readJob('slow-stop-bg'));
    const dying = await terminating('slow-stop-bg');
    expect(dying.metadata?.uid).toBe(pod.metadata?.uid);
    expect(dying.status?.phase).toBe('Running');

    await eventuallyGone(`pod ${pod.metadata!.name}`, () => kube.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: ns }));
  });

  test('without the annotation a deleted pod goes at once, its Job with it', async () => {
    await kube.batch.createNamespacedJob({ namespace: ns, body: job('quick-stop', { annotations: { 'testbed.syncpool.dev/run-for': '60s' } }) });
    const pod = await eventually('quick-stop pod Running', async () => {
      const [p] = await podsOf('quick-stop');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    await kube.batch.deleteNamespacedJob({ name: 'quick-stop', namespace: ns, propagationPolicy: 'Foreground' });
    await eventuallyGone(`pod ${pod.metadata!.name}`, () => kube.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: ns }));
    await eventuallyGone('job quick-stop', () => readJob('quick-stop'));
  });
});
