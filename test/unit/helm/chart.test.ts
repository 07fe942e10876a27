// The chart carries copies (CRDs, the dashboard, the alert rules) and a schema derived
// from the API: each must be what it copies, or `helm install` would ship something other
// than what deploy/ and src/api say. `npm run gen:crds` rewrites the CRDs and the schema;
// the monitoring files are copied by hand (cp deploy/monitoring/{dashboard.json,alerts.yaml}
// deploy/helm/syncpool/files/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { POOL_SPEC_DEFINITION, poolSpecJsonSchema } from '../../../src/api/chartSchema.js';
import { buildCrds } from '../../../src/api/crd.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CHART = join(REPO, 'deploy/helm/syncpool');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const valuesSchema = JSON.parse(read('deploy/helm/syncpool/values.schema.json')) as { definitions: Record<string, unknown> };
const validator = z.fromJSONSchema(valuesSchema as Parameters<typeof z.fromJSONSchema>[0]);

describe('copies in the chart', () => {
  test('crds/ holds exactly deploy/crds, byte for byte (npm run gen:crds writes both)', () => {
    const originals = readdirSync(join(REPO, 'deploy/crds')).sort();
    expect(readdirSync(join(CHART, 'crds')).sort()).toEqual(originals);
    for (const file of originals) {
      expect({ file, text: read(`deploy/helm/syncpool/crds/${file}`) }).toEqual({ file, text: read(`deploy/crds/${file}`) });
    }
  });

  test.each([['dashboard.json'], ['alerts.yaml']])('files/%s is the one in deploy/monitoring', (file) => {
    const original = join(REPO, 'deploy/monitoring', file);
    if (!existsSync(original)) throw new Error(`deploy/monitoring/${file} does not exist: the chart templates a copy of it`);
    // Not a diff: the dashboard is 40 KB of JSON.
    if (read(`deploy/helm/syncpool/files/${file}`) !== readFileSync(original, 'utf8')) {
      throw new Error(`deploy/helm/syncpool/files/${file} differs from deploy/monitoring/${file}: cp deploy/monitoring/${file} deploy/helm/syncpool/files/`);
    }
  });

  test("the pool schema in values.schema.json is the WorkerPool CRD's spec (npm run gen:crds)", () => {
    const workerPool = buildCrds().find((c) => c.spec.names.kind === 'WorkerPool')!;
    expect(valuesSchema.definitions[POOL_SPEC_DEFINITION]).toEqual(poolSpecJsonSchema(workerPool));
  });

  test("Chart.yaml's appVersion is the operator's version (the image tag it defaults to)", () => {
    const chart = parse(read('deploy/helm/syncpool/Chart.yaml')) as { appVersion: string };
    expect(chart.appVersion).toBe((JSON.parse(read('package.json')) as { version: string }).version);
  });
});

describe('values.schema.json', () => {
  const values = (file: string) => parse(read(`deploy/helm/syncpool/${file}`)) as Record<string, any>;
  const issues = (v: unknown) => {
    const r = validator.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test.each(['values.yaml', 'ci/full-values.yaml', 'ci/namespaced-values.yaml'])('accepts %s', (file) => {
    expect(issues(values(file))).toEqual([]);
  });

  test('refuses a pool field the API server would silently drop, naming it', () => {
    const v = values('ci/full-values.yaml');
    v.pools.crm.spec.sourceLimit = { hubspot: 1 };
    expect(issues(v)).toEqual([expect.stringMatching(/^pools\.crm\.spec: .*sourceLimit/)]);
  });

  test('refuses loosening the security context', () => {
    const v = values('values.yaml');
    v.securityContext.readOnlyRootFilesystem = false;
    v.podSecurityContext.runAsNonRoot = false;
    expect(issues(v)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^securityContext\.readOnlyRootFilesystem/),
      expect.stringMatching(/^podSecurityContext\.runAsNonRoot/),
    ]));
  });

  test('refuses a Redis URL of another scheme', () => {
    const v = values('values.yaml');
    v.redis.url = 'http://redis:6379';
    expect(issues(v)).toEqual([expect.stringMatching(/^redis\.url/)]);
  });
});
