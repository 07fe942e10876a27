// Who starts now and why the others wait: what a user sees as Running vs Queued (with reason).
import { planAdmission } from '../../../src/core/admission.js';
import type { PoolPolicy, QueuedRun, RunRef } from '../../../src/core/types.js';

const policy = (over: Partial<PoolPolicy> = {}): PoolPolicy => ({
  maxWorkers: 2,
  paused: false,
  sourceLimits: {},
  overlap: 'Allow',
  ...over,
});

/** "name=source/type" for a running run; queued runs take priority and enqueue time too. */
function ref(spec: string): RunRef {
  const [name = '', sync = ''] = spec.split('=');
  const [source = '', syncType = ''] = sync.split('/');
  return { name, source, syncType };
}
const q = (spec: string, priority = 0, enqueuedAtMs = 0): QueuedRun => ({ ...ref(spec), priority, enqueuedAtMs });

/** Plans and renders the outcome as names and "position:name:reason" for compact tables. */
function plan(p: PoolPolicy, running: RunRef[], queued: QueuedRun[], nowMs = 0) {
  const out = planAdmission({ policy: p, running, queued, nowMs });
  return {
    admit: out.admit.map((r) => r.name),
    waiting: out.waiting.map((w) => `${w.position}:${w.run.name}:${w.reason}`),
  };
}

const QUEUE = [q('a=hs/contacts', 0, 1), q('b=hs/deals', 0, 2), q('c=sf/accounts', 0, 3), q('d=sf/leads', 0, 4)];
const RUN1 = [ref('r1=gh/issues')];

test.each([
  { case: 'empty queue', p: policy(), running: RUN1, queued: [], admit: [], waiting: [] },
  { case: 'admits up to the cap in order', p: policy(), running: [], queued: QUEUE,
    admit: ['a', 'b'], waiting: ['1:c:PoolFull', '2:d:PoolFull'] },
  { case: 'running runs count against the cap', p: policy(), running: RUN1, queued: QUEUE,
    admit: ['a'], waiting: ['1:b:PoolFull', '2:c:PoolFull', '3:d:PoolFull'] },
  { case: 'raising the cap admits more', p: policy({ maxWorkers: 4 }), running: RUN1, queued: QUEUE,
    admit: ['a', 'b', 'c'], waiting: ['1:d:PoolFull'] },
  { case: 'cap above demand admits everyone', p: policy({ maxWorkers: 10 }), running: [], queued: QUEUE,
    admit: ['a', 'b', 'c', 'd'], waiting: [] },
  { case: 'cap lowered below running admits nothing', p: policy({ maxWorkers: 1 }),
    running: [ref('r1=gh/issues'), ref('r2=gh/pulls')], queued: QUEUE.slice(0, 2),
    admit: [], waiting: ['1:a:PoolFull', '2:b:PoolFull'] },
  { case: 'maxWorkers 0 admits nothing', p: policy({ maxWorkers: 0 }), running: [], queued: QUEUE.slice(0, 1),
    admit: [], waiting: ['1:a:PoolFull'] },
  { case: 'paused admits nothing even with free slots', p: policy({ paused: true, maxWorkers: 5 }), running: [],
    queued: QUEUE.slice(0, 2), admit: [], waiting: ['1:a:PoolPaused', '2:b:PoolPaused'] },
  { case: 'paused wins over a full pool', p: policy({ paused: true, maxWorkers: 0 }), running: [],
    queued: QUEUE.slice(0, 1), admit: [], waiting: ['1:a:PoolPaused'] },
  { case: 'queue order, not input order, decides', p: policy({ maxWorkers: 1 }), running: [],
    queued: [q('late=x/y', 0, 9), q('urgent=x/z', 5, 10), q('early=x/w', 0, 1)],
    admit: ['urgent'], waiting: ['1:early:PoolFull', '2:late:PoolFull'] },
])('$case', ({ p, running, queued, admit, waiting }) => {
  expect(plan(p, running, queued)).toEqual({ admit, waiting });
});

describe('source limits', () => {
  test.each([
    { case: 'limit counts running runs of the source', p: policy({ maxWorkers: 5, sourceLimits: { hs: 1 } }),
      running: [ref('r=hs/companies')], queued: QUEUE,
      admit: ['c', 'd'], waiting: ['1:a:SourceLimit', '2:b:SourceLimit'] },
    { case: 'limit counts runs admitted in the same plan', p: policy({ maxWorkers: 5, sourceLimits: { hs: 1 } }),
      running: [], queued: QUEUE, admit: ['a', 'c', 'd'], waiting: ['1:b:SourceLimit'] },
    { case: 'a blocked head does not block the runs behind it', p: policy({ maxWorkers: 2, sourceLimits: { hs: 0 } }),
      running: [], queued: QUEUE, admit: ['c', 'd'], waiting: ['1:a:PoolFull', '2:b:PoolFull'] },
    { case: 'sources without a limit are capped only by the pool', p: policy({ maxWorkers: 3, sourceLimits: { sf: 1 } }),
      running: [], queued: QUEUE, admit: ['a', 'b', 'c'], waiting: ['1:d:PoolFull'] },
    { case: 'a source named like an Object member has no limit', p: policy({ maxWorkers: 5, sourceLimits: {} }),
      running: [ref('r=constructor/x')], queued: [q('k=constructor/y')], admit: ['k'], waiting: [] },
  ])('$case', ({ p, running, queued, admit, waiting }) => {
    expect(plan(p, running, queued)).toEqual({ admit, waiting });
  });
});

describe('overlap', () => {
  const queued = [q('dup=hs/contacts', 9, 1), q('other=hs/deals', 0, 2), q('twin=hs/deals', 0, 3)];
  const running = [ref('r=hs/contacts')];
  test.each([
    { case: 'Forbid holds a duplicate of a running sync and of one admitted earlier',
      overlap: 'Forbid' as const, admit: ['other'], waiting: ['1:dup:Overlap', '2:twin:Overlap'] },
    { case: 'Allow runs duplicates', overlap: 'Allow' as const, admit: ['dup', 'other', 'twin'], waiting: [] },
  ])('$case', ({ overlap, admit, waiting }) => {
    expect(plan(policy({ maxWorkers: 5, overlap }), running, queued)).toEqual({ admit, waiting });
  });

  test('overlap is reported before a source limit when both hold', () => {
    const p = policy({ maxWorkers: 5, overlap: 'Forbid', sourceLimits: { hs: 1 } });
    expect(plan(p, running, [q('dup=hs/contacts'), q('x=hs/deals')]).waiting).toEqual(['1:dup:Overlap', '2:x:SourceLimit']);
  });

  test('a held run is reported PoolFull once the plan fills the pool', () => {
    const p = policy({ maxWorkers: 2, overlap: 'Forbid' });
    expect(plan(p, running, queued)).toEqual({ admit: ['other'], waiting: ['1:dup:PoolFull', '2:twin:PoolFull'] });
  });
});

describe('defensive cases', () => {
  test('a queued copy of a running run is neither admitted nor listed as waiting', () => {
    const out = plan(policy({ maxWorkers: 5 }), [ref('a=hs/contacts')], QUEUE.slice(0, 2));
    expect(out).toEqual({ admit: ['b'], waiting: [] });
  });

  test('a name queued twice is admitted once', () => {
    expect(plan(policy({ maxWorkers: 5 }), [], [q('a=hs/x', 1), q('a=hs/x', 0)])).toEqual({ admit: ['a'], waiting: [] });
  });

  test('aging takes nowMs from the input', () => {
    const queued = [q('fresh=x/a', 3, 100 * 60_000), q('starved=x/b', 0, 0)];
    const p = policy({ maxWorkers: 1, agingIntervalMs: 10 * 60_000 });
    expect(plan(p, [], queued, 100 * 60_000).admit).toEqual(['starved']);
    expect(plan(p, [], queued, 0).admit).toEqual(['fresh']);
  });

  test('the same input gives the same plan and is not modified', () => {
    const queued = [...QUEUE].reverse();
    const snapshot = JSON.stringify(queued);
    const first = planAdmission({ policy: policy(), running: RUN1, queued, nowMs: 0 });
    expect(planAdmission({ policy: policy(), running: RUN1, queued, nowMs: 0 })).toEqual(first);
    expect(JSON.stringify(queued)).toBe(snapshot);
    expect(first.admit[0]).toEqual(q('a=hs/contacts', 0, 1));
  });
});
