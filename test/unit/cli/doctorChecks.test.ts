import type { V1Lease } from '@kubernetes/client-node';
import {
  judgeAccess, judgeCrds, judgeLease, judgePools, judgeRedis, judgeTaskPools, judgeTaskSyncTypes, type Need,
} from '../../../src/cli/doctorChecks.js';
import type { PoolObject, TaskObject } from '../../../src/views/index.js';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const where = { namespace: 'syncpool', name: 'syncpool-operator' };

function pool(name: string, spec: Record<string, unknown> = {}, status?: object): PoolObject {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: { name, namespace: 'data', generation: 2 },
    spec: { maxWorkers: 2, template: { image: 'i' }, ...spec }, status,
  } as PoolObject;
}

function task(name: string, poolName: string, syncType = 'contacts', phase?: string): TaskObject {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', metadata: { name, namespace: 'data' },
    spec: { pool: poolName, source: 'hubspot', syncType, parameters: { token: 'never-shown' } }, status: phase ? { phase } : undefined,
  } as unknown as TaskObject;
}

describe('operator', () => {
  const lease = (holder: string | undefined, renewedAgoMs: number): V1Lease => ({
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(NOW - renewedAgoMs) as never },
  });

  test('a leader that renews is running', () => {
    expect(judgeLease(lease('op-7d9f-1', 2_000), where, NOW)).toEqual({
      name: 'operator', verdict: 'pass', message: 'running; leader op-7d9f-1 (Lease syncpool/syncpool-operator renewed 2s ago)',
    });
  });

  test('no Lease, no holder, or a leader that stopped renewing fails, saying where it looked', () => {
    const missing = judgeLease(undefined, where, NOW);
    expect(missing).toMatchObject({ verdict: 'fail', message: 'no Lease syncpool/syncpool-operator: no operator has led from this namespace' });
    expect(missing.fix).toMatch(/--operator-namespace/);
    expect(judgeLease(lease(undefined, 1_000), where, NOW)).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/has no holder/) });
    expect(judgeLease(lease('op-1', 5 * 60_000), where, NOW)).toMatchObject({
      verdict: 'fail', message: 'leader op-1 last renewed it 5m ago (lease 15s): it is gone or cannot reach the API server; nothing is admitted',
    });
  });
});

describe('crds', () => {
  const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } };
  const stored = (versions: { name: string; served?: boolean; storage?: boolean; schema?: unknown }[], established = true) => ({
    spec: { versions }, status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  });
  const expected = new Map([['workerpools.syncpool.dev', schema]]);

  test('installed with this plugin\'s version and schema (key order does not matter)', () => {
    const sameOtherOrder = { openAPIV3Schema: { properties: { spec: { type: 'object' } }, type: 'object' } };
    expect(judgeCrds([{ name: 'workerpools.syncpool.dev', stored: stored([{ name: 'v1alpha1', served: true, storage: true, schema: sameOtherOrder }]) }], expected))
      .toMatchObject({ verdict: 'pass' });
  });

  test.each<[string, object | undefined, RegExp]>([
    ['missing', undefined, /workerpools.syncpool.dev is not installed/],
    ['another version', stored([{ name: 'v1beta1', served: true, storage: true, schema }]), /serves v1beta1, this plugin speaks v1alpha1/],
    ['another schema', stored([{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }]), /another schema/],
    ['not established', stored([{ name: 'v1alpha1', served: true, schema }], false), /not established/],
  ])('%s fails with the fix', (_what, crd, message) => {
    const check = judgeCrds([{ name: 'workerpools.syncpool.dev', stored: crd as never }], expected);
    expect(check).toMatchObject({ verdict: 'fail', message: expect.stringMatching(message), fix: expect.stringContaining('kubectl apply -f deploy/crds/') });
  });
});

describe('pools and tasks', () => {
  test('pools the operator cannot use are named with the reason', () => {
    expect(judgePools([pool('crm')], 'namespace data')).toMatchObject({ verdict: 'pass', message: '1 pool, all usable' });
    expect(judgePools([], 'namespace data')).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^no WorkerPools in namespace data/) });
    const badTemplate = pool('exports', {}, { conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidTemplate', message: 'spec.template.image: Required', observedGeneration: 2, lastTransitionTime: '2026-05-01T11:00:00Z' }] });
    const badDuration = pool('crm', { staleAfter: '9999999999h' });
    const check = judgePools([badTemplate, badDuration], 'namespace data');
    expect(check.verdict).toBe('fail');
    expect(check.message).toMatch(/^2 pools cannot be used: data\/exports: InvalidTemplate: spec.template.image: Required; data\/crm: spec.staleAfter/);
    // A verdict about an older generation is not about this spec.
    const stale = pool('old', {}, { conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidTemplate', message: 'x', observedGeneration: 1, lastTransitionTime: '2026-05-01T11:00:00Z' }] });
    expect(judgePools([stale], 'namespace data').verdict).toBe('pass');
  });

  test('unfinished tasks naming a missing pool are listed; finished ones do not matter', () => {
    const pools = [pool('crm')];
    expect(judgeTaskPools([task('ok', 'crm'), task('old', 'gone', 'contacts', 'Succeeded')], pools).verdict).toBe('pass');
    const check = judgeTaskPools([task('typo', 'crmm', 'contacts', 'Pending')], pools);
    expect(check).toMatchObject({ verdict: 'fail', message: '1 task names a missing pool and waits Pending: data/typo -> crmm' });
  });

  test('a sync the pool does not allow is named with what it allows, never with the parameters', () => {
    const pools = [pool('crm', { syncTypes: [{ source: 'hubspot', types: ['contacts'] }] })];
    expect(judgeTaskSyncTypes([task('fine', 'crm')], pools).verdict).toBe('pass');
    const check = judgeTaskSyncTypes([task('phantom', 'crm', 'deals', 'Rejected')], pools);
    expect(check.verdict).toBe('fail');
    expect(check.message).toContain('data/phantom: sync hubspot/deals is not allowed by WorkerPool crm; it allows: hubspot/contacts');
    expect(JSON.stringify(check)).not.toContain('never-shown');
  });
});

test('Redis: a degraded operator fails, a healthy one passes, an unreachable one is skipped with how to reach it', () => {
  expect(judgeRedis({ via: 'u', status: 200, body: 'leader, caches synced; degraded: Redis unreachable at redis:6379: heartbeats held in memory' }))
    .toMatchObject({ verdict: 'fail', message: 'the operator says: Redis unreachable at redis:6379: heartbeats held in memory' });
  expect(judgeRedis({ via: 'u', status: 200, body: 'standby' })).toMatchObject({ verdict: 'pass' });
  expect(judgeRedis({ via: 'u', error: 'ECONNREFUSED' })).toMatchObject({ verdict: 'skip', fix: expect.stringContaining('--operator-url') });
});

test('RBAC: missing reads fail, missing writes make it read-only', () => {
  const need = (verb: string, resource: string, read: boolean): Need => ({ verb, resource, group: '', for: 'x', read });
  const all = [need('list', 'synctasks', true), need('create', 'synctasks', false)];
  expect(judgeAccess(all.map((n) => ({ need: n, allowed: true })), 'namespace data').verdict).toBe('pass');
  const readOnly = judgeAccess([{ need: all[0]!, allowed: true }, { need: all[1]!, allowed: false }], 'namespace data');
  expect(readOnly).toMatchObject({ verdict: 'pass', message: expect.stringContaining('read-only: you cannot create synctasks') });
  expect(judgeAccess([{ need: all[0]!, allowed: false }], 'namespace data'))
    .toMatchObject({ verdict: 'fail', message: 'in namespace data you cannot list synctasks (x)' });
});
