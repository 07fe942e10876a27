// Writes deploy/crds from the zod schemas: `npm run gen:crds`. The unit test
// test/unit/api/crd-drift.test.ts fails when the files and the schemas disagree.
// The Helm chart gets the same CRDs (deploy/helm/syncpool/crds) and the WorkerPool spec
// as a JSON Schema for its `pools:` value (values.schema.json); test/unit/helm checks both.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { POOL_SPEC_DEFINITION, poolSpecJsonSchema } from './chartSchema.js';
import { buildCrds, crdFileName } from './crd.js';

const HEADER = '# Generated from src/api by `npm run gen:crds`. Do not edit.\n';

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');
const chart = join(deploy, 'helm', 'syncpool');

const write = (file: string, text: string) => {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
};

const crds = buildCrds();
for (const crd of crds) {
  const text = HEADER + stringify(crd, { lineWidth: 0 });
  write(join(deploy, 'crds', crdFileName(crd)), text);
  write(join(chart, 'crds', crdFileName(crd)), text);
}

// Only the generated definition changes; the rest of the file is written by hand.
const valuesSchemaFile = join(chart, 'values.schema.json');
const valuesSchema = JSON.parse(readFileSync(valuesSchemaFile, 'utf8')) as { definitions: Record<string, unknown> };
valuesSchema.definitions[POOL_SPEC_DEFINITION] = poolSpecJsonSchema(crds.find((c) => c.spec.names.kind === 'WorkerPool')!);
write(valuesSchemaFile, `${JSON.stringify(valuesSchema, null, 2)}\n`);
