// Writes deploy/crds from the zod schemas: `npm run gen:crds`. The unit test
// test/unit/api/crd-drift.test.ts fails when the files and the schemas disagree.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCrds, crdFileName } from './crd.js';

const HEADER = '# Generated from src/api by `npm run gen:crds`. Do not edit.\n';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'crds');

for (const crd of buildCrds()) {
  const file = join(outDir, crdFileName(crd));
  writeFileSync(file, HEADER + stringify(crd, { lineWidth: 0 }));
  process.stdout.write(`wrote ${file}\n`);
}
