// Reads the bad-input corpus: one invalid manifest per file, its verdict in a comment
// header. The corpus is the single place where invalid input lives; badInput.test.ts
// applies every entry to the real API server with the operator running.
//
// Header lines (before the first YAML line):
//   # <why it is invalid, in words>
//   # expect: refused | rejected | pending
//       refused:  the API server refuses the create (or, for an update, the patch)
//       rejected: accepted, then the operator marks it: a SyncTask's phase Rejected, a
//                 WorkerPool's Ready condition False (pools have no phase)
//       pending:  accepted, and the task waits with Accepted=False (a missing pool is not
//                 final: creating the pool lets the task run)
//   # field: <the field at fault>
//   # names: <text the error must contain>   repeatable; defaults to the field. For the
//                 few messages that name the field in words rather than by path.
//   # says: <more text the error must contain>   optional
//   # after: job   an update applied only once the base task has a Job (status.jobName)
// A file with two YAML documents is an update: the first is a valid base, created
// first; the second is sent as a merge patch and must be refused.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));

export type Verdict = 'refused' | 'rejected' | 'pending';
const VERDICTS: readonly Verdict[] = ['refused', 'rejected', 'pending'];

export interface Manifest {
  apiVersion: string;
  kind: 'SyncTask' | 'WorkerPool';
  metadata: { name: string };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CorpusEntry {
  file: string;
  why: string;
  expect: Verdict;
  field: string;
  /** What the API server's or the operator's message must contain. */
  names: string[];
  /** For an update: the valid object created first. Otherwise the invalid object. */
  object: Manifest;
  /** For an update: the merge patch that must be refused. */
  update?: Record<string, unknown>;
  /** For an update: wait for the base task's Job before patching. */
  afterJob: boolean;
}

function header(text: string): { why: string; fields: Map<string, string[]> } {
  const fields = new Map<string, string[]>();
  let why = '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*(expect|field|names|says|after):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!, [...(fields.get(m[1]!) ?? []), m[2]!.trim()]);
    else if (!why) why = line.replace(/^#\s*/, '').replace(/\.$/, '');
  }
  return { why, fields };
}

export function loadEntry(file: string, text: string): CorpusEntry {
  const { why, fields } = header(text);
  const one = (key: string) => fields.get(key)?.[0];
  const expect = one('expect') as Verdict;
  const field = one('field');
  if (!VERDICTS.includes(expect)) throw new Error(`${file}: "# expect:" must be one of ${VERDICTS.join(', ')}`);
  if (!field) throw new Error(`${file}: "# field:" is missing`);
  const docs = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }) as Record<string, unknown>);
  if (docs.length < 1 || docs.length > 2) throw new Error(`${file}: one document, or two for an update`);
  const object = docs[0] as Manifest;
  if (object.kind !== 'SyncTask' && object.kind !== 'WorkerPool') throw new Error(`${file}: kind must be SyncTask or WorkerPool`);
  const update = docs[1];
  if (update && expect !== 'refused') throw new Error(`${file}: an update is always expected to be refused`);
  const afterJob = one('after') === 'job';
  if (afterJob && (!update || object.kind !== 'SyncTask')) throw new Error(`${file}: "after: job" is for updates of a SyncTask`);
  return {
    file, why, expect, field, object, update, afterJob,
    names: [...(fields.get('names') ?? [field]), ...(fields.get('says') ?? [])],
  };
}

/** Every entry, in file order; files starting with '_' are fixtures, not entries. */
export function loadCorpus(dir = CORPUS_DIR): CorpusEntry[] {
  const entries = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('_')).sort()
    .map((f) => loadEntry(f, readFileSync(join(dir, f), 'utf8')));
  // All entries share one namespace: a name used twice would make one entry judge another's object.
  const seen = new Map<string, string>();
  for (const e of entries) {
    const key = `${e.object.kind}/${e.object.metadata.name}`;
    if (seen.has(key)) throw new Error(`${e.file} and ${seen.get(key)} both make ${key}`);
    seen.set(key, e.file);
  }
  return entries;
}

/** A fixture the entries rely on (e.g. `_pool.yaml`). */
export function loadFixture(file: string, dir = CORPUS_DIR): Manifest {
  return parseAllDocuments(readFileSync(join(dir, file), 'utf8'))[0]!.toJS() as Manifest;
}
