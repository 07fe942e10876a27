// kubectl syncpool cancel <task>: sets spec.cancel. The operator drops a queued run and
// terminates a running one; the task ends Cancelled.
import { FINAL_PHASES } from '../api/syncTask.js';
import { getTask, patchTaskSpec } from './cluster.js';
import { CliError } from './failures.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { connect } from './session.js';

export const spec: VerbSpec = {
  name: 'cancel',
  args: ['task'],
  summary: 'cancel a task: a queued run is dropped, a running one terminated',
};

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  const s = connect(common);
  const task = await getTask(s, name!);
  const phase = task.status?.phase;
  if (phase !== undefined && FINAL_PHASES.has(phase)) {
    throw new CliError(`SyncTask ${name} already ended ${phase}; nothing to cancel`);
  }
  if (task.spec.cancel) {
    println(io.out, `synctask/${name} already being cancelled (${phase ?? 'not seen by the operator yet'})`);
    return;
  }
  await patchTaskSpec(s, name!, { cancel: true });
  println(io.out, `synctask/${name} cancel requested (was ${phase ?? 'not seen by the operator yet'})`);
}
