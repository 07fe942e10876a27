// Fault tests restart parts of a running control plane: etcd and kube-apiserver must
// come back at the same address with the same data, a stop asked for must not count as
// a crash (the supervisor would tear everything down), and a real crash still must.
// Runs a private control plane in this process, beside the shared one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeClients, loadKubeConfig, makeClients } from '../../src/kube/client.js';
import { type RunningControlPlane, startControlPlane } from '../../src/testbed/controlPlane.js';
import { resolveAssets } from '../../src/testbed/launcher.js';
import type { Component } from '../../src/testbed/processes.js';
import { eventually } from './support/cluster.js';

let dir: string;
let plane: RunningControlPlane;
let kube: KubeClients;
let crashed: Component | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-restart-'));
  plane = await startControlPlane(dir, resolveAssets());
  void plane.firstExit.then((c) => { crashed = c; });
  kube = makeClients(loadKubeConfig(plane.kubeconfig));
  await kube.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { v: '1' } } });
});

afterAll(async () => {
  await plane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The ConfigMap made before any restart, read through the API server (retried while it comes back). */
const kept = () => eventually('ConfigMap default/kept readable', async () =>
  (await kube.core.readNamespacedConfigMap({ namespace: 'default', name: 'kept' })).data?.v);

test('etcd killed and started again: the API server answers with the data stored before', async () => {
  const before = plane.components.find((c) => c.name === 'etcd')!.proc.pid;
  await plane.restart('etcd', { signal: 'SIGKILL' });
  expect(plane.components.find((c) => c.name === 'etcd')!.proc.pid).not.toBe(before);
  expect(await kept()).toBe('1');
  expect(crashed).toBeUndefined();
});

test('kube-apiserver stopped and started: same address and kubeconfig, same data, writes work', async () => {
  await plane.stopComponent('kube-apiserver');
  await expect(kube.core.readNamespacedConfigMap({ namespace: 'default', name: 'kept' })).rejects.toThrow();
  await plane.startComponent('kube-apiserver');
  expect(await kept()).toBe('1');
  await kube.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' } } });
  // The controllers reconnected too: a new namespace gets its default ServiceAccount.
  await kube.core.createNamespace({ body: { metadata: { name: 'after-restart' } } });
  await eventually('ServiceAccount after-restart/default', () =>
    kube.core.readNamespacedServiceAccount({ namespace: 'after-restart', name: 'default' }), { timeoutMs: 60_000 });
  expect(crashed).toBeUndefined();
});

test('a component that exits on its own is still reported as the first exit', async () => {
  const kwok = plane.components.find((c) => c.name === 'kwok')!;
  kwok.proc.kill('SIGKILL');
  expect((await plane.firstExit).name).toBe('kwok');
});
