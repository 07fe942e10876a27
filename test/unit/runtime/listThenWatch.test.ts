// The connection loop of an informer, against a scripted watch: where each round starts
// (a list, or the last event's resourceVersion) and what ends the loop.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GuardedWatch } from '../../../src/runtime/guardedWatch.js';
import { ListThenWatch } from '../../../src/runtime/listThenWatch.js';

type Callback = (phase: string, obj: unknown) => void;
interface Opened { query: Record<string, string>; send: Callback; end: (err: unknown) => void }

function harness(listRv = '10') {
  const opened: Opened[] = [];
  const seen: string[] = [];
  const errors: unknown[] = [];
  let lists = 0;
  const watch = {
    watch: (_path: string, query: Record<string, string>, cb: Callback, done: (err: unknown) => void) => {
      opened.push({ query, send: cb, end: done });
      return Promise.resolve(new AbortController());
    },
  } as unknown as GuardedWatch;
  const lw = new ListThenWatch<KubernetesObject>('/api/v1/pods', watch, {
    list: () => {
      lists += 1;
      return Promise.resolve({ items: [], metadata: { resourceVersion: listRv } });
    },
    upsert: (o) => seen.push(`upsert ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    remove: (o) => seen.push(`remove ${o.metadata?.name}`),
    error: (e) => errors.push(e),
  }, 'syncpool.dev/pool');
  return { lw, opened, seen, errors, lists: () => lists };
}

const obj = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const flush = () => new Promise((r) => setImmediate(r));

test('lists once, watches from the list, and resumes a cleanly ended watch from the last event', async () => {
  const h = harness();
  await h.lw.start();
  expect(h.opened[0]!.query).toEqual({ resourceVersion: '10', labelSelector: 'syncpool.dev/pool' });
  h.opened[0]!.send('ADDED', obj('a', '11'));
  h.opened[0]!.send('MODIFIED', obj('a', '12'));
  h.opened[0]!.send('BOOKMARK', { metadata: { resourceVersion: '15' } });
  h.opened[0]!.end(null);
  await flush();
  expect(h.lists()).toBe(1);
  expect(h.opened[1]!.query.resourceVersion).toBe('15');
  h.opened[1]!.send('DELETED', obj('a', '16'));
  expect(h.seen).toEqual(['upsert a@11', 'upsert a@12', 'remove a']);
  expect(h.errors).toEqual([]);
});

test('a 410, as an ERROR event or as the watch\'s error, lists again', async () => {
  const h = harness();
  await h.lw.start();
  h.opened[0]!.send('ADDED', obj('a', '11'));
  h.opened[0]!.send('ERROR', { kind: 'Status', code: 410, message: 'too old resource version' });
  h.opened[0]!.end(null);
  await flush();
  expect(h.lists()).toBe(2);
  h.opened[1]!.end({ statusCode: 410 });
  await flush();
  expect(h.lists()).toBe(3);
  expect(h.opened).toHaveLength(3);
  expect(h.errors).toEqual([]);
});

test('any other error ends the loop for the informer to reconnect; after stop() nothing more happens', async () => {
  const h = harness();
  await h.lw.start();
  const boom = new Error('connection reset');
  h.opened[0]!.end(boom);
  await flush();
  expect(h.errors).toEqual([boom]);
  expect(h.opened).toHaveLength(1);

  const s = harness();
  await s.lw.start();
  s.lw.stop();
  s.opened[0]!.send('ADDED', obj('late', '20'));
  s.opened[0]!.end(new Error('aborted'));
  await flush();
  expect(s.seen).toEqual([]);
  expect(s.errors).toEqual([]);
  expect(s.opened).toHaveLength(1);
});
