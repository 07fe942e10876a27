// Parsing of objects read from the API server. The API server validated them already;
// this double-checks what its schema cannot say (parameters size, map keys on old
// objects) and turns the answer into a message fit for a status or a log line.
import { z } from 'zod';
import { type SyncTask, syncTaskSchema } from './syncTask.js';
import { type WorkerPool, workerPoolSchema } from './workerPool.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Problems listed in one message; the rest are counted. */
const MAX_PROBLEMS = 5;

export function parseWorkerPool(obj: unknown): ParseResult<WorkerPool> {
  return parseWith(workerPoolSchema, obj);
}

export function parseSyncTask(obj: unknown): ParseResult<SyncTask> {
  return parseWith(syncTaskSchema, obj);
}

export function parseWith<S extends z.ZodType>(schema: S, obj: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(obj, { reportInput: true, error: phrase });
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error.issues) };
}

/** `spec.source: must be a DNS label (…), got "HubSpot"; spec.maxWorkers: …` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, MAX_PROBLEMS).map(describeIssue);
  const more = issues.length - MAX_PROBLEMS;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '<root>';
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return `${where}: key ${inner ? inner.message + got(inner) : 'is invalid'}`;
  }
  return `${where}: ${issue.message}${got(issue)}`;
}

/** Messages for issues whose schema did not bring its own (those win over this map). */
function phrase(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      return bound('at most', 'less than', issue.maximum, issue.inclusive, issue.origin);
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      return bound('at least', 'more than', issue.minimum, issue.inclusive, issue.origin);
    case 'invalid_format':
      return issue.format === 'regex' ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    default:
      return 'is invalid';
  }
}

function bound(incl: string, excl: string, limit: number | bigint, inclusive: boolean | undefined, origin: string): string {
  const than = `${inclusive === false ? excl : incl} ${limit}`;
  if (origin === 'string') return `must be ${than} characters`;
  if (origin === 'array' || origin === 'set') return `must have ${than} ${limit === 1 ? 'item' : 'items'}`;
  return `must be ${than}`;
}

function article(expected: string): string {
  const noun = { int: 'integer', array: 'list', record: 'object' }[expected] ?? expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** What was given instead, where that helps: the value, or the size of a long one. */
function got(issue: z.core.$ZodIssue): string {
  const input = issue.input;
  if (issue.code === 'custom' || input === undefined || input === '') return '';
  if ((issue.code === 'too_big' || issue.code === 'too_small') && (typeof input === 'string' || Array.isArray(input))) {
    return `, got ${input.length}`;
  }
  return `, got ${show(input)}`;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 60)}…"` : text;
}

/** `spec.template.env[2].name`; keys that are not identifiers in brackets. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => {
    if (typeof key === 'number') return `[${key}]`;
    const name = String(key);
    if (/^[A-Za-z_$][\w$]*$/.test(name)) return i === 0 ? name : `.${name}`;
    return `[${JSON.stringify(name)}]`;
  }).join('');
}
