// `kubectl describe` tells the story: Events for what the operator decided, one per
// decision, not one per reconcile.
import type { EventsV1Event } from '@kubernetes/client-node';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('events');
});

afterAll(() => stage?.stop());

async function eventsOf(kind: string, name: string): Promise<EventsV1Event[]> {
  const list = await stage.kube.events.listNamespacedEvent({ namespace: stage.ns });
  return list.items.filter((e) => e.regarding?.kind === kind && e.regarding?.name === name)
    .sort((a, b) => new Date(a.eventTime ?? 0).getTime() - new Date(b.eventTime ?? 0).getTime());
}

test('a task\'s Event says it was admitted, from syncpool; its success is the Job\'s Event (a free slot: its Job is made admitted, never queued)', async () => {
  await stage.api.createPool('told', { maxWorkers: 1 }, '1s');
  // The operator has seen the pool (it wrote its status): on a loaded machine its pool
  // cache may otherwise lag the task's, and the story would begin with PoolNotFound.
  await eventually('pool told seen by the operator', async () => ((await stage.api.pool('told')).status?.conditions?.length ? true : undefined));
  await stage.api.createTask('story', { pool: 'told', syncType: 'story' });
  await stage.api.waitForPhase('story', 'Succeeded');
  // The Job controller says the run completed, on the Job; syncpool does not repeat it.
  await eventually('the Job\'s Completed event', async () => {
    const e = await eventsOf('Job', 'story-1');
    return e.some((x) => x.reason === 'Completed') ? true : undefined;
  });
  const events = await eventually('the Admitted event', async () => {
    const e = await eventsOf('SyncTask', 'story');
    return e.length >= 1 ? e : undefined;
  });
  expect(events.map((e) => e.reason)).toEqual(['Admitted']);
  expect(events[0]).toMatchObject({ type: 'Normal', reportingController: 'syncpool.dev/operator', note: 'running as Job story-1' });
});

test('a rejected task gets a Warning naming what the pool allows', async () => {
  await stage.api.createPool('picky', { maxWorkers: 1, syncTypes: [{ source: 'hubspot', types: ['contacts'] }] });
  await stage.api.createTask('wrong', { pool: 'picky', syncType: 'deals' });
  await stage.api.waitForPhase('wrong', 'Rejected');
  const [event] = await eventually('rejection event', async () => {
    const e = await eventsOf('SyncTask', 'wrong');
    return e.length > 0 ? e : undefined;
  });
  expect(event).toMatchObject({ type: 'Warning', reason: 'SyncTypeNotAllowed', note: expect.stringContaining('it allows: hubspot/contacts') });
});

test('entering a queue, and reconciling it again and again, writes no Events about its tasks', async () => {
  await stage.api.createPool('busy', { maxWorkers: 1, paused: true });
  // As above: a task the operator sees before its pool would say PoolNotFound first.
  await eventually('pool busy seen by the operator', async () => ((await stage.api.pool('busy')).status?.conditions?.length ? true : undefined));
  const names = Array.from({ length: 30 }, (_, i) => `busy-${String(i).padStart(2, '0')}`);
  for (const name of names) await stage.api.createTask(name, { pool: 'busy', syncType: name });
  await eventually('30 queued', async () => {
    const busy = (await stage.api.tasks()).filter((t) => t.metadata.name.startsWith('busy-'));
    return busy.length === 30 && busy.every((t) => t.status?.phase === 'Queued') ? true : undefined;
  });
  // What was said about the queue, as "kind reason" → how many Events.
  const said = async () => {
    const out: Record<string, number> = {};
    for (const e of (await stage.kube.events.listNamespacedEvent({ namespace: stage.ns })).items) {
      if (!e.regarding?.name?.startsWith('busy') || e.reportingController !== 'syncpool.dev/operator') continue;
      const key = `${e.regarding.kind} ${e.reason}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };
  // The status says a task waits (phase Queued); only the pool's pause is an Event.
  const expected = { 'WorkerPool Paused': 1 };
  const before = await eventually('the pool\'s Paused Event', async () => {
    const now = await said();
    return now['WorkerPool Paused'] === 1 ? now : undefined;
  });
  // Every maxWorkers change reconciles the pool and all 30 of its tasks.
  for (const maxWorkers of [2, 3, 1, 4, 1]) {
    await stage.api.patchPool('busy', { maxWorkers, paused: true });
    await new Promise((r) => setTimeout(r, 300));
  }
  await new Promise((r) => setTimeout(r, 2_000));
  expect(before).toEqual(expected);
  expect(await said()).toEqual(expected);
});
