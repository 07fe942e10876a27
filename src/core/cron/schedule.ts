// A parsed schedule and its activation times, as the CronJob controller computes them with
// robfig/cron: wall-clock fields matched in the schedule's time zone, to the second.
import { Cron } from 'croner';
import { neverRuns, parseDialect, type Field, type Spec } from './dialect.js';
import { timeZoneProblem } from './timeZone.js';

/** A time as a Date or as milliseconds since the epoch. */
export type Instant = Date | number;

export interface Schedule {
  /** spec.schedule as written. */
  readonly expression: string;
  /** The IANA zone its fields are read in. */
  readonly timeZone: string;
  /** The first activation strictly after `after` (activations fall on whole seconds). */
  next(after: Instant): Date;
}

export type ScheduleResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; field: 'spec.schedule' | 'spec.timeZone'; message: string };

/**
 * Without spec.timeZone the CronJob controller reads a schedule in the controller-manager's
 * local zone, which is UTC on our clusters (as on most: its image carries no TZ setting).
 */
export const DEFAULT_TIME_ZONE = 'UTC';

export function parseSchedule(expression: string, timeZone?: string): ScheduleResult {
  const refuse = (field: 'spec.schedule' | 'spec.timeZone', message: string): ScheduleResult => ({ ok: false, field, message });
  if (expression === '') return refuse('spec.schedule', 'spec.schedule is required, e.g. "0 3 * * *" or "@hourly"');
  // The API server refuses "TZ" anywhere in a new CronJob's schedule, whatever surrounds it.
  if (expression.includes('TZ')) return refuse('spec.schedule', 'CRON_TZ= and TZ= are not allowed in spec.schedule: use spec.timeZone');
  const quoted = JSON.stringify(expression);
  const parsed = parseDialect(expression);
  if (!parsed.ok) return refuse('spec.schedule', `${quoted}: ${parsed.problem}`);
  const never = neverRuns(parsed.spec);
  if (never) return refuse('spec.schedule', `${quoted}: ${never}`);
  if (timeZone !== undefined) {
    const problem = timeZoneProblem(timeZone);
    if (problem) return refuse('spec.timeZone', problem);
  }
  return { ok: true, schedule: scheduleOf(parsed.spec, expression, timeZone ?? DEFAULT_TIME_ZONE) };
}

function scheduleOf(spec: Spec, expression: string, timeZone: string): Schedule {
  if (spec.kind === 'every') {
    // robfig's ConstantDelaySchedule: the delay after `after` cut down to its whole second.
    // Not tied to the clock face, so the time zone does not matter.
    const delayMs = spec.seconds * 1000;
    return { expression, timeZone, next: (after) => new Date(ms(after) - mod(ms(after), 1000) + delayMs) };
  }
  const cron = new Cron(cronerPattern(spec), { timezone: timeZone, mode: '6-part', domAndDow: false });
  return {
    expression,
    timeZone,
    next(after) {
      const next = cron.nextRun(new Date(ms(after)));
      // Only past croner's horizon (year 3000): parseSchedule refuses schedules that never run.
      if (!next) throw new RangeError(`schedule ${JSON.stringify(expression)} has no activation after ${new Date(ms(after)).toISOString()}`);
      return next;
    },
  };
}

/**
 * croner treats a pattern with one value in each of seconds, minutes and hours as a
 * "fixed-time job" and, like Vixie cron, moves it out of a spring-forward gap and runs it
 * once in a repeated fall-back hour. robfig has no such class: every schedule skips a time
 * the clock jumps over and runs at each occurrence of a repeated one. A step in the
 * seconds field makes every pattern an "interval job" to croner, which behaves as robfig
 * does; a step of 60 still means second 0 only.
 */
const SECOND_ZERO = '*/60';

/** Our parse in croner's syntax: explicit lists, and '*' exactly where robfig saw a star. */
function cronerPattern(spec: Extract<Spec, { kind: 'fields' }>): string {
  const list = (field: Field) => field.values.join(',');
  let dayOfMonth = spec.dayOfMonth.star ? '*' : list(spec.dayOfMonth);
  let dayOfWeek = spec.dayOfWeek.star ? '*' : list(spec.dayOfWeek);
  // Either day field may allow nothing ("," parses, matching no day); under the either-may
  // rule the other one decides alone, which croner says as a star in the empty one.
  if (dayOfMonth === '') dayOfMonth = '*';
  if (dayOfWeek === '') dayOfWeek = '*';
  return [SECOND_ZERO, list(spec.minute), list(spec.hour), dayOfMonth, list(spec.month), dayOfWeek].join(' ');
}

export function ms(instant: Instant): number {
  return typeof instant === 'number' ? instant : instant.getTime();
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
