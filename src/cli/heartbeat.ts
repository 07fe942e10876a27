// kubectl syncpool heartbeat [--progress 0.5] [--message text]
// For shell workers: run inside a sync pod, between steps of the sync.
import { parseArgs } from 'node:util';
import { heartbeat } from '../sdk/heartbeat.js';
import { UsageError } from './usage.js';

export const summary = 'heartbeat [--progress 0..1] [--message text]   tell the operator this sync is alive (inside a sync pod)';

export async function run(args: string[]): Promise<string> {
  let values: { progress?: string; message?: string };
  try {
    ({ values } = parseArgs({ args, options: { progress: { type: 'string' }, message: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw new UsageError(`heartbeat: ${(err as Error).message}`);
  }
  const progress = values.progress === undefined ? undefined : Number(values.progress);
  if (progress !== undefined && !(values.progress!.trim() !== '' && progress >= 0 && progress <= 1)) {
    throw new UsageError(`heartbeat: --progress must be a number from 0 to 1, got ${JSON.stringify(values.progress)}`);
  }
  const ack = await heartbeat({ progress, message: values.message });
  return `heartbeat sent for ${ack.task} (attempt ${ack.attempt})`;
}
