// The informer against a real API server: it mirrors ConfigMaps through a burst of
// writes, and heals from the failures that stop client-node's own informer for good:
// an API error on list, an unreachable server, and a watch that silently goes dead.
import { KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { type InformerOptions, type ListPage, ResilientInformer } from '../../../src/runtime/informer.js';
import { type KubeClients, makeClients } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventually, testClients } from '../support/cluster.js';
import { FlakyProxy } from './proxy.js';

let kube: KubeClients;
let ns: string;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  kube = testClients();
  ns = await createTestNamespace(kube, 'informer');
});
afterEach(async () => { for (const fn of cleanup.splice(0)) await fn(); });
afterAll(() => deleteNamespace(kube, ns));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configMaps(clients: KubeClients, opts: InformerOptions = {}, list = (_page: ListPage) => clients.core.listNamespacedConfigMap({ namespace: ns })) {
  const informer = new ResilientInformer<V1ConfigMap>(clients, `/api/v1/namespaces/${ns}/configmaps`, list, opts);
  const events: string[] = [];
  for (const type of ['add', 'update', 'delete'] as const) informer.on(type, (cm) => events.push(`${type} ${cm.metadata?.name}`));
  informer.start();
  cleanup.push(() => informer.stop());
  return { informer, events };
}

const create = (name: string, data: Record<string, string> = { v: '0' }) =>
  kube.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data } });
const update = (name: string, v: string) => kube.core.replaceNamespacedConfigMap({ namespace: ns, name, body: { metadata: { name }, data: { v } } });
const remove = (name: string) => kube.core.deleteNamespacedConfigMap({ namespace: ns, name });

/** name@resourceVersion of everything, sorted: equal means the cache is exact. */
const fingerprint = (items: V1ConfigMap[]) => items.map((c) => `${c.metadata?.name}@${c.metadata?.resourceVersion}`).sort().join(',');

function matchesApi(informer: ResilientInformer<V1ConfigMap>, timeoutMs = 30_000) {
  return eventually('informer cache equals the API', async () => {
    const api = await kube.core.listNamespacedConfigMap({ namespace: ns });
    return fingerprint(informer.list(ns)) === fingerprint(api.items) ? api.items.length : undefined;
  }, { timeoutMs });
}

function proxied(proxy: FlakyProxy): KubeClients {
  return makeClients(proxy.kubeconfig(process.env.SYNCPOOL_TEST_KUBECONFIG!));
}

test('it sees add, update and delete, and matches the API after a burst of 50 writes', async () => {
  const { informer, events } = configMaps(kube);
  await informer.waitForSync();
  const updates: string[] = [];
  informer.on('update', (cm, old) => updates.push(`${old?.data?.v}->${cm.data?.v}`));

  await create('one');
  await eventually('add seen', async () => informer.get(ns, 'one'));
  await update('one', '1');
  await eventually('update seen', async () => (informer.get(ns, 'one')?.data?.v === '1' ? true : undefined));
  await remove('one');
  await eventually('delete seen', async () => (informer.get(ns, 'one') ? undefined : true));
  expect(events).toEqual(['add one', 'update one', 'delete one']);
  expect(updates).toEqual(['0->1']);

  const names = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
  await Promise.all(names.map((n) => create(n)));
  await Promise.all([...names.slice(0, 10).map((n) => update(n, '1')), ...names.slice(20).map(remove)]);
  expect(await matchesApi(informer)).toBeGreaterThanOrEqual(20);
  expect(informer.list().length).toBe(informer.list(ns).length);
  expect(Date.now() - informer.lastEventAt()!).toBeLessThan(10_000);
});

test('a list that fails with an API error is retried, where client-node\'s informer stops for good', async () => {
  // A client without credentials: the API server refuses it (401/403), as after an RBAC mistake.
  const config = new KubeConfig();
  const cluster = kube.config.getCurrentCluster()!;
  config.loadFromOptions({
    clusters: [cluster], users: [{ name: 'nobody' }],
    contexts: [{ name: 'nobody', cluster: cluster.name, user: 'nobody' }], currentContext: 'nobody',
  });
  const anonymous = makeClients(config);
  const flakyList = () => {
    let calls = 0;
    const list = () => (calls++ === 0 ? anonymous : kube).core.listNamespacedConfigMap({ namespace: ns });
    return { list, calls: () => calls };
  };
  await expect(anonymous.core.listNamespacedConfigMap({ namespace: ns })).rejects.toMatchObject({ code: expect.any(Number) });
  await create('present');

  const plain = flakyList();
  const theirs = makeInformer(kube.config, `/api/v1/namespaces/${ns}/configmaps`, plain.list);
  const errors: unknown[] = [];
  theirs.on('error', (err) => errors.push(err));
  await theirs.start();

  const ours = flakyList();
  const started = Date.now();
  const { informer } = configMaps(kube, {}, ours.list);
  await informer.waitForSync();
  process.stderr.write(`\ninformer synced ${Date.now() - started} ms after its first list failed\n`);
  expect(informer.get(ns, 'present')).toBeDefined();
  expect(ours.calls()).toBe(2);

  await sleep(3_000);
  expect(errors).toHaveLength(1);
  expect(plain.calls()).toBe(1); // client-node never tried again
  expect(theirs.list()).toHaveLength(0);
  await theirs.stop();
});

test('it recovers when the API server is unreachable for a while, and catches up on what it missed', async () => {
  const proxy = await FlakyProxy.start(new URL(kube.config.getCurrentCluster()!.server));
  cleanup.push(() => proxy.close());
  let lists = 0;
  const clients = proxied(proxy);
  const { informer, events } = configMaps(clients, {}, () => { lists++; return clients.core.listNamespacedConfigMap({ namespace: ns }); });
  await informer.waitForSync();
  await create('outage-kept');
  await create('outage-deleted');
  await eventually('seen before the outage', async () => informer.get(ns, 'outage-deleted'));

  proxy.down();
  const attemptsBefore = proxy.attempts;
  await create('outage-added');
  await update('outage-kept', 'changed');
  await remove('outage-deleted');
  await sleep(5_000);
  expect(informer.get(ns, 'outage-added')).toBeUndefined(); // it really was cut off
  // Reconnects back off (1 s, 2 s, 4 s...) instead of spinning, each one a new socket.
  const attempts = proxy.attempts - attemptsBefore;
  expect(attempts).toBeGreaterThanOrEqual(1);
  expect(attempts).toBeLessThanOrEqual(4);

  const restored = Date.now();
  proxy.up();
  await matchesApi(informer);
  process.stderr.write(`\ninformer caught up ${Date.now() - restored} ms after the API server became reachable again (${attempts} reconnects in 5 s of outage)\n`);
  expect(informer.get(ns, 'outage-kept')?.data?.v).toBe('changed');
  expect(events).toEqual(expect.arrayContaining(['add outage-added', 'update outage-kept', 'delete outage-deleted']));
  expect(lists).toBeGreaterThanOrEqual(2);
});

test('a watch that silently stops delivering is healed by the periodic relist', async () => {
  const proxy = await FlakyProxy.start(new URL(kube.config.getCurrentCluster()!.server));
  cleanup.push(() => proxy.close());
  const { informer, events } = configMaps(proxied(proxy), { relistIntervalMs: 4_000 });
  await informer.waitForSync();
  await sleep(500); // let the watch connect
  proxy.freeze(); // like a connection that died behind a NAT: no error, no data
  const frozenAt = Date.now();
  await create('missed');
  await sleep(1_500);
  expect(informer.get(ns, 'missed')).toBeUndefined();
  await eventually('relist delivers the missed object', async () => informer.get(ns, 'missed'), { timeoutMs: 15_000, intervalMs: 100 });
  process.stderr.write(`\nrelist healed a dead watch ${Date.now() - frozenAt} ms after it went silent (relist interval 4 s)\n`);
  expect(events).toContain('add missed');
  expect(informer.lastEventAt()!).toBeGreaterThan(frozenAt);
});

test('relist() resolves only once the cache holds what was written before it, even behind a dead watch', async () => {
  // A new leader's warm cache: its watch may lag behind writes the old leader made just
  // before it stopped. relist() is what makes those visible before the first admission.
  const proxy = await FlakyProxy.start(new URL(kube.config.getCurrentCluster()!.server));
  cleanup.push(() => proxy.close());
  const { informer } = configMaps(proxied(proxy), { relistIntervalMs: 0 });
  await informer.waitForSync();
  await sleep(500); // let the watch connect
  proxy.freeze();
  await create('written-before-relist');
  await update('written-before-relist', '1');
  await sleep(500);
  expect(informer.get(ns, 'written-before-relist')).toBeUndefined();
  await informer.relist();
  expect(informer.get(ns, 'written-before-relist')?.data?.v).toBe('1');
});

test('an index follows adds, updates that move an object between keys, deletes and relists', async () => {
  const { informer } = configMaps(kube, { relistIntervalMs: 1_000 });
  informer.addIndex('byColour', (cm) => (cm.data?.colour ? [cm.data.colour] : []));
  await informer.waitForSync();
  const names = (key: string) => informer.byIndex('byColour', key).map((c) => c.metadata?.name).sort();

  await create('ix-a', { colour: 'red' });
  await create('ix-b', { colour: 'red' });
  await create('ix-c', { colour: 'blue' });
  await eventually('indexed', async () => (names('red').length === 2 && names('blue').length === 1 ? true : undefined));
  await kube.core.replaceNamespacedConfigMap({ namespace: ns, name: 'ix-b', body: { metadata: { name: 'ix-b' }, data: { colour: 'blue' } } });
  await remove('ix-a');
  await eventually('moved and removed', async () => (names('red').length === 0 && names('blue').join() === 'ix-b,ix-c' ? true : undefined));
  await sleep(1_500); // a relist replays everything: the index must not double or lose entries
  expect(names('blue')).toEqual(['ix-b', 'ix-c']);
  expect(names('red')).toEqual([]);
});

test('a list is read in pages: every page is cached, and what no page held is removed at the end', async () => {
  for (const n of Array.from({ length: 23 }, (_, i) => `page-${i}`)) await create(n);
  const asked: Array<string | undefined> = [];
  const list = ({ limit, _continue }: ListPage) => {
    asked.push(_continue);
    return kube.core.listNamespacedConfigMap({ namespace: ns, limit, _continue });
  };
  const { informer, events } = configMaps(kube, { listPageSize: 5, relistIntervalMs: 0 }, list);
  await informer.waitForSync();
  const total = (await kube.core.listNamespacedConfigMap({ namespace: ns })).items.length;
  expect(asked.length).toBe(Math.ceil(total / 5));
  expect(asked[0]).toBeUndefined();
  expect(asked.slice(1).every((token) => typeof token === 'string' && token.length > 0)).toBe(true);
  expect(await matchesApi(informer)).toBe(total);

  // A relist after a deletion the watch never delivered: the paged list drops the object.
  const proxy = await FlakyProxy.start(new URL(kube.config.getCurrentCluster()!.server));
  cleanup.push(() => proxy.close());
  const frozen = configMaps(proxied(proxy), { listPageSize: 5, relistIntervalMs: 0 }, ({ limit, _continue }) =>
    proxied(proxy).core.listNamespacedConfigMap({ namespace: ns, limit, _continue }));
  await frozen.informer.waitForSync();
  await sleep(500); // let the watch connect
  proxy.freeze();
  await remove('page-7');
  await sleep(500);
  expect(frozen.informer.get(ns, 'page-7')).toBeDefined();
  await frozen.informer.relist();
  expect(frozen.informer.get(ns, 'page-7')).toBeUndefined();
  expect(frozen.events).toContain('delete page-7');
  expect(events.filter((e) => e.startsWith('add page-')).length).toBe(23);
});
