// `submit --wait`: follows one task to its end from watch events, printing a line each
// time its story moves (queue position, admission, attempts, progress), and answers
// with the exit code: 0 Succeeded, 1 anything else.
import { FINAL_PHASES } from '../api/syncTask.js';
import type { ClusterState, TaskObject } from '../views/index.js';
import { CliError } from './failures.js';
import { percent } from './format.js';
import type { LiveState } from './live.js';
import { type Io, println } from './output.js';
import { poolQueue } from './poolQueue.js';
import { waitWords } from './reasons.js';

/** Where the task stands, in one line; the same line means nothing new to say. */
export function progressLine(task: TaskObject, state: ClusterState, nowMs: number): string {
  const name = task.metadata!.name!;
  const s = task.status ?? {};
  switch (s.phase) {
    case undefined: return `${name}: submitted, waiting for the operator`;
    case 'Queued': {
      const found = poolQueue(state, task.metadata!.namespace!, task.spec.pool, nowMs);
      const entry = found?.queue.find((q) => q.task === name);
      if (!found || !entry) return `${name}: Queued`;
      return `${name}: Queued, position ${entry.position} of ${found.queue.length} (${waitWords(entry, found.pool)})`;
    }
    case 'Running': {
      const progress = s.progress === undefined ? '' : `, progress ${percent(s.progress)}`;
      const said = s.progressMessage ? `: ${s.progressMessage}` : '';
      return `${name}: Running, attempt ${s.attempt ?? 1} as Job ${s.jobName ?? '?'}${progress}${said}`;
    }
    default: return `${name}: ${s.phase}${s.message ? `: ${s.message}` : ''}`;
  }
}

const ENDED = new Set([...FINAL_PHASES, 'Rejected']);

export function follow(live: LiveState, namespace: string, name: string, io: Io, timeoutMs?: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let last = '';
    let seen = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      live.stop();
      outcome();
    };
    const check = () => {
      const state = live.state();
      const task = state.tasks.find((t) => t.metadata?.namespace === namespace && t.metadata?.name === name);
      if (!task) {
        if (seen) finish(() => reject(new CliError(`SyncTask ${name} was deleted before it finished`)));
        return;
      }
      seen = true;
      const line = progressLine(task, state, Date.now());
      if (line !== last) println(io.out, (last = line));
      const phase = task.status?.phase;
      if (phase === undefined || !ENDED.has(phase)) return;
      if (phase === 'Succeeded') finish(() => resolve(0));
      else finish(() => reject(new CliError(`SyncTask ${name} ${phase}: ${task.status?.message ?? 'no message'} (kubectl syncpool describe ${name} -n ${namespace})`)));
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => finish(() => reject(new CliError(
        `gave up waiting after ${Math.round(timeoutMs / 1000)}s; SyncTask ${name} carries on (${last || 'not seen yet'})`,
      ))), timeoutMs);
    }
    live.onChange(check);
    check();
  });
}
