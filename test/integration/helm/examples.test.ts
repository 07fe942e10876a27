// The README's examples work as written: the pools of examples/helm/values.yaml as the
// chart renders them, then every manifest of examples/syncs applied with kubectl, with an
// operator running, in a namespace that enforces Pod Security "restricted". Each task
// gets where a user would expect: one-shot syncs finish, the scrape is admitted, the
// periodic sync is scheduled, the CronJob is adopted. Nothing is Rejected.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncTask } from '../../../src/api/types.js';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { ensureMonitoringKinds } from './monitoringKinds.js';
import { CHART, helm, kubectl, type Manifest, manifests, ok, REPO } from './support.js';

const EXAMPLES = join(REPO, 'examples');
let stage: SyncpoolStage;

let rendered: string;
let pools: Manifest[];

beforeAll(async () => {
  stage = await startSyncpool('helm-examples', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  await ensureMonitoringKinds(stage.kube); // the example values turn on the ServiceMonitor and PrometheusRule
  rendered = ok(await helm(['template', 'syncpool', CHART, '-n', stage.ns, '-f', join(EXAMPLES, 'helm/values.yaml')]), 'helm template').stdout;
  pools = manifests(rendered).filter((m) => m.kind === 'WorkerPool');
});
afterAll(async () => { await stage?.stop(); });

test('the example values render what the API server accepts, with no Pod Security warning', async () => {
  expect(pools.map((p) => [p.metadata.name, p.metadata.namespace])).toEqual([['crm', 'data'], ['notifications', 'data'], ['scrapers', 'data']]);
  const dry = ok(await kubectl(['apply', '--dry-run=server', '--validate=strict', '-n', stage.ns, '-f', '-'],
    { input: rendered.replaceAll('namespace: data', `namespace: ${stage.ns}`) }), 'kubectl apply --dry-run=server');
  expect(dry.stderr).not.toMatch(/PodSecurity|would violate|unknown field/i);
});

test('every example sync gets where its comment says', async () => {
  // The example pools for real, in this test's namespace.
  const body = pools.map((p) => JSON.stringify({ ...p, metadata: { ...p.metadata, namespace: stage.ns } })).join('\n');
  ok(await kubectl(['apply', '-f', '-'], { input: body }), 'kubectl apply pools');
  // The Secrets the examples name, as the data team would have them.
  for (const name of ['crm-api-keys', 'hubspot-portal-eu', 'warehouse-credentials']) {
    await stage.kube.core.createNamespacedSecret({ namespace: stage.ns, body: { metadata: { name }, stringData: { TOKEN: 'x' } } });
  }
  const files = readdirSync(join(EXAMPLES, 'syncs')).sort();
  expect(files).toEqual(['adopted-cronjob.yaml', 'crm.yaml', 'notifications.yaml', 'periodic.yaml', 'scraper.yaml']);
  const applied = ok(await kubectl(['apply', '--validate=strict', '-n', stage.ns, '-f', join(EXAMPLES, 'syncs')]), 'kubectl apply examples/syncs');
  expect(applied.stderr).not.toMatch(/PodSecurity|would violate|unknown field/i);

  let last: Record<string, unknown> = {};
  const phases = await eventually('every example task settled', async () => {
    const tasks = await stage.api.tasks();
    const byName = Object.fromEntries(tasks.map((t: SyncTask) => [t.metadata.name, t.status?.phase]));
    last = Object.fromEntries(tasks.map((t: SyncTask) => [t.metadata.name, `${t.status?.phase}: ${t.status?.message ?? ''}`]));
    const expected = {
      'hubspot-contacts-backfill': 'Succeeded', 'hubspot-deals': 'Succeeded', 'salesforce-opportunities': 'Succeeded',
      'weekly-digest-emails': 'Succeeded', 'slack-sync-report': 'Succeeded',
      // Admitted: its pod waits for a node labelled workload=batch, which the test cluster lacks.
      'competitor-prices': 'Running',
      'salesforce-accounts-15m': 'Scheduled',
    };
    const settled = Object.entries(expected).every(([name, phase]) => byName[name] === phase);
    return settled && tasks.length === Object.keys(expected).length ? byName : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}\n${JSON.stringify(last, null, 2)}`);
  });
  expect(Object.values(phases)).not.toContain('Rejected');

  const periodic = await stage.api.task('salesforce-accounts-15m');
  expect(periodic.status?.nextScheduleTime).toMatch(/^\d{4}-/);
  await eventually('the CronJob adopted into crm', async () => {
    const cj = await stage.kube.batch.readNamespacedCronJob({ namespace: stage.ns, name: 'nightly-warehouse-export' });
    return cj.spec?.jobTemplate.spec?.suspend === true && cj.spec.jobTemplate.metadata?.labels?.['syncpool.dev/pool'] === 'crm' ? true : undefined;
  });
});
