// A pool's view, followed change by change, says at every step what a snapshot of the
// whole caches says (snapshotPool), and the admission decided over either is the same.
// Random histories of Jobs and tasks in two pools of one namespace: created, changed,
// finished, deleted, and replaced under the same name (a watch that missed a deletion
// shows the new object as an update of the old).
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { decideAdmission } from '../../../../src/core/admission.js';
import { QueueIndex } from '../../../../src/core/queueIndex.js';
import type { PoolPolicy, RunRef } from '../../../../src/core/types.js';
import { liveTasksByPool, unfinishedByPool } from '../../../../src/controller/indexes.js';
import { PoolView } from '../../../../src/controller/pools/poolView.js';
import { assertSameSnapshot } from '../../../../src/controller/pools/poolViews.js';
import { JOB_UID_LABEL } from '../../../../src/jobs/labels.js';
import { snapshotPool, type TaskObject } from '../../../../src/jobs/poolSnapshot.js';
import { Rng } from '../sim/random.js';

const NS = 'ns';
const POOLS = ['ns/p', 'ns/q'];
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const policy: PoolPolicy = { maxWorkers: 3, paused: false, sourceLimits: { hubspot: 2 }, overlap: 'Forbid', agingIntervalMs: 60_000 } as PoolPolicy;

let uids = 0;
const nextUid = (kind: string) => `${kind}-${++uids}`;
const rv = () => String(++uids);

function randomTask(rng: Rng, name: string, uid: string): TaskObject {
  const phase = rng.pick([undefined, 'Queued', 'Queued', 'Running', 'Succeeded', 'Pending', 'Rejected'] as const);
  const reason = rng.pick(['PoolNotFound', 'PoolInvalid', 'InvalidTemplate']);
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask',
    metadata: { namespace: NS, name, uid, resourceVersion: rv(), creationTimestamp: new Date(Date.UTC(2026, 10, 23, 10, 0, rng.int(0, 5))) as never },
    spec: {
      pool: rng.pick(['p', 'q']), source: rng.pick(['hubspot', 'stripe']), syncType: rng.pick(['deals', 'contacts']),
      priority: rng.int(-1, 2), cancel: rng.chance(0.15), ...(rng.chance(0.1) ? { schedule: '@hourly' } : {}),
    },
    status: phase === undefined ? undefined : {
      phase, attempt: rng.int(1, 2),
      ...(phase === 'Pending' ? { conditions: [{ type: 'Accepted', status: 'False', reason, message: '', lastTransitionTime: '' }] } : {}),
    },
  } as TaskObject;
}

function randomJob(rng: Rng, name: string, uid: string, owners: string[]): V1Job {
  const state = rng.pick(['queued', 'queued', 'running', 'terminating', 'complete', 'failed', 'gone'] as const);
  const cron = rng.chance(0.1);
  const owner = rng.chance(0.9) && owners.length > 0 ? rng.pick(owners) : 'nobody';
  return {
    metadata: {
      namespace: NS, name, uid, resourceVersion: rv(),
      labels: { 'syncpool.dev/pool': rng.pick(['p', 'q']), 'syncpool.dev/source': rng.pick(['hubspot', 'stripe']), 'syncpool.dev/sync-type': rng.pick(['deals', 'contacts']) },
      annotations: {
        'syncpool.dev/priority': String(rng.int(-1, 2)), 'syncpool.dev/enqueued-at': new Date(Date.UTC(2026, 10, 23, 10, 0, rng.int(0, 5))).toISOString(),
        ...(cron && rng.chance(0.7) ? { 'syncpool.dev/task-uid': owner } : {}),
      },
      ownerReferences: [cron
        ? { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cron', uid: 'cron-uid', controller: true }
        : { apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', name, uid: owner, controller: true }],
      ...(state === 'gone' ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { suspend: state !== 'running', template: {} },
    status: {
      ...(state === 'terminating' ? { terminating: 1 } : {}),
      ...(state === 'complete' ? { conditions: [{ type: 'Complete', status: 'True' }] } : {}),
      ...(state === 'failed' ? { conditions: [{ type: 'Failed', status: 'True' }] } : {}),
    },
  } as V1Job;
}

/** Both caches of the namespace, telling every view of each change as an informer does. */
class World {
  readonly jobs = new Map<string, V1Job>();
  readonly tasks = new Map<string, TaskObject>();
  readonly views = POOLS.map((pool) => new PoolView(pool, (name) => this.jobs.get(name)));

  setJob(job: V1Job | undefined, name: string): void {
    const before = this.jobs.get(name);
    if (job) this.jobs.set(name, job);
    else this.jobs.delete(name);
    for (const view of this.views) view.jobChanged(before, job);
  }

  setTask(task: TaskObject | undefined, name: string): void {
    const before = this.tasks.get(name);
    if (task) this.tasks.set(name, task);
    else this.tasks.delete(name);
    for (const view of this.views) view.taskChanged(before, task);
  }

  /** Whatever task uids were ever used, for Jobs to name as their owner. */
  readonly taskUids: string[] = [];
}

function step(rng: Rng, world: World): void {
  const name = rng.pick(NAMES);
  if (rng.chance(0.5)) {
    const current = world.tasks.get(name);
    const op = rng.weighted([['change', current ? 4 : 0], ['delete', current ? 1 : 0], ['new', 2]] as const);
    if (op === 'delete') return world.setTask(undefined, name);
    const uid = op === 'change' ? current!.metadata!.uid! : nextUid('task');
    world.taskUids.push(uid);
    return world.setTask(randomTask(rng, name, uid), name);
  }
  // A Job is named after a task's run (attempt 1 or 2), or something an adopted CronJob made.
  const jobName = rng.chance(0.9) ? `${name}-${rng.int(1, 2)}` : `cron-${rng.int(1, 3)}`;
  const current = world.jobs.get(jobName);
  const op = rng.weighted([['change', current ? 4 : 0], ['delete', current ? 1 : 0], ['new', 2]] as const);
  if (op === 'delete') return world.setJob(undefined, jobName);
  const uid = op === 'change' ? current!.metadata!.uid! : nextUid('job');
  // Mostly owned by the live task of that name, as the operator makes them.
  const live = world.tasks.get(name)?.metadata?.uid;
  world.setJob(randomJob(rng, jobName, uid, live && rng.chance(0.7) ? [live] : world.taskUids), jobName);
}

function check(rng: Rng, world: World, view: PoolView): void {
  const jobs = [...world.jobs.values()].filter((j) => unfinishedByPool(j)[0] === view.key);
  const tasks = [...world.tasks.values()].filter((t) => liveTasksByPool(t)[0] === view.key);
  // What this process assumed: some of the pool's Jobs, and claims of some names.
  const assumed = new Set(jobs.filter(() => rng.chance(0.2)).map((j) => j.metadata!.uid!));
  const creating: RunRef[] = NAMES.filter(() => rng.chance(0.1)).map((n) => ({ name: `${n}-1`, source: 'hubspot', syncType: 'deals' }));
  // Alive pods: of Jobs the pool shows, of Jobs it does not (finished, another pool's), of a Job gone.
  const pods: V1Pod[] = [...world.jobs.values(), undefined].filter(() => rng.chance(0.2)).map((j, i) => ({
    metadata: { name: `pod-${i}`, labels: { [JOB_UID_LABEL]: j?.metadata?.uid ?? 'job-gone', 'syncpool.dev/source': 'stripe' } },
  }));
  const departed: RunRef[] = rng.chance(0.2) ? [{ name: 'departed/x', source: 'hubspot', syncType: 'deals' }] : [];
  const reference = snapshotPool({ jobs, pods, tasks, assumed, creating, departed, jobNamed: (n) => world.jobs.get(n) });
  const snap = view.read({ pods, assumed, creating, departed });
  assertSameSnapshot(view.key, snap, reference);

  const nowMs = Date.UTC(2026, 10, 23, 10, 1, 0);
  const fresh = new QueueIndex();
  fresh.sync(reference.queued);
  const want = decideAdmission({ policy, running: reference.running, queue: fresh, nowMs });
  const got = decideAdmission({ policy, running: snap.running, queue: snap.queue, nowMs });
  expect({ admit: got.admit.map((r) => r.name), waiting: got.waiting }).toEqual({ admit: want.admit.map((r) => r.name), waiting: want.waiting });
}

test.each(Array.from({ length: 40 }, (_, i) => i + 1))('seed %i: 300 changes, the view equals a snapshot of the whole caches after each', (seed) => {
  const rng = new Rng(seed);
  const world = new World();
  for (let i = 0; i < 300; i++) {
    step(rng, world);
    for (const view of world.views) check(rng, world, view);
  }
});

test('a view built late, from what the caches hold, follows the changes after it as one built at the start does', () => {
  const rng = new Rng(99);
  const world = new World();
  for (let i = 0; i < 150; i++) step(rng, world);
  // Built as PoolViews.of builds one: tasks first, then Jobs.
  const late = new PoolView('ns/p', (name) => world.jobs.get(name));
  for (const task of world.tasks.values()) late.taskChanged(undefined, task);
  for (const job of world.jobs.values()) late.jobChanged(undefined, job);
  world.views.push(late);
  for (let i = 0; i < 150; i++) {
    step(rng, world);
    check(rng, world, late);
  }
});

test('a queued Job leaves the queue when its task is cancelled, and comes back when the cancel is undone', () => {
  const world = new World();
  const rng = new Rng(1);
  const task = { ...randomTask(rng, 'a', 'u-a'), spec: { pool: 'p', source: 'hubspot', syncType: 'deals', priority: 0, cancel: false }, status: { phase: 'Queued', attempt: 1 } } as TaskObject;
  world.setTask(task, 'a');
  const job = randomJob(rng, 'a-1', 'job-a', ['u-a']);
  world.setJob({ ...job, metadata: { ...job.metadata, labels: { ...job.metadata!.labels, 'syncpool.dev/pool': 'p' }, ownerReferences: [{ apiVersion: 'v1', kind: 'SyncTask', name: 'a', uid: 'u-a', controller: true }] }, spec: { suspend: true, template: {} }, status: {} } as V1Job, 'a-1');
  const view = world.views[0]!;
  const names = () => [...view.read({ pods: [], assumed: new Set(), creating: [], departed: [] }).queue.ordered(undefined, 0)].map((r) => r.name);
  expect(names()).toEqual(['a-1']);
  world.setTask({ ...task, metadata: { ...task.metadata, resourceVersion: rv() }, spec: { ...task.spec, cancel: true } } as TaskObject, 'a');
  expect(names()).toEqual([]);
  world.setTask({ ...task, metadata: { ...task.metadata, resourceVersion: rv() } } as TaskObject, 'a');
  expect(names()).toEqual(['a-1']);
});
