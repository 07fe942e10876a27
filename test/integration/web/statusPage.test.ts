// The status page and its JSON API on the real control plane, looked at in headless
// Chromium. Two people: a ServiceAccount bound to a Role that may list synctasks and
// workerpools in the test namespace, and one with no rights at all; their tokens come from
// the TokenRequest API, as `kubectl create token` makes them. A second namespace with a
// pool is there to stay invisible.
//
// Two operators serve the page: the test namespace's leader, and an all-namespaces
// replica that never leads (its Lease is held by someone else for a day), so it runs
// only its caches and HTTP, as a standby does; it is the one that could show the second
// namespace, and must not to this viewer.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RbacAuthorizationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createTestNamespace, deleteNamespace, eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';
import { OperatorProcess } from '../support/operator.js';
import { SyncpoolApi } from '../support/syncpool.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
/** The promise: a finished task shows within 2 s; one poll (1 s) of slack for a busy machine. */
const SHOWN_WITHIN_MS = 2000 + 1000;

let stage: SyncpoolStage;
let rbac: RbacAuthorizationV1Api;
let otherNs: string;
let overview: OperatorProcess;
let browser: Browser | undefined;
let viewerToken: string;
let nobodyToken: string;
let apiAudienceToken: string;

async function serviceAccountToken(ns: string, name: string, audiences?: string[]): Promise<string> {
  const request = await stage.kube.core.createNamespacedServiceAccountToken({
    // No audiences: the API server's own, as `kubectl create token` asks.
    namespace: ns, name, body: { spec: { expirationSeconds: 3600, audiences: audiences ?? [] } },
  });
  return request.status!.token;
}

beforeAll(async () => {
  // Loud, never a skip: CI must install Debian's chromium package.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  stage = await startSyncpool('web', {}, { operatorArgs: ['--heartbeat-status-interval', '1'] });
  const { kube, ns } = stage;

  // crm: two long runs and, later, two waiting behind them.
  await stage.api.createPool('crm', { maxWorkers: 2 }, '600s');
  otherNs = await createTestNamespace(kube, 'web-other');
  await new SyncpoolApi(kube, otherNs).createPool('payroll', { maxWorkers: 1 });

  // The people.
  rbac = kube.config.makeApiClient(RbacAuthorizationV1Api);
  for (const name of ['status-viewer', 'status-nobody']) await kube.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  await grantReading(ns, ns);
  viewerToken = await serviceAccountToken(ns, 'status-viewer');
  nobodyToken = await serviceAccountToken(ns, 'status-nobody');
  apiAudienceToken = await serviceAccountToken(ns, 'status-viewer', ['syncpool']); // a heartbeat's audience, not the API server's

  // The all-namespaces replica that never leads.
  await kube.coordination.createNamespacedLease({ namespace: ns, body: {
    metadata: { name: 'web-status-only' },
    spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 86_400, renewTime: new V1MicroTime(Date.now()), acquireTime: new V1MicroTime(Date.now()) },
  } });
  overview = await OperatorProcess.start({ namespace: ns, identity: 'web-overview', args: ['--namespace', '', '--lease-name', 'web-status-only'] });
});

afterAll(async () => {
  await browser?.close();
  await overview?.stop();
  if (otherNs) await deleteNamespace(stage.kube, otherNs);
  await stage?.stop();
});

/** A Role that may read syncpool objects in `where`, bound to the status-viewer of namespace `viewerNs`. */
async function grantReading(where: string, viewerNs: string): Promise<void> {
  await rbac.createNamespacedRole({ namespace: where, body: {
    metadata: { name: 'syncpool-reader' },
    rules: [{ apiGroups: ['syncpool.dev'], resources: ['synctasks', 'workerpools'], verbs: ['get', 'list', 'watch'] }],
  } });
  await rbac.createNamespacedRoleBinding({ namespace: where, body: {
    metadata: { name: 'status-viewer-reads' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'syncpool-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'status-viewer', namespace: viewerNs }],
  } });
}

interface Answer { status: number; body: any }

async function getPools(port: number, token?: string, path = '/api/v1/pools'): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

/** The answer once the replica's caches hold `pools` (the pools a fresh test just made may lag). */
function poolsShown(port: number, pools: string[]): Promise<Answer> {
  return eventually(`${pools.join(', ')} in the status API`, async () => {
    const answer = await getPools(port, viewerToken);
    const names = answer.status === 200 ? answer.body.pools.map((p: { name: string }) => p.name) : [];
    return pools.every((p) => names.includes(p)) ? answer : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
}

test('the API: 401 without an accepted token, 403 without rights, and a viewer sees only the namespaces they may list', async () => {
  const { ns } = stage;
  const answer = await poolsShown(overview.port, ['crm']);

  // Who may not look.
  for (const token of [undefined, 'garbage', apiAudienceToken]) {
    const res = await getPools(overview.port, token);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(token ? /not accepted by the API server/ : /bearer token is required/);
  }
  const nobody = await getPools(overview.port, nobodyToken);
  expect(nobody).toEqual({ status: 403, body: { error: `system:serviceaccount:${ns}:status-nobody may not list synctasks in any namespace that has pools` } });
  expect((await getPools(overview.port, nobodyToken, `/api/v1/namespaces/${ns}/pools/crm`)).status).toBe(403);

  // The viewer: this namespace only, though the replica also holds the other one's pool.
  expect(answer.body.viewer).toBe(`system:serviceaccount:${ns}:status-viewer`);
  expect(new Set(answer.body.pools.map((p: { namespace: string }) => p.namespace))).toEqual(new Set([ns]));
  expect(JSON.stringify(answer.body)).not.toContain(otherNs);
  expect(JSON.stringify(answer.body)).not.toContain('payroll');
  expect((await getPools(overview.port, viewerToken, `/api/v1/namespaces/${otherNs}/pools`)).status).toBe(403);
  expect((await getPools(overview.port, viewerToken, `/api/v1/namespaces/${otherNs}/pools/payroll`)).status).toBe(403);
  const crm = await getPools(overview.port, viewerToken, `/api/v1/namespaces/${ns}/pools/crm`);
  expect(crm.status).toBe(200);
  expect(crm.body.pool).toMatchObject({ namespace: ns, name: 'crm', maxWorkers: 2, state: 'Available', running: [], queue: [], recent: [] });

  // The leader of this namespace serves the same API.
  expect((await poolsShown(stage.operator.port, ['crm'])).body.pools.map((p: { name: string }) => p.name)).toContain('crm');
});

test('the page shows pools, running and queued tasks and recent outcomes, and a finished task within 2 s', async () => {
  const { api, ns, kube } = stage;
  await api.createTask('contacts', { pool: 'crm', syncType: 'contacts', priority: 5 });
  await api.createTask('companies', { pool: 'crm', source: 'salesforce', syncType: 'accounts', priority: 5 });
  await api.waitForPhase('contacts', 'Running');
  await api.waitForPhase('companies', 'Running');
  await api.createTask('deals', { pool: 'crm', syncType: 'deals', priority: 1 });
  await api.createTask('tickets', { pool: 'crm', source: 'zendesk', syncType: 'tickets' });
  // reports: a quick run, a failed one, and later the run the page must see finish.
  await api.createPool('reports', { maxWorkers: 1, overlap: 'Allow' }, '8s');
  await api.createPool('flaky', {
    maxWorkers: 1, template: { image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/run-for': '1s', 'testbed.syncpool.dev/exit-code': '3' } },
  });
  await api.createTask('export', { pool: 'flaky', source: 'postgres', syncType: 'orders' });
  await api.waitForPhase('export', 'Failed');

  // The worker of `contacts` reports progress.
  const pod = await podOfTask(kube, ns, 'contacts');
  const beat = await sendHeartbeat(stage.operator.port, await mintPodToken(kube, pod), { progress: 0.42, message: '12000/30000 contacts' });
  expect(beat.status).toBe(200);
  await eventually('the heartbeat in the task status', async () => ((await api.task('contacts')).status?.progress === 0.42 ? true : undefined));

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`http://127.0.0.1:${overview.port}/#token=${encodeURIComponent(viewerToken)}`);
  expect(page.url()).toBe(`http://127.0.0.1:${overview.port}/`); // the token left the address bar

  const section = (pool: string) => page.locator(`section[data-pool="${ns}/${pool}"]`);
  const crm = section('crm');
  await crm.locator('table.queue tr[data-task="tickets"]').waitFor({ timeout: 30_000 });

  // Pools with utilization bars, state and numbers.
  await expectText(crm.locator('.badge').first(), 'Overloaded');
  await expectText(crm.locator('.util .pct'), '100%');
  expect(await crm.locator('.util .fill').evaluate((e) => (e as unknown as { style: { width: string } }).style.width)).toBe('100%');
  await expectText(crm.locator('.numbers'), '2 of 2 running · 2 waiting');
  await expectText(section('reports').locator('.badge').first(), 'Available');
  // Running tasks with age, progress and last heartbeat.
  const contacts = crm.locator('table.running tr[data-task="contacts"]');
  expect(await contacts.locator('td.age').textContent()).toMatch(/^\d+s$|^\d+m \d\ds$/);
  expect(await contacts.textContent()).toContain('42%');
  expect(await contacts.textContent()).toContain('12000/30000 contacts');
  expect(await contacts.locator('td.heartbeat').textContent()).toMatch(/ago$/);
  expect(await crm.locator('table.running tr[data-task="companies"] td.heartbeat').textContent()).toBe('none yet');
  // Queued tasks with their positions: priority first.
  expect(await crm.locator('table.queue tr').evaluateAll((rows) => rows.slice(1).map((r) => (r as unknown as { textContent: string }).textContent)))
    .toEqual([expect.stringMatching(/^1deals/), expect.stringMatching(/^2tickets/)]);
  await expectText(crm.locator('table.queue tr[data-task="deals"] .reason'), 'PoolFull');
  // Recent outcomes.
  await expectText(section('flaky').locator('table.recent tr[data-task="export"] .badge'), 'Failed');
  // Nothing of the other namespace, and the viewer named.
  expect(await page.locator('body').textContent()).not.toContain(otherNs);
  expect(await page.locator('#viewer').textContent()).toBe(`as system:serviceaccount:${ns}:status-viewer`);

  // A task finishes: the page shows it within 2 s of its status saying so.
  await api.createTask('weekly-report', { pool: 'reports', source: 'warehouse', syncType: 'weekly' });
  await section('reports').locator('table.running tr[data-task="weekly-report"]').waitFor({ timeout: 60_000 });
  // A function, not a string: the page's policy forbids evaluating strings (no 'unsafe-eval').
  // It answers when the row first shows, with the page's own "updated" clock at that moment.
  const finishedRow = `section[data-pool="${ns}/reports"] table.recent tr[data-task="weekly-report"][data-phase="Succeeded"]`;
  const shown = page.waitForFunction((selector) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document;
    return doc.querySelector(selector) ? { at: Date.now(), updated: doc.querySelector('#updated')!.textContent } : false;
  }, finishedRow, { timeout: 90_000, polling: 50 }).then((h) => h.jsonValue() as Promise<{ at: number; updated: string }>);
  const finishedAt = await eventually('weekly-report Succeeded in the API server', async () =>
    ((await api.task('weekly-report')).status?.phase === 'Succeeded' ? Date.now() : undefined), { timeoutMs: 90_000, intervalMs: 100 });
  const { at, updated } = await shown;
  process.stderr.write(`status page: a finished task shown ${at - finishedAt} ms after the API server said so\n`);
  expect(at - finishedAt).toBeLessThanOrEqual(SHOWN_WITHIN_MS);
  // …while the page's own clock says it is live and was refreshed within the last 2 s.
  expect(updated).toMatch(/^live · updated \d\d:\d\d:\d\d$/);
  expect(secondsBetween(updated.slice(-8), new Date(at))).toBeLessThanOrEqual(2);
  await expectText(section('reports').locator('table.running'), undefined);
  await expectText(section('reports').locator('h3 .none').first(), 'nothing running');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}status-page.png`, fullPage: true });
  expect(problems).toEqual([]);
});

test('the page asks for a token, refuses a bad one, and tells a user without rights so', async () => {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page: Page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${overview.port}/status`);
  await page.locator('#login').waitFor({ state: 'visible' });
  expect(await page.locator('main section').count()).toBe(0);

  await page.fill('#token', 'garbage');
  await page.click('#login button[type=submit]');
  await expectText(page.locator('#login-why'), 'The API server did not accept that token (the token is not accepted by the API server).');

  await page.fill('#token', nobodyToken);
  await page.click('#login button[type=submit]');
  await page.locator('#login').waitFor({ state: 'hidden' });
  await eventually('the 403 explained', async () => ((await page.locator('#notice').textContent())?.includes('not allowed to see any pool') ? true : undefined));
  expect(await page.locator('main section').count()).toBe(0);

  await page.click('#forget');
  await page.locator('#login').waitFor({ state: 'visible' });
  expect(await page.evaluate('sessionStorage.length')).toBe(0);
  await page.close();
});

test('rights, not what the replica holds, hide a namespace: granted, its pool shows within the 10 s permissions are remembered', async () => {
  await grantReading(otherNs, stage.ns);
  const granted = Date.now();
  const answer = await poolsShown(overview.port, ['crm', 'payroll']);
  expect(Date.now() - granted).toBeLessThan(10_000 + 5_000);
  expect(new Set(answer.body.pools.map((p: { namespace: string }) => p.namespace))).toEqual(new Set([stage.ns, otherNs]));
  expect((await getPools(overview.port, viewerToken, `/api/v1/namespaces/${otherNs}/pools/payroll`)).status).toBe(200);
});

/** Polls until the locator's text is `text` (undefined: until it is gone). */
async function expectText(locator: ReturnType<Page['locator']>, text: string | undefined): Promise<void> {
  let last: string | null | undefined;
  try {
    await eventually(`text ${JSON.stringify(text)}`, async () => {
      if (text === undefined) return (await locator.count()) === 0 ? true : undefined;
      last = await locator.first().textContent({ timeout: 5_000 });
      return last === text ? true : undefined;
    }, { timeoutMs: 15_000, intervalMs: 100 });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`);
  }
}

/** Seconds from the local time of day `hh:mm:ss` to `then` (the browser and this process share a clock and zone). */
function secondsBetween(hhmmss: string, then: Date): number {
  const [h, m, sec] = hhmmss.split(':').map(Number) as [number, number, number];
  const ofDay = then.getHours() * 3600 + then.getMinutes() * 60 + then.getSeconds();
  return (ofDay - (h * 3600 + m * 60 + sec) + 86_400) % 86_400;
}
