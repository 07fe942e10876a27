// kubectl syncpool describe <task>: the task's story in one screen (see describeModel.ts).
import type { CoreV1Event, V1Job } from '@kubernetes/client-node';
import { ANNOTATION_TASK_UID, JOB_UID_LABEL, LABEL_TASK } from '../jobs/labels.js';
import { controllerUid } from '../jobs/classify.js';
import type { TaskObject } from '../views/index.js';
import { getTask, listJobs, listPods, loadState } from './cluster.js';
import { describeText } from './describeText.js';
import { storyOf } from './describeModel.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println, render } from './output.js';
import { poolQueue } from './poolQueue.js';
import { connect, type Session } from './session.js';

export const spec: VerbSpec = {
  name: 'describe',
  args: ['task'],
  summary: "a task's story: attempts, Jobs, pods, exit codes, waits, heartbeats, Events",
  output: true,
};

/** Phases in which the task may hold a place in its pool's queue. */
const MAY_WAIT = new Set([undefined, 'Pending', 'Queued', 'Scheduled']);

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  const s = connect(common);
  const task = await getTask(s, name!);
  const selector = `${LABEL_TASK}=${name}`;
  const listing = listPods(s, selector);
  listing.catch(() => undefined); // awaited after the Jobs: a refusal of both names the Jobs
  const jobs = await listJobs(s, selector);
  const pods = await listing;
  const mine = jobs.filter((j) => ownedBy(j, task));
  const uids = new Set(mine.map((j) => j.metadata!.uid!));
  const myPods = pods.filter((p) => uids.has(p.metadata?.labels?.[JOB_UID_LABEL] ?? ''));
  const nowMs = Date.now();
  const queue = MAY_WAIT.has(task.status?.phase)
    ? poolQueue(await loadState(s, { pool: task.spec.pool }), s.namespace, task.spec.pool, nowMs)
    : undefined;
  const events = await eventsAbout(s, [
    { kind: 'SyncTask', name: name!, uid: task.metadata!.uid },
    ...(task.spec.schedule ? [{ kind: 'CronJob', name: name! }] : []),
    ...mine.map((j) => ({ kind: 'Job', name: j.metadata!.name!, uid: j.metadata!.uid })),
    ...myPods.map((p) => ({ kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid })),
  ]);
  const story = storyOf(task, { jobs: mine, pods: myPods, events, queue });
  println(io.out, render(common.output, story, () => describeText(story, nowMs)));
}

/** This incarnation's Jobs: its own, or its CronJob's runs made for it. */
function ownedBy(job: V1Job, task: TaskObject): boolean {
  const uid = task.metadata!.uid;
  return controllerUid(job) === uid || job.metadata?.annotations?.[ANNOTATION_TASK_UID] === uid;
}

async function eventsAbout(s: Session, objects: { kind: string; name: string; uid?: string }[]): Promise<CoreV1Event[]> {
  const lists = await Promise.all(objects.map((o) => s.kube.core.listNamespacedEvent({
    namespace: s.namespace, fieldSelector: `involvedObject.kind=${o.kind},involvedObject.name=${o.name}`,
  }).then((list) => list.items.filter((e) => !o.uid || !e.involvedObject.uid || e.involvedObject.uid === o.uid))));
  return lists.flat();
}
