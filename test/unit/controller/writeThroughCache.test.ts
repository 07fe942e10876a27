import type { KubernetesObject } from '@kubernetes/client-node';
import { type Cache, WriteThroughCache } from '../../../src/controller/cache.js';

type Obj = KubernetesObject & { status?: string };
const obj = (rv: string, status: string): Obj => ({ metadata: { namespace: 'ns', name: 't', resourceVersion: rv }, status });

function informer(initial: Obj | undefined): Cache<Obj> & { set(o: Obj | undefined): void } {
  let current = initial;
  return {
    set(o) { current = o; },
    get: () => current,
    list: () => (current ? [current] : []),
  };
}

test('our own write is read back until the informer catches up, then the informer wins', () => {
  const inf = informer(obj('10', 'Running'));
  const cache = new WriteThroughCache(inf);
  cache.remember(obj('12', 'Cancelled'));
  expect(cache.get('ns', 't')?.status).toBe('Cancelled'); // informer still at 10
  expect(cache.list().map((o) => o.status)).toEqual(['Cancelled']);
  inf.set(obj('15', 'Cancelled-and-more'));
  expect(cache.get('ns', 't')?.status).toBe('Cancelled-and-more');
  inf.set(obj('11', 'stale'));
  expect(cache.get('ns', 't')?.status).toBe('stale'); // memory was dropped once caught up
});

test('a deleted object is not resurrected by an old write', () => {
  const inf = informer(obj('10', 'Running'));
  const cache = new WriteThroughCache(inf);
  cache.remember(obj('12', 'Cancelled'));
  inf.set(undefined);
  expect(cache.get('ns', 't')).toBeUndefined();
});
