// deploy/crds is generated from the zod schemas; this fails on any difference, so a
// schema change cannot ship without its CRDs (or the reverse).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildCrds, crdFileName } from '../../../src/api/crd.js';

const dir = join(process.cwd(), 'deploy', 'crds');
const REGENERATE = 'deploy/crds is out of date with src/api: run `npm run gen:crds`';

/** The path of the first difference between two JSON values, with both sides. */
function firstDifference(disk: unknown, schemas: unknown, at = ''): string | undefined {
  if (JSON.stringify(disk) === JSON.stringify(schemas)) return undefined;
  if (typeof disk === 'object' && disk && typeof schemas === 'object' && schemas) {
    const keys = [...new Set([...Object.keys(disk), ...Object.keys(schemas)])];
    for (const key of keys) {
      const found = firstDifference((disk as Record<string, unknown>)[key], (schemas as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
      if (found) return found;
    }
    return `${at || '<root>'}: same content in another order`;
  }
  return `${at}: the file has ${JSON.stringify(disk)}, the schemas give ${JSON.stringify(schemas)}`;
}

test.each(buildCrds().map((crd) => [crdFileName(crd), crd] as const))('%s matches the schemas in src/api', (file, crd) => {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${REGENERATE} (${file} is missing)`);
  const difference = firstDifference(parse(readFileSync(path, 'utf8')), crd);
  if (difference) throw new Error(`${REGENERATE}\n${file}, at ${difference}`);
});

test('deploy/crds holds no CRD that src/api no longer defines', () => {
  const stale = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !buildCrds().some((crd) => crdFileName(crd) === f));
  if (stale.length > 0) throw new Error(`${REGENERATE}, and delete ${stale.join(', ')}`);
});
