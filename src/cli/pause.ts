// kubectl syncpool pause <pool>: admits nothing more; running syncs continue.
import { editPool } from './poolEdits.js';
import type { Parsed, VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { connect } from './session.js';

export const spec: VerbSpec = {
  name: 'pause',
  args: ['pool'],
  summary: 'stop admitting runs; running syncs continue',
};

export async function run({ common, positionals: [name] }: Parsed, io: Io): Promise<void> {
  println(io.out, await editPool(connect(common), name!, (pool) => (pool.spec?.paused
    ? { said: 'already paused' }
    : { patch: { paused: true }, said: 'paused: running syncs continue, queued ones wait' })));
}
