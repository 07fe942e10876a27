// The informers' string pool (src/runtime/strings.ts): which copy of a string a field
// holds is invisible to JavaScript, so what can be checked is that nothing a reader sees
// changes and that the pool stays bounded. What it saves is measured by the bench.
import { StringPool } from '../../../src/runtime/strings.js';

const job = () => ({
  apiVersion: 'batch/v1',
  metadata: {
    name: 'q-17-1', namespace: 'bench', uid: '0f8fad5b-d9cb-469f-a165-70867728950e', resourceVersion: '48213',
    creationTimestamp: new Date('2026-12-07T10:00:00Z'), labels: { 'syncpool.dev/pool': 'deep', 'syncpool.dev/source': 'src-17' },
  },
  spec: { suspend: true, backoffLimit: 0, template: { spec: { containers: [{ name: 'sync', env: [{ name: 'SYNCPOOL_TASK', value: 'q-17' }] }] } } },
  status: { conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }], active: undefined },
});

describe('StringPool', () => {
  it('leaves every field of an object as it was, whatever its type', () => {
    const obj = job();
    const before = structuredClone(obj);
    expect(new StringPool().internAll(obj)).toBe(obj);
    expect(obj).toEqual(before);
    expect(obj.metadata.creationTimestamp).toBeInstanceOf(Date);
    expect('active' in obj.status).toBe(true);
  });

  it('keeps one entry per distinct repeated string, not uids, resourceVersions or long strings', () => {
    const pool = new StringPool(100, 20);
    for (let i = 0; i < 10; i++) pool.internAll(job());
    // batch/v1, q-17-1, bench, deep, src-17, sync, SYNCPOOL_TASK, q-17, Suspended, True, JobSuspended, Job suspended
    expect(pool.size).toBe(12);
    expect(pool.intern('x'.repeat(21))).toBe('x'.repeat(21));
    expect(pool.size).toBe(12);
  });

  it('starts again when full, so unique strings cost at most its capacity', () => {
    const pool = new StringPool(50);
    for (let i = 0; i < 1000; i++) expect(pool.intern(`task-${i}`)).toBe(`task-${i}`);
    expect(pool.size).toBeLessThanOrEqual(50);
    expect(pool.size).toBeGreaterThan(0);
  });

  it('leaves frozen objects alone', () => {
    const frozen = Object.freeze({ a: 'deep', nested: { b: 'deep' } });
    expect(() => new StringPool().internAll(frozen)).not.toThrow();
    expect(frozen).toEqual({ a: 'deep', nested: { b: 'deep' } });
  });
});
