// Who starts now and why the others wait: what a user sees as Running vs Queued (with reason).
import { decideAdmission, planAdmission } from '../../../src/core/admission.js';
import { QueueIndex } from '../../../src/core/queueIndex.js';
import type { PoolPolicy, QueuedRun, RunRef } from '../../../src/core/types.js';
import { forSeeds, randomNow, randomPolicy, randomQueue, randomRunning } from './randomQueue.js';

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

function indexOf(queued: readonly QueuedRun[]): QueueIndex {
  const queue = new QueueIndex();
  queue.sync(queued);
  return queue;
}

/**
 * Plans and renders the outcome as names and "position:name:reason" for compact tables.
 * Every case also checks that the admission cycle's decision admits the same runs.
 */
function plan(p: PoolPolicy, running: RunRef[], queued: QueuedRun[], nowMs = 0) {
  const out = planAdmission({ policy: p, running, queued, nowMs });
  const decided = decideAdmission({ policy: p, running, queue: indexOf(queued), nowMs });
  expect(decided).toEqual({ admit: out.admit, waiting: out.waiting.length });
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

describe('decideAdmission', () => {
  /** A queue that counts how far it was read. */
  class CountingQueue extends QueueIndex {
    read = 0;
    override *ordered(agingIntervalMs: number | undefined, nowMs: number): Generator<QueuedRun> {
      for (const run of super.ordered(agingIntervalMs, nowMs)) {
        this.read += 1;
        yield run;
      }
    }
  }
  const counting = (queued: QueuedRun[]) => {
    const queue = new CountingQueue();
    queue.sync(queued);
    return queue;
  };
  const LONG = Array.from({ length: 100 }, (_, i) => q(`t${i}=hs/x`, 0, i));

  test.each([
    { case: 'reads up to the first run past the cap', p: policy({ maxWorkers: 3 }), running: [], admit: 3, read: 4 },
    { case: 'reads one run of a full pool', p: policy({ maxWorkers: 1 }), running: RUN1, admit: 0, read: 1 },
    { case: 'reads one run of a paused pool', p: policy({ paused: true }), running: [], admit: 0, read: 1 },
    { case: 'reads past blocked runs, to the end if it must', p: policy({ sourceLimits: { hs: 0 } }), running: [], admit: 0, read: 100 },
  ])('$case', ({ p, running, admit, read }) => {
    const queue = counting(LONG);
    const decided = decideAdmission({ policy: p, running, queue, nowMs: 0 });
    expect({ admit: decided.admit.length, waiting: decided.waiting, read: queue.read }).toEqual({ admit, waiting: 100 - admit, read });
  });

  test('counts a name queued twice once, and not at all while it runs', () => {
    const queued = [q('a=hs/x', 1), q('a=hs/x', 0), q('b=hs/y'), q('c=hs/z')];
    const decided = decideAdmission({ policy: policy({ maxWorkers: 2 }), running: [ref('b=hs/y')], queue: indexOf(queued), nowMs: 0 });
    expect({ admit: decided.admit.map((r) => r.name), waiting: decided.waiting }).toEqual({ admit: ['a'], waiting: 1 });
  });

  // Random pools and queues: ties, repeated names, limits, overlap, aging, pauses, a cap of 0.
  test('admits exactly what the full plan admits, over 3000 seeded cases', () => forSeeds(3000, 0, (rng) => {
    const queued = randomQueue(rng);
    const queue = indexOf(queued);
    for (let i = 0; i < 3; i++) {
      const input = { policy: randomPolicy(rng), running: randomRunning(rng, queued), nowMs: randomNow(rng) };
      const full = planAdmission({ ...input, queued });
      const decided = decideAdmission({ ...input, queue });
      expect(names(decided.admit)).toBe(names(full.admit));
      expect(decided.admit).toEqual(full.admit);
      expect(decided.waiting).toBe(full.waiting.length);
    }
  }));
});

const names = (runs: QueuedRun[]) => runs.map((r) => r.name).join(' ');
