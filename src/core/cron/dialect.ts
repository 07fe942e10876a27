// The schedule syntax a Kubernetes CronJob accepts: robfig/cron v3's ParseStandard, which
// the API server's validateScheduleFormat calls. Restated here so that we refuse exactly
// what it refuses (its quirks included: '?' anywhere, empty list items, "+5", anything
// after "*-") and can say why in words a user understands.
import { parseGoDuration } from './goDuration.js';

export type FieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/** Values a field allows, ascending; `star` when written `*` or `?` without a step above 1. */
export interface Field {
  values: number[];
  star: boolean;
}

/**
 * What a schedule means. For `fields`, robfig matches a day when both day fields match if
 * either is a star, and when either matches otherwise (the Vixie cron rule).
 */
export type Spec =
  | { kind: 'fields'; minute: Field; hour: Field; dayOfMonth: Field; month: Field; dayOfWeek: Field }
  | { kind: 'every'; seconds: number };

export type Parsed = { ok: true; spec: Spec } | { ok: false; problem: string };

interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const LAYOUT: ReadonlyArray<readonly [FieldName, Bounds]> = [
  ['minute', { min: 0, max: 59 }],
  ['hour', { min: 0, max: 23 }],
  ['day-of-month', { min: 1, max: 31 }],
  ['month', { min: 1, max: 12, names: MONTHS }],
  ['day-of-week', { min: 0, max: 6, names: WEEKDAYS }],
];

/**
 * What Go's strings.Fields splits on (unicode.IsSpace), as literal characters so that the
 * same class works in an ECMAScript RegExp and in the API server's RE2.
 */
export const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000';
const SPACES = new RegExp(`[${GO_SPACE}]+`);

const FIELD_LIST = 'minute hour day-of-month month day-of-week';
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;
const EVERY = '@every ';

export function parseDialect(text: string): Parsed {
  if (text.startsWith('@')) return parseDescriptor(text);
  const words = text.split(SPACES).filter((word) => word !== '');
  if (words.length !== LAYOUT.length) return { ok: false, problem: countProblem(words.length) };
  const fields: Field[] = [];
  for (const [i, [name, bounds]] of LAYOUT.entries()) {
    const field = parseField(words[i] ?? '', name, bounds);
    if (typeof field === 'string') return { ok: false, problem: field };
    fields.push(field);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [Field, Field, Field, Field, Field];
  return { ok: true, spec: { kind: 'fields', minute, hour, dayOfMonth, month, dayOfWeek } };
}

function countProblem(count: number): string {
  const expected = `expected 5 fields (${FIELD_LIST}) or a descriptor like @hourly, got ${count}`;
  return count === 6 ? `${expected}; Kubernetes has no seconds field` : expected;
}

function parseDescriptor(text: string): Parsed {
  const all = (min: number, max: number): Field => ({ values: range(min, max, 1), star: true });
  const only = (value: number): Field => ({ values: [value], star: false });
  const base = { kind: 'fields', minute: only(0), hour: only(0), dayOfMonth: all(1, 31), month: all(1, 12), dayOfWeek: all(0, 6) } as const;
  switch (text) {
    case '@yearly':
    case '@annually':
      return { ok: true, spec: { ...base, dayOfMonth: only(1), month: only(1) } };
    case '@monthly':
      return { ok: true, spec: { ...base, dayOfMonth: only(1) } };
    case '@weekly':
      return { ok: true, spec: { ...base, dayOfWeek: only(0) } };
    case '@daily':
    case '@midnight':
      return { ok: true, spec: base };
    case '@hourly':
      return { ok: true, spec: { ...base, hour: all(0, 23) } };
  }
  if (text.startsWith(EVERY)) {
    const duration = parseGoDuration(text.slice(EVERY.length));
    if (!duration.ok) return { ok: false, problem: duration.problem };
    // robfig's ConstantDelaySchedule: whole seconds, and at least one (so "@every -1h" is every second).
    const seconds = duration.ns < 1_000_000_000n ? 1 : Number(duration.ns / 1_000_000_000n);
    return { ok: true, spec: { kind: 'every', seconds } };
  }
  const known = `${DESCRIPTORS.join(', ')} or @every <duration>`;
  if (text.trimEnd() === '@every') return { ok: false, problem: `@every needs a duration, e.g. "@every 1h30m"` };
  return { ok: false, problem: `unknown descriptor; use ${known} (lowercase, nothing around it)` };
}

function parseField(text: string, name: FieldName, bounds: Bounds): Field | string {
  const values = new Set<number>();
  let star = false;
  // robfig drops empty list items, so "1,,2" is 1 and 2 and "," allows nothing.
  for (const item of text.split(',').filter((part) => part !== '')) {
    const parsed = parseItem(item, name, bounds);
    if (typeof parsed === 'string') return parsed;
    for (const value of range(parsed.start, parsed.end, parsed.step)) values.add(value);
    star ||= parsed.star;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

interface Item {
  start: number;
  end: number;
  step: number;
  star: boolean;
}

function parseItem(item: string, name: FieldName, bounds: Bounds): Item | string {
  const [span = '', stepText, ...extraSteps] = item.split('/');
  if (extraSteps.length > 0) return `${name} "${item}" has more than one "/"`;
  const ends = span.split('-');
  const [first = '', second] = ends;
  let start: number;
  let end: number;
  let star = false;
  if (first === '*' || first === '?') {
    // robfig ignores whatever follows "*-": "*-5" is "*".
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    if (ends.length > 2) return `${name} "${item}" has more than one "-"`;
    const low = value(first, item, name, bounds);
    if (typeof low === 'string') return low;
    const high = second === undefined ? low : value(second, item, name, bounds);
    if (typeof high === 'string') return high;
    [start, end] = [low, high];
  }
  let step = 1;
  if (stepText !== undefined) {
    const parsed = integer(stepText);
    if (parsed === undefined || parsed < 0) return `${name} step "${stepText}" is not a whole number`;
    step = parsed;
    // "5/15" means from 5 to the end of the field, every 15.
    if (ends.length === 1) end = bounds.max;
    if (step > 1) star = false;
  }
  const outside = [start, end].find((v) => v < bounds.min || v > bounds.max);
  if (outside !== undefined) {
    const hint = name === 'day-of-week' && outside === 7 ? '; Sunday is 0' : '';
    return `${name} ${outside} is out of range ${bounds.min}-${bounds.max}${hint}`;
  }
  if (start > end) return `${name} range "${span}" goes backwards; write the smaller value first`;
  if (step === 0) return `${name} step in "${item}" must be at least 1`;
  return { start, end, step, star };
}

function value(token: string, item: string, name: FieldName, bounds: Bounds): number | string {
  const number = integer(token);
  if (number !== undefined) return number;
  const named = bounds.names?.indexOf(token.toLowerCase()) ?? -1;
  if (/^[A-Za-z]{3}$/.test(token) && named >= 0) return named + bounds.min;
  if (token === '') return `${name} "${item}" is missing a number`;
  const names = bounds.names ? ` or a name (${bounds.names[0]?.toUpperCase()}-${bounds.names.at(-1)?.toUpperCase()})` : '';
  const special = /#|^[0-9]*L$|^[0-9]+W$|^LW$/i.test(token) ? '; L, W and # are not supported by Kubernetes CronJobs' : '';
  return `${name} "${token}" is not a number${names}${special}`;
}

/** Go's strconv.Atoi: ASCII digits with an optional sign. Too large is still a number (and out of range). */
function integer(token: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(token) ? Number(token) : undefined;
}

function range(start: number, end: number, step: number): number[] {
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return values;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a schedule that parses can never run, or undefined. robfig's Next gives up on these
 * and the CronJob controller reports them (event InvalidSchedule) instead of running.
 */
export function neverRuns(spec: Spec): string | undefined {
  if (spec.kind === 'every') return undefined;
  const { minute, hour, dayOfMonth, month, dayOfWeek } = spec;
  for (const [name, field] of [['minute', minute], ['hour', hour], ['month', month]] as const) {
    if (field.values.length === 0) return `never runs: ${name} allows no value`;
  }
  // With a star in either day field both must match; without, either may.
  const weekdays = dayOfWeek.values.length > 0;
  if (dayOfMonth.star) return weekdays ? undefined : 'never runs: day-of-week allows no value';
  if (weekdays && !dayOfWeek.star) return undefined;
  const [firstDay] = dayOfMonth.values;
  if (firstDay === undefined) return 'never runs: day-of-month allows no value';
  const months = month.values.map((m) => m - 1);
  if (months.some((m) => firstDay <= (DAYS_IN_MONTH[m] ?? 31))) return undefined;
  const names = months.map((m) => MONTH_NAMES[m]);
  const listed = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `never runs: ${listed} ${names.length === 1 ? 'has' : 'have'} no day ${firstDay}`;
}
