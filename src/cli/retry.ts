// kubectl syncpool retry <task>: runs a Failed or Cancelled task again, as a NEW SyncTask
// with the same spec (the operator has no retry verb: a finished task stays as it ended,
// and its Jobs with it). The new one is named <task>-r<N> and annotated
// syncpool.dev/retry-of: <task>; retrying a retry counts on from the original's name.
import { API_VERSION } from '../api/common.js';
import { MAX_TASK_NAME } from '../api/syncTask.js';
import { isAlreadyExists } from '../kube/client.js';
import type { TaskObject } from '../views/index.js';
import { createTask, getTask } from './cluster.js';
import { CliError } from './failures.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { connect } from './session.js';
import { ANNOTATION_RETRY_OF } from './tasks.js';

export const spec: VerbSpec = {
  name: 'retry',
  args: ['task'],
  summary: 'run a Failed or Cancelled task again, as a new task <task>-r<N>',
};

const RETRYABLE = new Set(['Failed', 'Cancelled']);
const MAX_TRIES = 100;

/** Why this task cannot be retried, if it cannot. */
export function refusal(task: TaskObject): string | undefined {
  const name = task.metadata!.name!;
  const phase = task.status?.phase;
  if (phase !== undefined && RETRYABLE.has(phase)) return undefined;
  if (phase === 'Rejected') {
    return `SyncTask ${name} was Rejected (${task.status?.message ?? 'see kubectl syncpool describe'}); it is judged again when it or its pool changes, so fix that instead`;
  }
  if (phase === 'Succeeded') return `SyncTask ${name} Succeeded; only a Failed or Cancelled task is retried (submit a new one to sync again)`;
  return `SyncTask ${name} is ${phase ?? 'not seen by the operator yet'}, not finished; only a Failed or Cancelled task can be retried`;
}

/** The name family a retry belongs to: a retry of `x-r2` is `x-r3`, not `x-r2-r1`. */
export function retryBase(task: TaskObject): string {
  const name = task.metadata!.name!;
  const m = /^(.+)-r\d+$/.exec(name);
  return m && task.metadata?.annotations?.[ANNOTATION_RETRY_OF] ? m[1]! : name;
}

/** The n-th candidate name, or a generateName prefix when `<base>-r<n>` would be too long. */
export function retryName(base: string, n: number): { name: string } | { generateName: string } {
  const name = `${base}-r${n}`;
  return name.length <= MAX_TASK_NAME ? { name } : { generateName: `${base.slice(0, MAX_TASK_NAME - 8)}-r-` };
}

/** The new task: the same spec and labels; not the status, not cancel. */
export function retryBody(task: TaskObject, metadata: object): object {
  const { cancel: _cancel, ...spec } = task.spec;
  return {
    apiVersion: API_VERSION,
    kind: 'SyncTask',
    metadata: {
      ...metadata,
      ...(task.metadata?.labels && { labels: task.metadata.labels }),
      annotations: { [ANNOTATION_RETRY_OF]: task.metadata!.name! },
    },
    spec,
  };
}

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  const s = connect(common);
  const task = await getTask(s, name!);
  const refused = refusal(task);
  if (refused) throw new CliError(refused);
  const base = retryBase(task);
  for (let n = 1; n <= MAX_TRIES; n++) {
    try {
      const created = await createTask(s, retryBody(task, retryName(base, n)));
      println(io.out, `synctask/${created.metadata!.name} created (retry of ${name})`);
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  throw new CliError(`${base}-r1 to ${base}-r${MAX_TRIES} all exist; delete old retries of ${name}`);
}
