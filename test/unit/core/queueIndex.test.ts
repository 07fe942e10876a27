// The kept queue an admission cycle decides from: it must list the queue exactly as
// orderQueue sorts it, at any instant, however it got to hold what it holds.
import { orderQueue } from '../../../src/core/ordering.js';
import { PriorityGroup } from '../../../src/core/priorityGroup.js';
import { QueueIndex } from '../../../src/core/queueIndex.js';
import type { QueuedRun } from '../../../src/core/types.js';
import { forSeeds, randomNow, randomPolicy, randomQueue, randomRun, Rng } from './randomQueue.js';

const MIN = 60_000;

const run = (name: string, priority = 0, enqueuedAtMs = 0, source = 'hs'): QueuedRun =>
  ({ name, source, syncType: 'contacts', priority, enqueuedAtMs });

function indexOf(runs: QueuedRun[]): QueueIndex {
  const index = new QueueIndex();
  for (const r of runs) index.add(r);
  return index;
}

/** Every field, one line per run: cheap to compare many thousand times, and readable when not equal. */
const lines = (runs: Iterable<QueuedRun>) => [...runs].map((r) => `${r.name} ${r.source}/${r.syncType} p${r.priority} @${r.enqueuedAtMs}`).join('\n');

const names = (index: QueueIndex, agingIntervalMs?: number, nowMs = 0) => [...index.ordered(agingIntervalMs, nowMs)].map((r) => r.name);

describe('operations', () => {
  test('add, has, size and remove go by name', () => {
    const index = indexOf([run('a'), run('b', 2)]);
    expect([index.size, index.has('a'), index.has('c')]).toEqual([2, true, false]);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect([index.size, index.has('a')]).toEqual([1, false]);
    expect(names(index)).toEqual(['b']);
  });

  test('a name queued twice counts once, is listed twice and removed whole', () => {
    const index = indexOf([run('a', 0, 5), run('b', 0, 3), run('a', 1, 9)]);
    expect(index.size).toBe(2);
    expect(names(index)).toEqual(['a', 'b', 'a']);
    index.remove('a');
    expect(names(index)).toEqual(['b']);
  });

  test('delete takes out that very run, not another of its name or an equal copy', () => {
    const first = run('a', 0, 5);
    const second = run('a', 1, 9);
    const index = indexOf([first, run('b', 0, 3), second]);
    expect(index.delete(run('a', 0, 5))).toBe(false); // equal, but not the object held
    expect(index.delete(second)).toBe(true);
    expect(index.delete(second)).toBe(false);
    expect([index.size, names(index)]).toEqual([2, ['b', 'a']]);
    expect(index.delete(first)).toBe(true);
    expect([index.size, index.has('a'), names(index)]).toEqual([1, false, ['b']]);
  });

  test('sync holds exactly the runs given: arrivals in, departures out', () => {
    const index = indexOf([run('a', 0, 1), run('b', 0, 2), run('c', 0, 3)]);
    index.sync([run('c', 0, 3), run('d', 0, 0), run('b', 0, 2)]);
    expect(names(index)).toEqual(['d', 'b', 'c']);
    expect([index.size, index.has('a')]).toEqual([3, false]);
  });

  test('sync replaces a run whose fields changed under the same name', () => {
    const index = indexOf([run('a', 0, 1), run('b', 0, 2)]);
    index.sync([run('a', 0, 1), run('b', 5, 2, 'sf')]);
    expect([...index.ordered(undefined, 0)]).toEqual([run('b', 5, 2, 'sf'), run('a', 0, 1)]);
  });

  test('sync keeps an unchanged run as it is held', () => {
    const held = run('a');
    const index = indexOf([held]);
    index.sync([run('a')]);
    expect([...index.ordered(undefined, 0)][0]).toBe(held);
  });

  test('sync notices a name queued one more or one fewer time', () => {
    const index = indexOf([run('a')]);
    index.sync([run('a'), run('a', 3)]);
    expect(names(index)).toEqual(['a', 'a']);
    index.sync([run('a', 3)]);
    expect([...index.ordered(undefined, 0)]).toEqual([run('a', 3)]);
    index.sync([]);
    expect(index.size).toBe(0);
  });
});

describe('ordered', () => {
  test('aging interleaves the priority groups by the instant asked for', () => {
    const index = indexOf([run('new-high', 5, 60 * MIN), run('old-low', 0, 0), run('older-high', 5, 50 * MIN)]);
    expect(names(index, 10 * MIN, 61 * MIN)).toEqual(['old-low', 'older-high', 'new-high']);
    expect(names(index, 10 * MIN, 45 * MIN)).toEqual(['older-high', 'new-high', 'old-low']);
    expect(names(index, undefined, 61 * MIN)).toEqual(['older-high', 'new-high', 'old-low']);
  });

  test('matches orderQueue at any instant, over 1000 seeded queues', () => forSeeds(1000, 0, (rng) => {
    const queued = randomQueue(rng);
    const index = indexOf(queued);
    for (let i = 0; i < 5; i++) {
      const { agingIntervalMs } = randomPolicy(rng);
      const nowMs = randomNow(rng);
      expect(lines(index.ordered(agingIntervalMs, nowMs))).toBe(lines(orderQueue(queued, agingIntervalMs, nowMs)));
    }
  }));
});

describe('PriorityGroup', () => {
  const ordered = (group: PriorityGroup) => [...group].map((r) => `${r.enqueuedAtMs}:${r.name}`);

  test('stays in enqueue order across chunk splits and removals', () => {
    const rng = new Rng(7);
    const group = new PriorityGroup();
    const runs = Array.from({ length: 3000 }, (_, i) => run(`t-${i}`, 0, rng.int(0, 500)));
    for (const r of runs) group.insert(r);
    for (const r of runs.filter((_, i) => i % 3 === 0)) expect(group.delete(r)).toBe(true);
    const kept = runs.filter((_, i) => i % 3 !== 0);
    expect(group.size).toBe(kept.length);
    expect(ordered(group)).toEqual(orderQueue(kept, undefined, 0).map((r) => `${r.enqueuedAtMs}:${r.name}`));
  });

  test('removes the very run asked for among ties that span chunks', () => {
    const group = new PriorityGroup();
    const twins = Array.from({ length: 1500 }, (_, i) => run('same', 0, 1, `s${i}`));
    for (const r of twins) group.insert(r);
    expect(group.delete(twins[1200]!)).toBe(true);
    expect(group.delete(twins[1200]!)).toBe(false);
    expect(group.delete(run('same', 0, 1))).toBe(false);
    // Ties keep the order they were inserted in.
    expect([...group].map((r) => r.source)).toEqual(twins.filter((_, i) => i !== 1200).map((r) => r.source));
  });
});

describe('after any sequence of changes', () => {
  // The model is the queue as a plain list, changed the way the index is.
  test('matches orderQueue over a plain list, over 200 seeded sequences', () => forSeeds(200, 10_000, (rng) => {
    const index = new QueueIndex();
    let model: QueuedRun[] = [];
    for (let step = 0; step < 40; step++) {
      const op = rng.weighted([['add', 4], ['remove', 2], ['sync', 1], ['resync', 1]] as const);
      if (op === 'add') {
        const added = rng.chance(0.2) && model.length > 0 ? { ...rng.pick(model) } : randomRun(rng, 25);
        index.add(added);
        model.push(added);
      } else if (op === 'remove') {
        const name = rng.chance(0.8) && model.length > 0 ? rng.pick(model).name : 'never-queued';
        expect(index.remove(name)).toBe(model.some((r) => r.name === name));
        model = model.filter((r) => r.name !== name);
      } else if (op === 'sync') {
        model = randomQueue(rng);
        index.sync(model);
      } else {
        // A cycle's snapshot: mostly what was there (fresh objects), some gone, some new.
        model = [...model.filter(() => rng.chance(0.8)).map((r) => ({ ...r })), ...Array.from({ length: rng.int(0, 3) }, () => randomRun(rng, 25))];
        index.sync(model);
      }
      expect(index.size).toBe(new Set(model.map((r) => r.name)).size);
      const { agingIntervalMs } = randomPolicy(rng);
      const nowMs = randomNow(rng);
      expect(lines(index.ordered(agingIntervalMs, nowMs))).toBe(lines(orderQueue(model, agingIntervalMs, nowMs)));
    }
  }));
});
