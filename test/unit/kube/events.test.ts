// The recorder's aggregation: repeats of one event become a series, written at most
// every 30 s; a flood beyond the queue drops the oldest instead of growing.
import { type EventInput, EventRecorder } from '../../../src/kube/events.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { FakeClock, flush } from '../runtime/fakeClock.js';

function fakeKube() {
  const created: { name: string; reason: string }[] = [];
  const patched: { name: string; count: number }[] = [];
  let n = 0;
  const kube = {
    events: {
      createNamespacedEvent: async ({ body }: { body: { reason: string } }) => {
        const name = `e${++n}`;
        created.push({ name, reason: body.reason });
        return { metadata: { name } };
      },
      patchNamespacedEvent: async ({ name, body }: { name: string; body: { series: { count: number } } }) => {
        patched.push({ name, count: body.series.count });
        return {};
      },
    },
  } as unknown as KubeClients;
  return { kube, created, patched };
}

const event = (name: string, note = 'waiting'): EventInput => ({
  regarding: { apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', namespace: 'ns', name, uid: name },
  type: 'Normal', reason: 'Queued', action: 'Queue', note,
});

test('the same event repeated is one Event with a series count, updated at most every 30 s', async () => {
  const clock = new FakeClock();
  const { kube, created, patched } = fakeKube();
  const rec = new EventRecorder(kube, { instance: 'op', clock });
  for (let i = 0; i < 100; i++) rec.emit(event('t'));
  await flush();
  expect(created).toHaveLength(1);
  expect(patched.length).toBeLessThanOrEqual(1);
  await clock.advance(31_000);
  rec.emit(event('t'));
  await flush();
  expect(created).toHaveLength(1);
  expect(patched.at(-1)).toEqual({ name: 'e1', count: 101 });
});

test('a different note or object is a new Event', async () => {
  const { kube, created } = fakeKube();
  const rec = new EventRecorder(kube, { instance: 'op', clock: new FakeClock() });
  rec.emit(event('a'));
  rec.emit(event('b'));
  rec.emit(event('a', 'something else'));
  await flush();
  expect(created).toHaveLength(3);
});

test('a flood beyond the queue drops the oldest and counts them', async () => {
  const { kube, created } = fakeKube();
  const rec = new EventRecorder(kube, { instance: 'op', clock: new FakeClock(), maxQueue: 10 });
  for (let i = 0; i < 50; i++) rec.emit(event(`t${i}`));
  await flush();
  await flush();
  expect(rec.dropped).toBeGreaterThan(0);
  expect(created.length + rec.dropped).toBe(50);
  expect(created.length).toBeLessThanOrEqual(11);
});

test('a series not repeated for ten minutes is forgotten: its next repeat is a new Event; one repeated meanwhile is not', async () => {
  const clock = new FakeClock();
  const { kube, created, patched } = fakeKube();
  const rec = new EventRecorder(kube, { instance: 'op', clock });
  rec.emit(event('a'));
  rec.emit(event('b'));
  await clock.advance(9 * 60_000);
  rec.emit(event('a'));
  await clock.advance(2 * 60_000);
  rec.emit(event('a'));
  rec.emit(event('b'));
  await flush();
  expect(created).toEqual([{ name: 'e1', reason: 'Queued' }, { name: 'e2', reason: 'Queued' }, { name: 'e3', reason: 'Queued' }]);
  expect(patched.at(-1)).toEqual({ name: 'e1', count: 3 });
});

test('every write and every drop is told to onWrite, as syncpool_events_total counts them', async () => {
  const clock = new FakeClock();
  const { kube, created, patched } = fakeKube();
  const told: string[] = [];
  const failing = { events: { ...kube.events, createNamespacedEvent: async (a: never) => {
    if (told.length === 0) throw new Error('503');
    return kube.events.createNamespacedEvent(a);
  } } } as unknown as KubeClients;
  const rec = new EventRecorder(failing, { instance: 'op', clock, maxQueue: 2, onWrite: (o) => told.push(o) });
  rec.emit(event('lost'));
  for (let i = 0; i < 4; i++) rec.emit(event(`t${i}`));
  await flush();
  await clock.advance(31_000);
  rec.emit(event('t3'));
  await flush();
  const count = (o: string) => told.filter((t) => t === o).length;
  expect(count('failed')).toBe(1);
  expect(count('created')).toBe(created.length);
  expect(count('updated')).toBe(patched.length);
  expect(count('dropped')).toBe(rec.dropped);
  expect(count('created') + count('dropped') + count('failed')).toBe(5);
  expect(count('updated')).toBe(1);
});
