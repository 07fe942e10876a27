// A pool's numbers, one-word state and the sentence that explains it.
import { stateOf, summaryOf, viewPools } from '../../../src/views/index.js';
import { job, NOW, pool, task, world } from './world.js';

const running = (name: string, o: Parameters<typeof task>[1] = {}) => {
  const t = task(name, { ...o, status: { phase: 'Running', jobName: `${name}-1` } });
  return [t, job(t, 'running')] as const;
};
const queued = (name: string, o: Parameters<typeof task>[1] = {}) => {
  const t = task(name, o);
  return [t, job(t, 'queued')] as const;
};

test.each([
  {
    what: 'a free slot and nothing waiting: Available',
    objects: world(pool('crm', { maxWorkers: 3 }), ...running('a')),
    want: { state: 'Available', message: '2 of 3 slots free', active: 1, queued: 0, utilization: 1 / 3 },
  },
  {
    what: 'every slot taken, nothing waiting: Busy',
    objects: world(pool('crm', { maxWorkers: 2 }), ...running('a'), ...running('b')),
    want: { state: 'Busy', message: 'all 2 slots busy, nothing waiting', active: 2, utilization: 1 },
  },
  {
    what: 'runs wait only for their source\'s limit: Busy, with slots free',
    objects: world(pool('crm', { maxWorkers: 3, sourceLimits: { hubspot: 1 } }), ...running('a'), ...queued('b')),
    want: { state: 'Busy', message: '1 run waiting for their source\'s limit or a running duplicate; 2 of 3 slots free', queued: 1 },
  },
  {
    what: 'runs wait and every slot is taken: Overloaded',
    objects: world(pool('crm', { maxWorkers: 1 }), ...running('a'), ...queued('b'), ...queued('c')),
    want: { state: 'Overloaded', message: '2 runs waiting, the only slot busy', active: 1, queued: 2, utilization: 1 },
  },
  {
    what: 'runs about to start are not waiting: Available, saying they start',
    objects: world(pool('crm', { maxWorkers: 3 }), ...queued('a'), ...queued('b')),
    want: { state: 'Available', message: '1 of 3 slots free; 2 starting', active: 0, queued: 2 },
  },
  {
    what: 'the starting runs fill the pool and one more waits: Overloaded',
    objects: world(pool('crm', { maxWorkers: 2 }), ...running('a'), ...queued('b'), ...queued('c')),
    want: { state: 'Overloaded', message: '1 run waiting, all 2 slots busy; 1 starting' },
  },
  {
    what: 'paused: admits nothing, the running run continues',
    objects: world(pool('crm', { maxWorkers: 2, paused: true }), ...running('a'), ...queued('b')),
    want: { state: 'Paused', message: 'paused: 1 run waiting; 1 running continue', paused: true },
  },
  {
    what: 'a cap of 0 admits nothing: Paused, not Overloaded',
    objects: world(pool('crm', { maxWorkers: 0 }), ...queued('b')),
    want: { state: 'Paused', message: 'admits nothing (maxWorkers 0): 1 run waiting; 0 running continue', utilization: 0, paused: false },
  },
  {
    what: 'a spec the operator cannot use: Invalid, naming the field',
    objects: world(pool('crm', { maxWorkers: 2, staleAfter: '5 parsecs' }), ...queued('b')),
    want: { state: 'Invalid', message: expect.stringMatching(/^spec cannot be used: .*staleAfter/) },
  },
  {
    what: 'a cap lowered below what runs: utilization above 1, Busy until enough finish',
    objects: world(pool('crm', { maxWorkers: 2 }), ...running('a'), ...running('b'), ...running('c')),
    want: { state: 'Busy', message: 'all 2 slots busy, nothing waiting', active: 3, utilization: 1.5 },
  },
  {
    what: 'a task whose Job is not made yet waits but is not counted as queued yet',
    objects: world(pool('crm', { maxWorkers: 1 }), ...running('a'), task('b')),
    want: { state: 'Overloaded', queued: 0 },
  },
])('$what', ({ objects, want }) => {
  const [view] = viewPools(objects, { nowMs: NOW });
  expect(view).toMatchObject({ namespace: 'data', name: 'crm', ...want });
});

test('pools come by namespace, then name; the summary leaves the lists out', () => {
  const views = viewPools(world(pool('b'), pool('a', {}, 'zeta'), pool('a')), { nowMs: NOW });
  expect(views.map((v) => `${v.namespace}/${v.name}`)).toEqual(['data/a', 'data/b', 'zeta/a']);
  expect(Object.keys(summaryOf(views[0]!)).sort()).toEqual(
    ['active', 'maxWorkers', 'message', 'name', 'namespace', 'paused', 'queued', 'sourceLimits', 'state', 'utilization']);
});

test('stateOf without an admitting count reads as before', () => {
  expect(stateOf({ paused: false, maxWorkers: 4, active: 1, waiting: 0 })).toEqual({ state: 'Available', message: '3 of 4 slots free' });
});
