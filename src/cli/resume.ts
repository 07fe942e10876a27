// kubectl syncpool resume <pool>: admits again, from the head of the queue.
import { editPool } from './poolEdits.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { connect } from './session.js';

export const spec: VerbSpec = {
  name: 'resume',
  args: ['pool'],
  summary: 'admit runs again after pause',
};

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  println(io.out, await editPool(connect(common), name!, (pool) => (pool.spec?.paused
    ? { patch: { paused: false }, said: 'resumed' }
    : { said: 'is not paused' })));
}
