// kubectl syncpool heartbeat [--progress 0.5] [--message text]
// For shell workers: run inside a sync pod, between steps of the sync.
import { heartbeat, HeartbeatError } from '../sdk/heartbeat.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { CliError, UsageError } from './failures.js';

export const spec: VerbSpec = {
  name: 'heartbeat',
  args: [],
  summary: 'tell the operator this sync is alive (run inside a sync pod)',
  cluster: false,
  flags: {
    progress: { type: 'string', value: '0..1', help: 'how far the sync got' },
    message: { type: 'string', value: 'TEXT', help: 'shown on the task as status.progressMessage' },
  },
};

export async function run({ values }: Parsed, io: Io): Promise<void> {
  const raw = values.progress as string | undefined;
  const progress = raw === undefined ? undefined : Number(raw);
  if (progress !== undefined && !(raw!.trim() !== '' && progress >= 0 && progress <= 1)) {
    throw new UsageError(`heartbeat: --progress must be a number from 0 to 1, got ${JSON.stringify(raw)}`);
  }
  const ack = await heartbeat({ progress, message: values.message as string | undefined }).catch((err: unknown) => {
    // Its message is already the line to print.
    throw err instanceof HeartbeatError ? new CliError(err.message) : err;
  });
  println(io.out, `heartbeat sent for ${ack.task} (attempt ${ack.attempt})`);
}
