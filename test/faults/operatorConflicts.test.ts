// A concurrent writer editing what the operator reconciles, all through the drain: task
// priorities, labels and annotations (merge patches, and read-modify-write replaces that
// race the operator's own writes), and every pool's maxWorkers moved up and down (to 0
// at times). Each edit bumps the object's resourceVersion, so the operator's writes
// based on an older read meet 409 Conflict and must be redone on a fresh view, never
// forced through. A lowered cap stops admission but preempts nothing (see CAP_GRACE_MS
// in the observer for how the cap in force is judged while it moves).
import { GROUP, VERSION } from '../../src/api/common.js';
import type { SyncTask, WorkerPool } from '../../src/api/types.js';
import { apiStatus, type KubeClients, mergePatch } from '../../src/kube/client.js';
import { POOLS, TASKS } from '../../src/kube/writers.js';
import type { Rng } from '../unit/controller/sim/random.js';
import { OperatorProcess } from '../integration/support/operator.js';
import { DEFAULT_POOLS, Drain, expectHealthyDrain } from './support/drain.js';
import { faultsMode, scenarioTimeoutMs, seededRandom } from './support/mode.js';
import { useScenarioStage } from './support/scenario.js';

const SCENARIO = 'update conflicts';
/** The writer stops once this much of the drain has ended, so the tail drains at the planned caps. */
const EDIT_UNTIL = 0.85;

const stage = useScenarioStage('fault-conflict');

interface WriterTally { edits: number; conflicts: number; refused: string[]; capsSet: Record<string, number[]> }

test(`${SCENARIO}: tasks and pools edited throughout the drain, maxWorkers up and down: cap held, nothing duplicated, lost or stuck`, async () => {
  const { kube, ns } = stage;
  const { rng, seed } = seededRandom(SCENARIO);
  const op = await OperatorProcess.start({ namespace: ns, identity: 'conflicts' });
  stage.cleanup(() => op.stop());
  const drain = await Drain.prepare({ scenario: SCENARIO, kube, namespace: ns, rng, seed });
  stage.cleanup(() => drain.stop());
  await drain.start();

  const startedAt = Date.now();
  const tally = await concurrentWriter(kube, ns, drain, rng);
  drain.recordFault('concurrent writer', startedAt);
  const report = await drain.finish({ ...tally });
  expectHealthyDrain(report, { logs: () => op.tail(60) });
  // The writer really did move the caps both ways, and raced the operator.
  for (const pool of DEFAULT_POOLS) expect(new Set(tally.capsSet[pool.name]).size).toBeGreaterThan(1);
  expect(tally.refused).toEqual([]);
}, scenarioTimeoutMs(60_000));

/** Edits until EDIT_UNTIL of the drain has ended, then puts every cap back. */
async function concurrentWriter(kube: KubeClients, ns: string, drain: Drain, rng: Rng): Promise<WriterTally> {
  const tally: WriterTally = { edits: 0, conflicts: 0, refused: [], capsSet: {} };
  const ref = (plural: string) => ({ group: GROUP, version: VERSION, namespace: ns, plural });
  const attempt = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
      tally.edits++;
    } catch (err) {
      if (apiStatus(err) === 409) tally.conflicts++;
      else tally.refused.push(`${what}: ${apiStatus(err) ?? String(err)}`);
    }
  };
  const setCap = (pool: string, maxWorkers: number) => {
    tally.capsSet[pool] = [...(tally.capsSet[pool] ?? []), maxWorkers];
    return kube.custom.patchNamespacedCustomObject({ ...ref(POOLS), name: pool, body: { spec: { maxWorkers } } }, mergePatch);
  };
  let n = 0;
  // A drain that stalls is the report's to show (stuck), not a writer that never stops.
  const giveUpAt = Date.now() + faultsMode.drainTimeoutMs / 2;
  while (drain.progress() < EDIT_UNTIL && Date.now() < giveUpAt) {
    n++;
    const open = drain.submitted.tasks.filter((t) => !drain.observer.tasks.get(t)?.finalAt);
    const choice = rng.weighted([['patch task', open.length ? 5 : 0], ['replace task', open.length ? 2 : 0], ['cap', 2], ['replace pool', 1]] as const);
    if (choice === 'patch task') {
      const name = rng.pick(open);
      await attempt(choice, () => kube.custom.patchNamespacedCustomObject({
        ...ref(TASKS), name,
        body: { metadata: { labels: { 'faults.syncpool.dev/edit': String(n) }, annotations: { 'faults.syncpool.dev/note': `edit ${n}` } }, spec: { priority: rng.int(-5, 5) } },
      }, mergePatch));
    } else if (choice === 'replace task') {
      const name = rng.pick(open);
      await attempt(choice, async () => {
        const task = await kube.custom.getNamespacedCustomObject({ ...ref(TASKS), name }) as SyncTask;
        task.metadata.annotations = { ...task.metadata.annotations, 'faults.syncpool.dev/rmw': String(n) };
        task.spec.priority = rng.int(-5, 5);
        await kube.custom.replaceNamespacedCustomObject({ ...ref(TASKS), name, body: task });
      });
    } else if (choice === 'cap') {
      const pool = rng.pick(DEFAULT_POOLS);
      // Mostly around the planned cap, sometimes 0 (admit nothing) for a moment.
      const cap = rng.chance(0.1) ? 0 : rng.int(1, pool.maxWorkers + 3);
      await attempt(choice, () => setCap(pool.name, cap));
    } else {
      const pool = rng.pick(DEFAULT_POOLS);
      await attempt(choice, async () => {
        const body = await kube.custom.getNamespacedCustomObject({ ...ref(POOLS), name: pool.name }) as WorkerPool;
        body.metadata.labels = { ...body.metadata.labels, 'faults.syncpool.dev/edit': String(n) };
        await kube.custom.replaceNamespacedCustomObject({ ...ref(POOLS), name: pool.name, body });
      });
    }
    await new Promise((r) => setTimeout(r, rng.int(20, 150)));
  }
  for (const pool of DEFAULT_POOLS) await setCap(pool.name, pool.maxWorkers);
  return tally;
}
