// kubectl syncpool scale <pool> --max-workers N: changes the cap live. Raising it admits
// at once; lowering it stops nothing, it admits nothing until enough runs finish.
import { editPool } from './poolEdits.js';
import { intFlag, type Parsed, type VerbSpec } from './flags.js';
import { type Io, println } from './output.js';
import { connect } from './session.js';
import { UsageError } from './failures.js';

export const spec: VerbSpec = {
  name: 'scale',
  args: ['pool'],
  summary: 'change how many syncs a pool runs at once',
  flags: { 'max-workers': { type: 'string', value: 'N', help: 'the new cap (0 admits nothing)' } },
};

export async function run({ common, values, positionals: [name] }: Parsed, io: Io): Promise<void> {
  const max = intFlag(spec, values, 'max-workers', 0, 10_000);
  if (max === undefined) throw new UsageError('scale: --max-workers N is required');
  const s = connect(common);
  println(io.out, await editPool(s, name!, (pool) => {
    const was = pool.spec?.maxWorkers;
    if (was === max) return { said: `already has maxWorkers ${max}` };
    return { patch: { maxWorkers: max }, said: `scaled: maxWorkers ${was} -> ${max}` };
  }));
}
