// The API clients reuse their connections: a handshake per call cost the operator most
// of its CPU. Counted at a proxy in front of the API server, which sees every connection.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKubeConfig, makeClients } from '../../../src/kube/client.js';
import { IDLE_SOCKET_MS } from '../../../src/kube/connections.js';
import { FlakyProxy } from '../runtime/proxy.js';

let proxy: FlakyProxy;
const kubeconfig = () => process.env.SYNCPOOL_TEST_KUBECONFIG!;

beforeAll(async () => {
  proxy = await FlakyProxy.start(new URL(loadKubeConfig(kubeconfig()).getCurrentCluster()!.server));
});
afterAll(() => proxy?.close());

test('calls reuse connections: twenty in a row take one, a burst takes no more than it needs at once', async () => {
  const kube = makeClients(proxy.kubeconfig(kubeconfig()));
  const before = proxy.attempts;
  for (let i = 0; i < 20; i++) await kube.core.readNamespace({ name: 'default' });
  expect(proxy.attempts - before).toBe(1);
  await Promise.all(Array.from({ length: 10 }, () => kube.core.readNamespace({ name: 'default' })));
  const afterBurst = proxy.attempts;
  expect(afterBurst - before).toBeLessThanOrEqual(11);
  for (let i = 0; i < 20; i++) await kube.core.readNamespace({ name: 'default' });
  expect(proxy.attempts).toBe(afterBurst);
});

test('after every connection was reset, calls go on over new ones', async () => {
  const kube = makeClients(proxy.kubeconfig(kubeconfig()));
  await kube.core.readNamespace({ name: 'default' });
  const before = proxy.attempts;
  proxy.down();
  proxy.up();
  // A call may meet the reset socket before it is seen closed; the next ones reconnect.
  await kube.core.readNamespace({ name: 'default' }).catch(() => undefined);
  await expect(kube.core.readNamespace({ name: 'default' })).resolves.toMatchObject({ metadata: { name: 'default' } });
  expect(proxy.attempts).toBeGreaterThan(before);
});

test('an idle connection is not kept past IDLE_SOCKET_MS: one that died silently meanwhile cannot hang the next call', async () => {
  const kube = makeClients(proxy.kubeconfig(kubeconfig()));
  await kube.core.readNamespace({ name: 'default' });
  proxy.freeze(); // the open connection stops carrying anything, with no error
  await sleep(IDLE_SOCKET_MS + 500);
  const before = proxy.attempts;
  await expect(kube.core.readNamespace({ name: 'default' })).resolves.toMatchObject({ metadata: { name: 'default' } });
  expect(proxy.attempts).toBe(before + 1);
});
