// A pool's queue as the status page and the CLI show it: the order runs will start in,
// and why each waits. Positions must be the admission plan's own order.
import type { V1Job } from '@kubernetes/client-node';
import { planAdmission } from '../../../src/core/admission.js';
import { byPool, loadOf, type QueueEntry, viewPools } from '../../../src/views/index.js';
import { job, NOW, pool, task, world } from './world.js';

type Row = Pick<QueueEntry, 'position' | 'job' | 'reason'> & Partial<QueueEntry>;

const running = (name: string, o: Parameters<typeof task>[1] = {}) => {
  const t = task(name, { ...o, status: { phase: 'Running', jobName: `${name}-1` } });
  return [t, job(t, 'running')] as const;
};
const queued = (name: string, o: Parameters<typeof task>[1] = {}) => {
  const t = task(name, o);
  return [t, job(t, 'queued')] as const;
};

test.each<{ what: string; objects: ReturnType<typeof world>; want: Row[] }>([
  {
    what: 'higher priority first, then the longer waiting, then by name; every run waits for the one slot',
    objects: world(pool('crm'), ...running('now'),
      ...queued('a', { queuedAt: -300 }), ...queued('b', { priority: 5, queuedAt: -10 }),
      ...queued('d', { queuedAt: -200 }), ...queued('c', { queuedAt: -200 })),
    want: [
      { position: 1, job: 'b-1', reason: 'PoolFull', task: 'b', priority: 5, waitingSeconds: 10 },
      { position: 2, job: 'a-1', reason: 'PoolFull', waitingSeconds: 300 },
      { position: 3, job: 'c-1', reason: 'PoolFull' },
      { position: 4, job: 'd-1', reason: 'PoolFull' },
    ],
  },
  {
    what: 'runs the plan would start now come first, as Admitting',
    objects: world(pool('crm', { maxWorkers: 3 }), ...queued('a', { queuedAt: -20 }), ...queued('b', { queuedAt: -10 })),
    want: [{ position: 1, job: 'a-1', reason: 'Admitting' }, { position: 2, job: 'b-1', reason: 'Admitting' }],
  },
  {
    what: 'a task whose Job is not made yet holds its place in the order',
    objects: world(pool('crm'), ...running('now'), ...queued('old', { queuedAt: -300 }), task('urgent', { priority: 10, queuedAt: -5 })),
    want: [
      { position: 1, job: 'urgent-1', task: 'urgent', reason: 'PoolFull', jobCreated: false },
      { position: 2, job: 'old-1', task: 'old', reason: 'PoolFull', jobCreated: true },
    ],
  },
  {
    what: 'a run held by its source\'s limit does not block the runs behind it',
    objects: world(pool('crm', { maxWorkers: 3, sourceLimits: { hubspot: 1 } }), ...running('contacts'),
      ...queued('companies', { priority: 5 }), ...queued('accounts', { source: 'salesforce' })),
    want: [
      { position: 1, job: 'accounts-1', reason: 'Admitting', source: 'salesforce' },
      { position: 2, job: 'companies-1', reason: 'SourceLimit', source: 'hubspot' },
    ],
  },
  {
    what: 'overlap Forbid: a duplicate of a running sync waits for it, other syncs start',
    objects: world(pool('crm', { maxWorkers: 3 }), ...running('contacts-a', { syncType: 'contacts' }),
      ...queued('contacts-b', { syncType: 'contacts', priority: 5 }), ...queued('companies')),
    want: [
      { position: 1, job: 'companies-1', reason: 'Admitting' },
      { position: 2, job: 'contacts-b-1', reason: 'Overlap', syncType: 'contacts' },
    ],
  },
  {
    what: 'once the plan fills the pool, the cap is what the rest wait for, blocked or not',
    objects: world(pool('crm', { maxWorkers: 2, sourceLimits: { hubspot: 1 } }), ...running('contacts'),
      ...queued('companies', { priority: 5 }), ...queued('accounts', { source: 'salesforce' }), ...queued('leads', { source: 'salesforce' })),
    want: [
      { position: 1, job: 'accounts-1', reason: 'Admitting' },
      { position: 2, job: 'companies-1', reason: 'PoolFull' },
      { position: 3, job: 'leads-1', reason: 'PoolFull' },
    ],
  },
  {
    what: 'a paused pool: everything waits for it',
    objects: world(pool('crm', { maxWorkers: 2, paused: true }), ...queued('a', { queuedAt: -20 }), ...queued('b', { queuedAt: -10 })),
    want: [{ position: 1, job: 'a-1', reason: 'PoolPaused' }, { position: 2, job: 'b-1', reason: 'PoolPaused' }],
  },
  {
    what: 'a pool whose spec cannot be used: everything waits for it to be fixed, in queue order',
    objects: world(pool('crm', { maxWorkers: 2, staleAfter: '5 parsecs' }), ...queued('a', { queuedAt: -20 }), ...queued('b', { priority: 1 })),
    want: [{ position: 1, job: 'b-1', reason: 'PoolInvalid' }, { position: 2, job: 'a-1', reason: 'PoolInvalid' }],
  },
  {
    what: 'aging: a long wait outranks a higher priority, and the effective priority says so',
    objects: world(pool('crm', { aging: { interval: '1m' } }), ...running('now'),
      ...queued('patient', { queuedAt: -600 }), ...queued('eager', { priority: 5, queuedAt: -60 })),
    want: [
      { position: 1, job: 'patient-1', reason: 'PoolFull', priority: 0, effectivePriority: 10 },
      { position: 2, job: 'eager-1', reason: 'PoolFull', priority: 5, effectivePriority: 6 },
    ],
  },
  {
    what: 'not in the queue: a cancelled task\'s Job, a finished task, another pool\'s run',
    objects: world(pool('crm'), pool('other'), ...running('now'), ...queued('cancelled', { cancel: true }),
      task('done', { status: { phase: 'Succeeded', finishedAt: '2026-03-01T09:00:00Z' } }), ...queued('elsewhere', { pool: 'other' }),
      ...queued('mine')),
    want: [{ position: 1, job: 'mine-1', reason: 'PoolFull' }],
  },
])('$what', ({ objects, want }) => {
  const crm = viewPools(objects, { nowMs: NOW }).find((p) => p.name === 'crm')!;
  expect(crm.queue).toHaveLength(want.length);
  crm.queue.forEach((entry, i) => expect(entry).toMatchObject(want[i]!));
});

test.each([
  { maxWorkers: 4, reasons: ['Admitting', 'PoolFull'] },
  { maxWorkers: 16, reasons: ['Admitting', 'SourceLimit', 'Overlap'] },
])('positions are exactly the order of the admission plan, whatever the mix (cap $maxWorkers)', ({ maxWorkers, reasons }) => {
  const objects: Parameters<typeof world> = [pool('crm', { maxWorkers, sourceLimits: { hubspot: 2 }, aging: { interval: '5m' } })];
  const sources = ['hubspot', 'salesforce', 'zendesk'];
  for (let i = 0; i < 24; i++) {
    const o = { source: sources[i % 3], syncType: `t${i % 5}`, priority: (i * 7) % 4, queuedAt: -((i * 97) % 1800) };
    if (i < 3) objects.push(...running(`r${i}`, o));
    else if (i % 6 === 0) objects.push(task(`new${i}`, o));
    else objects.push(...queued(`q${i}`, o));
  }
  const state = world(...objects);
  const contents = byPool(state)[0]!;
  const load = loadOf(contents, NOW);
  const plan = planAdmission({ policy: load.policy!, running: load.snapshot.running, queued: load.snapshot.queued, nowMs: NOW });
  const planned = [...plan.admit.map((r) => r.name), ...plan.waiting.map((w) => w.run.name)];

  const queue = viewPools(state, { nowMs: NOW })[0]!.queue;
  expect(queue.map((q) => q.job)).toEqual(planned);
  expect(queue.map((q) => q.position)).toEqual(planned.map((_, i) => i + 1));
  expect(new Set(queue.map((q) => q.reason))).toEqual(new Set(reasons));
});

test('no answer carries a task\'s parameters', () => {
  const t = task('secret', { parameters: { apiKey: 'do-not-show' } });
  const j: V1Job = job(t, 'queued');
  const text = JSON.stringify(viewPools(world(pool('crm', { maxWorkers: 0 }), t, j), { nowMs: NOW }));
  expect(text).toContain('secret-1');
  expect(text).not.toContain('do-not-show');
});
