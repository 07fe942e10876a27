// The status API's answers with fake authentication and authorization: who gets 401,
// 403, 404 and 503, and that a viewer sees exactly the namespaces they may list tasks in.
import type { Server } from 'node:http';
import { createApp, listen } from '../../../src/operator/http.js';
import { silentLogger } from '../../../src/runtime/clock.js';
import type { ClusterState } from '../../../src/views/index.js';
import { statusRouter, type UserInfo } from '../../../src/web/index.js';
import { job, NOW, pool, task, world } from '../views/world.js';

const alice: UserInfo = { username: 'alice', uid: 'u-1', groups: ['data-team'], extra: {} };
const TOKENS: Record<string, UserInfo> = { 'alice-token': alice, 'bob-token': { username: 'bob', groups: [], extra: {} } };
/** alice may list synctasks in `data` and `ops`; bob nowhere. */
const GRANTS: Record<string, string[]> = { alice: ['data', 'ops'], bob: [] };

let server: Server | undefined;
let state: ClusterState | undefined;
let reviewFails = false;
let asked: string[] = [];

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

beforeEach(() => {
  reviewFails = false;
  asked = [];
  const contacts = task('contacts', { status: { phase: 'Running', jobName: 'contacts-1' }, parameters: { apiKey: 'hunter2' } });
  const waiting = task('companies', { parameters: { apiKey: 'hunter2' } });
  state = world(
    pool('crm', { maxWorkers: 1 }), contacts, job(contacts, 'running'), waiting, job(waiting, 'queued'),
    pool('etl', {}, 'ops'),
    pool('secret', {}, 'payroll'), task('salaries', { pool: 'secret', namespace: 'payroll' }),
  );
});

async function serve(o: { scope?: string } = {}): Promise<string> {
  const router = statusRouter({
    state: () => state,
    authenticate: async (token) => {
      if (reviewFails) throw new Error('connect ECONNREFUSED');
      return TOKENS[token];
    },
    authorize: async (user, namespace) => {
      asked.push(`${user.username}@${namespace}`);
      return (GRANTS[user.username] ?? []).includes(namespace) || (namespace === '' && user.username === 'alice');
    },
    now: () => NOW,
    log: silentLogger,
    ...o,
  });
  server = await listen(createApp({ live: () => true, ready: () => ({ ok: true, detail: 'ok' }) }, [router]), '127.0.0.1', 0);
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

async function get(url: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

test.each([
  { what: 'no token', token: undefined, status: 401, error: /bearer token is required/ },
  { what: 'a token the API server refuses', token: 'forged', status: 401, error: /not accepted/ },
  { what: 'a user allowed in no namespace with pools', token: 'bob-token', status: 403, error: /^bob may not list synctasks in any namespace/ },
])('GET /api/v1/pools with $what: $status', async ({ token, status, error }) => {
  const base = await serve();
  const res = await get(`${base}/api/v1/pools`, token);
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.stringMatching(error) });
  if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer realm="syncpool"');
  expect(res.headers.get('cache-control')).toBe('no-store');
});

test('a viewer sees the pools of the namespaces they may list tasks in, and nothing of the others', async () => {
  const base = await serve();
  const res = await get(`${base}/api/v1/pools`, 'alice-token');
  expect(res.status).toBe(200);
  expect(res.body.generatedAt).toBe(new Date(NOW).toISOString());
  expect(res.body.viewer).toBe('alice');
  expect(res.body.pools.map((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`)).toEqual(['data/crm', 'ops/etl']);
  expect(asked.sort()).toEqual(['alice@data', 'alice@ops', 'alice@payroll']);
  const text = JSON.stringify(res.body);
  expect(text).not.toContain('payroll');
  expect(text).not.toContain('salaries');
  expect(text).not.toContain('hunter2'); // task parameters are never shown

  const crm = res.body.pools[0];
  expect(crm).toMatchObject({ state: 'Overloaded', active: 1, maxWorkers: 1, utilization: 1, queueLength: 1 });
  expect(crm.running.map((r: { task: string }) => r.task)).toEqual(['contacts']);
  expect(crm.queue).toEqual([expect.objectContaining({ position: 1, task: 'companies', reason: 'PoolFull' })]);
});

test('?queue=N lists the first N queued runs of each pool; queueLength is the whole queue', async () => {
  const extra = Array.from({ length: 60 }, (_, i) => task(`t${String(i).padStart(2, '0')}`, { queuedAt: -100 + i }));
  state = world(pool('crm', { maxWorkers: 0 }), ...extra.flatMap((t) => [t, job(t, 'queued')]));
  const base = await serve();
  const byDefault = (await get(`${base}/api/v1/pools`, 'alice-token')).body.pools[0];
  expect(byDefault.queue).toHaveLength(50);
  expect(byDefault.queueLength).toBe(60);
  const three = (await get(`${base}/api/v1/pools?queue=3`, 'alice-token')).body.pools[0];
  expect(three.queue.map((q: { position: number; task: string }) => `${q.position}:${q.task}`)).toEqual(['1:t00', '2:t01', '3:t02']);
  const whole = (await get(`${base}/api/v1/namespaces/data/pools/crm`, 'alice-token')).body.pool;
  expect(whole.queue).toHaveLength(60);
});

test('queued runs say when they will probably start, once finished runs tell how long a run takes', async () => {
  const running = task('contacts', { status: { phase: 'Running', jobName: 'contacts-1' } });
  const waiting = task('more', { syncType: 'contacts' });
  const earlier = task('earlier', { syncType: 'contacts', status: { phase: 'Succeeded' } });
  state = world(pool('crm', { maxWorkers: 1 }), running, job(running, 'running', { startedAt: -240 }), waiting, job(waiting, 'queued'),
    earlier, job(earlier, 'succeeded', { startedAt: -900, finishedAt: -300 }));
  const base = await serve();
  const [crm] = (await get(`${base}/api/v1/pools`, 'alice-token')).body.pools;
  // Runs of hubspot/contacts take 10 minutes; the running one started 4 minutes ago.
  expect(crm.queue).toEqual([expect.objectContaining({ task: 'more', startsAt: new Date(NOW + 6 * 60_000).toISOString() })]);
});

test('one namespace, and one pool: 403 before anything is said of a namespace the viewer may not see', async () => {
  const base = await serve();
  const ns = await get(`${base}/api/v1/namespaces/ops/pools`, 'alice-token');
  expect(ns.status).toBe(200);
  expect(ns.body.pools.map((p: { name: string }) => p.name)).toEqual(['etl']);

  const one = await get(`${base}/api/v1/namespaces/data/pools/crm`, 'alice-token');
  expect(one.status).toBe(200);
  expect(one.body.pool).toMatchObject({ namespace: 'data', name: 'crm', queueLength: 1 });

  expect((await get(`${base}/api/v1/namespaces/data/pools/nope`, 'alice-token')).status).toBe(404);
  // The same answer whether or not the pool exists: nothing leaks about payroll.
  expect(await get(`${base}/api/v1/namespaces/payroll/pools/secret`, 'alice-token')).toMatchObject(
    { status: 403, body: { error: 'alice may not list synctasks in namespace payroll' } });
  expect((await get(`${base}/api/v1/namespaces/payroll/pools/nope`, 'alice-token')).status).toBe(403);
  expect((await get(`${base}/api/v1/namespaces/payroll/pools`, 'alice-token')).status).toBe(403);
  expect((await get(`${base}/api/v1/namespaces/data/pools/crm`)).status).toBe(401);
});

test('no pools anywhere: permission for the watched scope decides between an empty list and 403', async () => {
  state = world();
  const base = await serve({ scope: 'data' });
  expect(await get(`${base}/api/v1/pools`, 'alice-token')).toMatchObject({ status: 200, body: { pools: [] } });
  expect((await get(`${base}/api/v1/pools`, 'bob-token')).status).toBe(403);
  expect(asked).toEqual(['alice@data', 'bob@data']);
});

test('503 while the caches have not listed, and when the API server cannot be asked; never 401 for that', async () => {
  const base = await serve();
  state = undefined;
  const syncing = await get(`${base}/api/v1/pools`, 'alice-token');
  expect(syncing).toMatchObject({ status: 503, body: { error: expect.stringMatching(/still listing/) } });
  expect(syncing.headers.get('retry-after')).toBe('2');
  expect((await get(`${base}/api/v1/pools`)).status).toBe(401); // who asks is checked first

  reviewFails = true;
  expect(await get(`${base}/api/v1/pools`, 'alice-token')).toMatchObject({ status: 503, body: { error: expect.stringMatching(/TokenReview failed/) } });
});

test('a failing SubjectAccessReview is 503, not 403', async () => {
  const router = statusRouter({
    state: () => state, now: () => NOW, log: silentLogger,
    authenticate: async () => alice,
    authorize: async () => { throw new Error('subjectaccessreviews.authorization.k8s.io is forbidden'); },
  });
  server = await listen(createApp({ live: () => true, ready: () => ({ ok: true, detail: 'ok' }) }, [router]), '127.0.0.1', 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  expect(await get(`${base}/api/v1/pools`, 'x')).toMatchObject({ status: 503, body: { error: expect.stringMatching(/SubjectAccessReview failed/) } });
});
