// The pool verbs' one write: a merge patch of spec fields, after reading the pool so a
// missing one names the pools that exist and a no-op says so.
import type { PoolObject } from '../views/index.js';
import { getPool, patchPoolSpec } from './cluster.js';
import type { Session } from './session.js';

export async function editPool(
  s: Session, name: string, change: (pool: PoolObject) => { patch?: object; said: string },
): Promise<string> {
  const pool = await getPool(s, name);
  const { patch, said } = change(pool);
  if (patch) await patchPoolSpec(s, name, patch);
  return `workerpool/${name} ${said}`;
}
