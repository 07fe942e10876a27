import type { V1Job } from '@kubernetes/client-node';
import { landed, uncertain } from '../../../src/controller/pools/creates.js';
import { AdmissionExpectations, type PoolView } from '../../../src/controller/pools/expectations.js';

const job = (uid: string, rv: string, suspend = true): V1Job => ({ metadata: { uid, resourceVersion: rv }, spec: { suspend, template: {} } });
const view = (...jobs: V1Job[]): PoolView => ({
  unfinished: (uid) => jobs.find((j) => j.metadata!.uid === uid), jobNamed: () => undefined, wants: () => true,
});

test('an admission counts as running until the cache shows our write, then is dropped', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.landed('ns/a', 'u1', '12');
  expect(e.observe('ns/a', view(job('u1', '10'))).assumed).toEqual(new Set(['u1'])); // cache still at rv 10
  expect(e.observe('ns/a', view(job('u1', '12', false))).assumed.size).toBe(0); // caught up
  expect(e.size()).toBe(0);
});

test('a Job re-suspended after our write is queued again, not assumed running', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.landed('ns/a', 'u1', '12');
  expect(e.observe('ns/a', view(job('u1', '14', true))).assumed.size).toBe(0);
});

test('reconciling one pool never drops another pool\'s expectations', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'a1', 0);
  e.landed('ns/a', 'u1', '12');
  // Pool b's cycle sees only b's Jobs; a's expectation must survive it.
  expect(e.observe('ns/b', view(job('u9', '3'))).assumed.size).toBe(0);
  expect(e.observe('ns/a', view(job('u1', '10'))).assumed).toEqual(new Set(['u1']));
});

test('a refused write is rolled back; a write with unknown outcome keeps its slot and is resent', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.rollback('ns/a', 'u1');
  e.assume('ns/a', 'u2', 'j2', 0);
  e.uncertain('ns/a', 'u2');
  const seen = e.observe('ns/a', view(job('u1', '5'), job('u2', '5')));
  expect(seen.assumed).toEqual(new Set(['u2']));
  expect(seen.resend).toEqual([{ uid: 'u2', name: 'j2' }]);
});

test('a Job gone from the pool\'s unfinished Jobs (finished or deleted) settles its expectation', () => {
  const e = new AdmissionExpectations();
  e.assume('ns/a', 'u1', 'j1', 0);
  e.uncertain('ns/a', 'u1');
  expect(e.observe('ns/a', view()).assumed.size).toBe(0);
  expect(e.size('ns/a')).toBe(0);
});

describe('an admission by create (a claim), kept by Job name', () => {
  const claim = { namespace: 'ns', name: 'j1', taskUid: 't1', source: 's', syncType: 'x' };
  const named = (j: V1Job & { owner?: string }) => ({ ...j, metadata: { ...j.metadata, name: 'j1', ownerReferences: [{ apiVersion: 'v1', kind: 'SyncTask', name: 't', uid: j.owner ?? 't1', controller: true }] } });
  const byName = (job: V1Job | undefined, wants = true): PoolView => ({ unfinished: () => undefined, jobNamed: () => job, wants: () => wants });
  const fresh = (state: 'sending' | 'landed' | 'uncertain') => {
    const e = new AdmissionExpectations();
    e.assumeCreate('ns/a', claim, 0);
    const c = e.create('ns/a', 'j1')!;
    if (state === 'landed') landed(c, job('u1', '12', false));
    if (state === 'uncertain') uncertain(c);
    return e;
  };

  test.each([
    ['in flight, whatever the cache shows', 'sending', named(job('u1', '12', false)), true, 'held'],
    ['landed, the cache shows that Job', 'landed', named(job('u1', '12', false)), true, 'settled'],
    ['landed, the cache shows that Job finished (it counts itself: not at all)', 'landed', named({ ...job('u1', '14', false), status: { conditions: [{ type: 'Complete', status: 'True' }] } }), true, 'settled'],
    ['landed, the cache shows an older Job of the name (another incarnation)', 'landed', named({ ...job('u0', '5'), owner: 't0' }), true, 'held'],
    ['landed, the cache shows a newer Job of the name', 'landed', named({ ...job('u2', '20'), owner: 't2' }), true, 'settled'],
    ['landed, not shown, the task wants it', 'landed', undefined, true, 'held'],
    ['landed, not shown, the task is gone', 'landed', undefined, false, 'unseen'],
    ['outcome unknown, the cache shows a Job of ours, even queued (ours cannot have landed)', 'uncertain', named(job('u1', '12', true)), true, 'settled'],
    ['outcome unknown, the cache shows another task\'s Job of the name', 'uncertain', named({ ...job('u0', '5'), owner: 't0' }), true, 'held'],
    ['outcome unknown, another task\'s Job of the name, and ours is gone', 'uncertain', named({ ...job('u0', '5'), owner: 't0' }), false, 'unseen'],
    ['outcome unknown, not shown, the task is gone', 'uncertain', undefined, false, 'unseen'],
  ] as const)('%s: %s', (_, state, cached, wants, expected) => {
    const e = fresh(state);
    const seen = e.observe('ns/a', byName(cached as V1Job | undefined, wants));
    if (expected === 'settled') {
      expect(seen.creating).toEqual([]);
      expect(e.size()).toBe(0);
    } else {
      expect(seen.creating).toEqual([{ name: 'j1', source: 's', syncType: 'x' }]);
      expect(seen.unseen.map((u) => u.name)).toEqual(expected === 'unseen' ? ['j1'] : []);
    }
  });

  test('given back only as that claim: a newer claim of the same name stays', () => {
    const e = new AdmissionExpectations();
    e.assumeCreate('ns/a', claim, 0);
    const old = e.create('ns/a', 'j1')!;
    e.release('ns/a', old);
    e.assumeCreate('ns/a', claim, 1);
    e.release('ns/a', old);
    expect(e.size('ns/a')).toBe(1);
  });
});
