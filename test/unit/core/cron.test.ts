// Cron math for periodic SyncTasks: the schedules and zones the API server accepts for a
// CronJob, activation times across DST changes, and missed runs as the CronJob controller
// counts them. Expected values that are not obvious were checked against robfig/cron v3
// (the library Kubernetes uses) and a restatement of the controller's code.
import {
  DEFAULT_TIME_ZONE,
  missedRuns,
  parseSchedule,
  SCHEDULE_SHAPE_PATTERN,
  TIME_ZONE_PATTERN,
  TOO_MANY_MISSED,
  type Schedule,
} from '../../../src/core/cron.js';
import { IANA_TIME_ZONES } from '../../../src/core/cron/zones.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function schedule(expression: string, timeZone?: string): Schedule {
  const parsed = parseSchedule(expression, timeZone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.schedule;
}

/** A time as the schedule's wall clock shows it, offset included: "2026-03-09T02:30:00-04:00". */
function local(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace('GMT', '') || '+00:00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}

/** The next `count` activations after `from`, each read on the schedule's wall clock. */
function activations(s: Schedule, from: string, count: number): string[] {
  const times: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    after = s.next(after);
    times.push(local(after, s.timeZone));
  }
  return times;
}

const shape = new RegExp(SCHEDULE_SHAPE_PATTERN);
const zoneShape = new RegExp(TIME_ZONE_PATTERN);

// Every schedule the API server accepts for a CronJob, with where it comes from.
const ACCEPTED: Array<[string, string]> = [
  ['* * * * ?', 'batch validation_test TestValidateCronJob; cronjob_controllerv2_test'],
  ['@hourly', 'TestValidateCronJob "non-standard scheduled"'],
  ['0 * * * *', 'TestValidateCronJob "correct timeZone value"; utils_test TestMostRecentScheduleTime'],
  ['0 * * * ?', 'utils_test TestNextScheduleTime; cronjob_controllerv2_test onTheHour'],
  ['@every 1h', 'utils_test "@every schedule"; cronjob_controllerv2_test everyHour'],
  ['30 6-16/4 * * 1-5', 'utils_test "complex schedule"'],
  ['30 10,11,12 * * 1-5', 'utils_test "another complex schedule"'],
  ['*/5 * * * *', 'utils_test "earliestTime being LastScheduleTime"'],
  ['0 12 * * 4', 'utils_test TestNextScheduleTimeDuration'],
  ['0 12 * * 5', 'utils_test TestNextScheduleTimeDuration'],
  ['5 * * * *', 'robfig parser_test TestStandardSpecSchedule'],
  ['@every 5m', 'robfig parser_test'],
  ['@midnight', 'robfig parser_test'],
  ['@yearly', 'robfig parser_test'],
  ['@annually', 'robfig parser_test'],
  ['@monthly', 'robfig spec_test TestActivation'],
  ['@weekly', 'robfig spec_test TestActivation'],
  ['@daily', 'robfig spec_test TestActivation'],
  ['0/15 * * * *', 'robfig spec_test TestActivation'],
  ['5/15 * * * *', 'robfig spec_test TestActivation'],
  ['0/15 * * Jul *', 'robfig spec_test TestActivation'],
  ['30 08 ? Jul Sun', 'robfig spec_test TestActivation'],
  ['30 08 15 Jul ?', 'robfig spec_test TestActivation'],
  ['* * 1,15 * Sun', 'robfig spec_test TestActivation'],
  ['* * */10 * Sun', 'robfig spec_test TestActivation'],
  ['* * */2 * Sun', 'robfig spec_test TestActivation'],
  ['1,5-7/2,3 * * * *', 'robfig parser_test TestField'],
  ['5-7/1 * * * *', 'robfig parser_test TestRange'],
  ['0 0 29 2 *', 'leap day: runs every four years'],
  ['0 0 * * MON-FRI', 'names, any case'],
  ['0 0 1 jan-dec/3 *', 'names with a step'],
  ['  0 3 * * *  ', 'spaces around the fields'],
  ['0\t3  *\u00a0* *', 'any space Go splits on, tab and no-break space included'],
  ['1,,2 * * * *', 'robfig drops empty list items'],
  ['+5 * * * *', 'Go reads "+5" as 5'],
  ['*-x/5 * * * *', 'robfig ignores whatever follows "*-"'],
  ['? ? ? ? ?', '"?" is a star in any field'],
  ['@every 1h30m', 'a Go duration'],
  ['@every 1.5h', 'a Go duration with a fraction'],
  ['@every .5s', 'Go allows no digit before the point'],
  ['@every 500ms', 'below a second: every second'],
  ['@every -1h', 'negative: every second'],
  ['@every 0', 'a bare zero: every second'],
  ['@every 1µs', 'microseconds, either mu'],
];

// Accepted by the API server, but robfig finds no time to run them: the CronJob controller
// reports InvalidSchedule and never runs them. We refuse them up front.
const NEVER_RUNS: Array<[string, string, string]> = [
  ['59 23 31 2 *', 'never runs: February has no day 31', 'utils_test "rogue cronjob", TestNextScheduleTime case 8'],
  ['0 0 30 Feb ?', 'never runs: February has no day 30', 'robfig spec_test TestNext "Unsatisfiable"'],
  ['0 0 31 Apr ?', 'never runs: April has no day 31', 'robfig spec_test TestNext "Unsatisfiable"'],
  ['0 0 31 2,4,6 *', 'never runs: February, April and June have no day 31', 'several months'],
  ['0 , * * *', 'never runs: hour allows no value', 'a field of commas parses and allows nothing'],
  ['0 0 * * ,', 'never runs: day-of-week allows no value', 'with day-of-month a star, both must match'],
];

const FIELDS = 'expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor like @hourly';
const DESCRIPTORS = 'use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration> (lowercase, nothing around it)';
const NO_TZ = 'CRON_TZ= and TZ= are not allowed in spec.schedule: use spec.timeZone';

// Refused by the API server; `shape` says whether the CRD pattern already refuses it.
const REFUSED: Array<[string, string, 'shape' | 'parse']> = [
  ['', 'spec.schedule is required, e.g. "0 3 * * *" or "@hourly"', 'shape'],
  ['error', `"error": ${FIELDS}, got 1`, 'shape'],
  ['obvious error schedule', `"obvious error schedule": ${FIELDS}, got 3`, 'shape'],
  ['TZ=UTC 0 * * * *', NO_TZ, 'shape'],
  ['TZ=UTC 0 * * * ?', NO_TZ, 'shape'],
  ['CRON_TZ=Europe/Berlin 0 3 * * *', NO_TZ, 'shape'],
  ['*-TZ * * * *', NO_TZ, 'shape'],
  ['every tuesday', `"every tuesday": ${FIELDS}, got 2`, 'shape'],
  ['* * * *', `"* * * *": ${FIELDS}, got 4`, 'shape'],
  ['0 0 12 * * ?', `"0 0 12 * * ?": ${FIELDS}, got 6; Kubernetes has no seconds field`, 'shape'],
  ['61 25 * * *', '"61 25 * * *": minute 61 is out of range 0-59', 'parse'],
  ['0 24 * * *', '"0 24 * * *": hour 24 is out of range 0-23', 'parse'],
  ['0 0 0 * *', '"0 0 0 * *": day-of-month 0 is out of range 1-31', 'parse'],
  ['0 0 * 13 *', '"0 0 * 13 *": month 13 is out of range 1-12', 'parse'],
  ['0 0 * * 7', '"0 0 * * 7": day-of-week 7 is out of range 0-6; Sunday is 0', 'parse'],
  ['5 j * * *', '"5 j * * *": hour "j" is not a number', 'shape'],
  ['jan * * * *', '"jan * * * *": minute "jan" is not a number', 'parse'],
  ['0 0 * * funday', '"0 0 * * funday": day-of-week "funday" is not a number or a name (SUN-SAT)', 'shape'],
  ['0 0 * july *', '"0 0 * july *": month "july" is not a number or a name (JAN-DEC)', 'shape'],
  ['0 0 L * *', '"0 0 L * *": day-of-month "L" is not a number; L, W and # are not supported by Kubernetes CronJobs', 'shape'],
  ['0 0 15W * *', '"0 0 15W * *": day-of-month "15W" is not a number; L, W and # are not supported by Kubernetes CronJobs', 'shape'],
  ['0 0 * * MON#2', '"0 0 * * MON#2": day-of-week "MON#2" is not a number or a name (SUN-SAT); L, W and # are not supported by Kubernetes CronJobs', 'shape'],
  ['5--5 * * * *', '"5--5 * * * *": minute "5--5" has more than one "-"', 'shape'],
  ['-5 * * * *', '"-5 * * * *": minute "-5" is missing a number', 'shape'],
  ['*/-12 * * * *', '"*/-12 * * * *": minute step "-12" is not a whole number', 'shape'],
  ['*//2 * * * *', '"*//2 * * * *": minute "*//2" has more than one "/"', 'shape'],
  ['5-3 * * * *', '"5-3 * * * *": minute range "5-3" goes backwards; write the smaller value first', 'parse'],
  ['*/0 * * * *', '"*/0 * * * *": minute step in "*/0" must be at least 1', 'parse'],
  ['@unrecognized', `"@unrecognized": unknown descriptor; ${DESCRIPTORS}`, 'shape'],
  ['@Daily', `"@Daily": unknown descriptor; ${DESCRIPTORS}`, 'shape'],
  ['@daily ', `"@daily ": unknown descriptor; ${DESCRIPTORS}`, 'shape'],
  [' @daily', `" @daily": ${FIELDS}, got 1`, 'shape'],
  ['@every', '"@every": @every needs a duration, e.g. "@every 1h30m"', 'shape'],
  ['@every Xm', '"@every Xm": "Xm" is not a duration; use h, m, s, ms, us or ns, e.g. "1h30m"', 'shape'],
  ['@every 1d', '"@every 1d": duration "1d" has unknown unit "d"; use h, m, s, ms, us or ns, e.g. "1h30m"', 'shape'],
  ['@every 90', '"@every 90": duration "90" is missing a unit; use h, m, s, ms, us or ns, e.g. "1h30m"', 'shape'],
  ['@every 1toString', '"@every 1toString": duration "1toString" has unknown unit "toString"; use h, m, s, ms, us or ns, e.g. "1h30m"', 'shape'],
  ['@every 2562048h', '"@every 2562048h": duration "2562048h" is too long', 'parse'],
];

describe('parseSchedule: the schedules a CronJob accepts', () => {
  test.each(ACCEPTED)('accepts %j (%s)', (expression) => {
    expect(parseSchedule(expression)).toMatchObject({ ok: true, schedule: { expression, timeZone: 'UTC' } });
  });

  test.each(NEVER_RUNS)('refuses %j, which can never run: %s (%s)', (expression, problem) => {
    expect(parseSchedule(expression)).toEqual({ ok: false, field: 'spec.schedule', message: `${JSON.stringify(expression)}: ${problem}` });
  });

  test.each(REFUSED)('refuses %j: %s', (expression, message) => {
    expect(parseSchedule(expression)).toEqual({ ok: false, field: 'spec.schedule', message });
  });
});

describe('SCHEDULE_SHAPE_PATTERN', () => {
  test('lets through every schedule the API server accepts, the never-running ones too', () => {
    const schedules = [...ACCEPTED, ...NEVER_RUNS].map(([expression]) => expression);
    expect(schedules.filter((expression) => !shape.test(expression))).toEqual([]);
  });

  test('refuses the wrong shapes before they reach the operator', () => {
    const wrongShapes = REFUSED.filter(([, , where]) => where === 'shape').map(([expression]) => expression);
    expect(wrongShapes.filter((expression) => shape.test(expression))).toEqual([]);
  });

  test('leaves values out of range and backwards ranges to parseSchedule', () => {
    const values = REFUSED.filter(([, , where]) => where === 'parse').map(([expression]) => expression);
    expect(values.filter((expression) => !shape.test(expression))).toEqual([]);
  });
});

describe('parseSchedule: spec.timeZone', () => {
  test.each([
    ['America/New_York', 'cronjob_controllerv2_test newYork'],
    ['Europe/Rome', 'utils_test TestGetJobFromTemplate2'],
    ['UTC', 'utils_test TestGetJobFromTemplate2'],
    ['Etc/GMT+5', 'a sign and a digit'],
    ['America/Argentina/Buenos_Aires', 'three parts'],
    ['Australia/Lord_Howe', 'half-hour DST'],
    ['US/Eastern', 'a backward link'],
    ['Asia/Calcutta', 'an old name'],
    ['Europe/Kyiv', 'a new name'],
    ['EST5EDT', 'a POSIX-style name'],
  ])('accepts %s (%s)', (timeZone) => {
    expect(parseSchedule('0 3 * * *', timeZone)).toMatchObject({ ok: true, schedule: { timeZone } });
  });

  const EXPLICIT = 'name an explicit IANA time zone such as "Europe/Berlin" or "UTC"';
  test.each([
    ['', 'timeZone is empty; leave it out for UTC, or name an IANA time zone such as "Europe/Berlin" or "UTC"'],
    ['Local', `timeZone "Local" is not allowed: ${EXPLICIT}`],
    ['local', `timeZone "local" is not allowed: ${EXPLICIT}`],
    ['LOCAL', `timeZone "LOCAL" is not allowed: ${EXPLICIT}`],
    [' Continent/Zone', 'timeZone " Continent/Zone" is not an IANA time zone name'],
    ['Continent/Zone ', 'timeZone "Continent/Zone " is not an IANA time zone name'],
    ['Continent/InvalidZone', 'timeZone "Continent/InvalidZone" is not an IANA time zone name'],
    [' ', 'timeZone " " is not an IANA time zone name'],
    ['bad timezone', 'timeZone "bad timezone" is not an IANA time zone name'],
    ['Mars/Olympus_Mons', 'timeZone "Mars/Olympus_Mons" is not an IANA time zone name'],
    ['america/new_york', 'timeZone "america/new_york" is not an IANA time zone name; did you mean "America/New_York"? (names are case-sensitive)'],
    ['PST', 'timeZone "PST" is not an IANA time zone name'],
    ['SystemV/EST5EDT', 'timeZone "SystemV/EST5EDT" is not an IANA time zone name'],
    ['GMT+5', 'timeZone "GMT+5" is not an IANA time zone name'],
    ['+05:00', 'timeZone "+05:00" is not an IANA time zone name'],
    ['Europe/../UTC', 'timeZone "Europe/../UTC" is not an IANA time zone name'],
  ])('refuses %j', (timeZone, message) => {
    expect(parseSchedule('0 3 * * *', timeZone)).toEqual({ ok: false, field: 'spec.timeZone', message });
  });

  test('names the schedule first when both are wrong', () => {
    expect(parseSchedule('61 * * * *', 'Local')).toMatchObject({ ok: false, field: 'spec.schedule' });
  });

  test('every name it accepts is one Intl can compute times in', () => {
    const unusable = [...IANA_TIME_ZONES].filter((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone }).format(0);
        return false;
      } catch {
        return true;
      }
    });
    expect(unusable).toEqual([]);
  });
});

describe('TIME_ZONE_PATTERN', () => {
  test('lets through every IANA name the API server loads', () => {
    expect([...IANA_TIME_ZONES].filter((zone) => !zoneShape.test(zone))).toEqual([]);
  });

  test.each(['', ' ', 'a//b', '/UTC', 'UTC/', '.', '..', 'Europe/..', '-UTC', 'Europe/Berlin ', '+05:00', 'Abcdefghijklmno', 'bad timezone'])(
    'refuses %j, as the API server does',
    (zone) => {
      expect(zoneShape.test(zone)).toBe(false);
    },
  );
});

describe('Schedule.next in UTC', () => {
  test.each([
    ['0 * * * *', '2016-05-19T10:00:00Z', '2016-05-19T11:00:00+00:00', 'strictly after an activation'],
    ['0 * * * *', '2016-05-19T09:59:59.999Z', '2016-05-19T10:00:00+00:00', 'to the second'],
    ['*/15 * * * *', '2012-07-09T14:59:59Z', '2012-07-09T15:00:00+00:00', 'robfig TestNext "Simple cases"'],
    ['20-35/15 * * * *', '2012-07-09T15:45:00Z', '2012-07-09T16:20:00+00:00', 'robfig TestNext "Wrap around hours"'],
    ['*/15 * * * *', '2012-07-09T23:46:00Z', '2012-07-10T00:00:00+00:00', 'robfig TestNext "Wrap around days"'],
    ['0 0 9 Apr-Oct ?', '2012-07-09T23:35:00Z', '2012-08-09T00:00:00+00:00', 'robfig TestNext "Wrap around months"'],
    ['0 0 */5 Apr,Aug,Oct Mon', '2012-07-09T23:35:00Z', '2012-08-01T00:00:00+00:00', 'robfig TestNext: either day field may match'],
    ['0 0 * Feb Mon', '2012-07-09T23:35:00Z', '2013-02-04T00:00:00+00:00', 'robfig TestNext "Wrap around years"'],
    ['0 0 * Feb Mon/2', '2012-07-09T23:35:00Z', '2013-02-01T00:00:00+00:00', 'robfig TestNext: a stepped day-of-week is no star'],
    ['* * * * *', '2012-12-31T23:59:45Z', '2013-01-01T00:00:00+00:00', 'robfig TestNext "Wrap around minute, hour, day, month, and year"'],
    ['0 0 29 Feb ?', '2012-07-09T23:35:00Z', '2016-02-29T00:00:00+00:00', 'robfig TestNext "Leap year"'],
    ['0 0 * * Mon', '2012-07-14T00:00:00Z', '2012-07-16T00:00:00+00:00', 'robfig TestActivation: a star day-of-month means both must match'],
    ['0 0 1,15 * *', '2012-07-09T00:00:00Z', '2012-07-15T00:00:00+00:00', 'robfig TestActivation'],
    ['0 0 */10 * Sun', '2012-07-14T00:00:00Z', '2012-07-15T00:00:00+00:00', 'robfig TestActivation, verifies robfig#70: Sunday the 15th'],
    ['0 0 1-31 * 1', '2026-05-19T12:00:00Z', '2026-05-20T00:00:00+00:00', 'a full range is no star: either may match, so every day'],
    ['0 0 , * 1', '2026-05-19T12:00:00Z', '2026-05-25T00:00:00+00:00', 'an empty day-of-month leaves it to day-of-week'],
    ['@hourly', '2026-05-19T10:04:00Z', '2026-05-19T11:00:00+00:00', 'descriptor'],
    ['@daily', '2026-05-19T10:04:00Z', '2026-05-20T00:00:00+00:00', 'descriptor'],
    ['@midnight', '2026-05-19T10:04:00Z', '2026-05-20T00:00:00+00:00', 'descriptor'],
    ['@weekly', '2026-05-19T10:04:00Z', '2026-05-24T00:00:00+00:00', 'descriptor: Sunday'],
    ['@monthly', '2026-05-19T10:04:00Z', '2026-06-01T00:00:00+00:00', 'descriptor'],
    ['@yearly', '2026-05-19T10:04:00Z', '2027-01-01T00:00:00+00:00', 'descriptor'],
    ['@annually', '2026-05-19T10:04:00Z', '2027-01-01T00:00:00+00:00', 'descriptor'],
  ])('%j after %s is %s (%s)', (expression, after, expected) => {
    expect(local(schedule(expression).next(new Date(after)), 'UTC')).toBe(expected);
  });

  test('takes milliseconds as well as Dates', () => {
    expect(schedule('0 * * * *').next(Date.parse('2016-05-19T10:30:00Z'))).toEqual(new Date('2016-05-19T11:00:00Z'));
  });

  test(`reads the fields in ${DEFAULT_TIME_ZONE} whatever zone the process runs in`, () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(schedule('0 3 * * *').next(new Date('2026-05-19T12:00:00Z'))).toEqual(new Date('2026-05-20T03:00:00Z'));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('Schedule.next for @every', () => {
  test.each([
    ['@every 1h30m', '2026-05-19T10:00:00.750Z', '2026-05-19T11:30:00.000Z', 'from the whole second before'],
    ['@every 90s', '2026-05-19T10:00:00Z', '2026-05-19T10:01:30.000Z', 'not aligned to the clock'],
    ['@every 1.5s', '2026-05-19T10:00:00Z', '2026-05-19T10:00:01.000Z', 'the delay cut to whole seconds'],
    ['@every 500ms', '2026-05-19T10:00:00Z', '2026-05-19T10:00:01.000Z', 'at least a second'],
    ['@every -1h', '2026-05-19T10:00:00Z', '2026-05-19T10:00:01.000Z', 'negative is a second too'],
    ['@every 24h', '2026-03-07T12:00:00Z', '2026-03-08T12:00:00.000Z', 'real hours, whatever the zone'],
  ])('%j after %s is %s (%s)', (expression, after, expected) => {
    expect(schedule(expression).next(new Date(after)).toISOString()).toBe(expected);
  });

  test('ignores the time zone: a day is 24 real hours across a DST change', () => {
    expect(schedule('@every 24h', 'America/New_York').next(new Date('2026-03-07T12:00:00-05:00'))).toEqual(new Date('2026-03-08T13:00:00-04:00'));
  });
});

// robfig reads the fields on the zone's wall clock: a time the clock skips (spring
// forward) does not run that day, and a time the clock shows twice (fall back) runs twice,
// as robfig's own spec_test TestNext "1am nightly job (runs twice)" says. Vixie cron, and
// croner and cron-parser by default, would run the first late and the second once.
describe('Schedule.next across DST changes', () => {
  test.each([
    ['30 2 * * *', 'America/New_York', '2026-03-07T12:00:00-05:00', ['2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'], 'spring forward: 02:30 on the 8th does not exist, skipped'],
    ['0 * * * *', 'America/New_York', '2026-03-08T00:30:00-05:00', ['2026-03-08T01:00:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T04:00:00-04:00'], 'spring forward, hourly'],
    ['*/30 * * * *', 'America/New_York', '2026-03-08T01:00:00-05:00', ['2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00'], 'spring forward, every 30 minutes'],
    ['0 3 * * *', 'America/New_York', '2026-03-08T00:00:00-05:00', ['2026-03-08T03:00:00-04:00', '2026-03-09T03:00:00-04:00'], 'spring forward: 03:00 exists'],
    ['30 1 * * *', 'America/New_York', '2026-10-31T12:00:00-04:00', ['2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00', '2026-11-02T01:30:00-05:00'], 'fall back: 01:30 twice'],
    ['0 * * * *', 'America/New_York', '2026-11-01T00:30:00-04:00', ['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00'], 'fall back, hourly'],
    ['0 2 * * *', 'America/New_York', '2026-11-01T00:00:00-04:00', ['2026-11-01T02:00:00-05:00', '2026-11-02T02:00:00-05:00'], 'fall back: 02:00 once'],
    ['0 9 * * 1-5', 'America/New_York', '2026-03-06T10:00:00-05:00', ['2026-03-09T09:00:00-04:00', '2026-03-10T09:00:00-04:00'], 'weekdays across the change'],
    ['30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00+01:00', ['2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00'], 'spring forward: skipped'],
    ['30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00+02:00', ['2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00', '2026-10-26T02:30:00+01:00'], 'fall back: twice'],
    ['*/20 2 * * *', 'Europe/Berlin', '2026-10-25T01:00:00+02:00', ['2026-10-25T02:00:00+02:00', '2026-10-25T02:20:00+02:00', '2026-10-25T02:40:00+02:00', '2026-10-25T02:00:00+01:00'], 'fall back: the repeated hour runs again'],
    ['0 9 * * 1-5', 'Europe/Berlin', '2026-03-27T10:00:00+01:00', ['2026-03-30T09:00:00+02:00', '2026-03-31T09:00:00+02:00'], 'weekdays across the change'],
    ['15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T12:00:00+10:30', ['2026-10-05T02:15:00+11:00', '2026-10-06T02:15:00+11:00'], 'half-hour spring forward: 02:15 skipped'],
    ['*/15 * * * *', 'Australia/Lord_Howe', '2026-10-04T01:30:00+10:30', ['2026-10-04T01:45:00+10:30', '2026-10-04T02:30:00+11:00', '2026-10-04T02:45:00+11:00'], 'half-hour spring forward, every 15 minutes'],
    ['45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00+11:00', ['2026-04-05T01:45:00+11:00', '2026-04-05T01:45:00+10:30', '2026-04-06T01:45:00+10:30'], 'half-hour fall back: twice'],
    ['0 0 * * 6', 'America/Santiago', '2026-09-04T12:00:00-04:00', ['2026-09-05T00:00:00-04:00', '2026-09-12T00:00:00-03:00'], 'a change at midnight'],
    ['30 * * * *', 'Asia/Kolkata', '2026-06-01T00:00:00+05:30', ['2026-06-01T00:30:00+05:30', '2026-06-01T01:30:00+05:30'], 'a half-hour offset'],
  ])('%j in %s after %s', (expression, timeZone, after, expected) => {
    expect(activations(schedule(expression, timeZone), after, expected.length)).toEqual(expected);
  });

  // Knowing differences: robfig steps hour by hour from a wall-clock hour, which goes wrong
  // when a change is not a whole hour at a whole hour; we give the time the clock shows.
  test.each([
    ['0 0 * * *', '2026-04-04T12:00:00+11:00', ['2026-04-05T00:00:00+11:00', '2026-04-06T00:00:00+10:30'], 'robfig skips midnight on the 6th'],
    ['0 3 * * *', '2026-10-03T12:00:00+10:30', ['2026-10-04T03:00:00+11:00', '2026-10-05T03:00:00+11:00'], 'robfig skips 03:00 on the 4th'],
  ])('%j in Australia/Lord_Howe after %s: %j, where %s', (expression, after, expected) => {
    expect(activations(schedule(expression, 'Australia/Lord_Howe'), after, expected.length)).toEqual(expected);
  });
});

// Mirrors pkg/controller/cronjob/utils_test.go. Its clock: topOfTheHour is Thursday
// 2016-05-19T10:00:00Z.
const TOP = Date.parse('2016-05-19T10:00:00Z');
const at = (offset: number) => new Date(TOP + offset);

describe('missedRuns: TestMostRecentScheduleTime', () => {
  test.each([
    ['now before next schedule', '0 * * * *', TOP, TOP + 30 * SECOND, undefined, 0, HOUR],
    ['now just after next schedule', '0 * * * *', TOP, TOP + 61 * MINUTE, 60 * MINUTE, 1, 2 * HOUR],
    ['missed 5 schedules', '0 * * * *', TOP + 10 * SECOND, TOP + 301 * MINUTE, 300 * MINUTE, 5, 6 * HOUR],
    ['complex schedule', '30 6-16/4 * * 1-5', TOP + 30 * MINUTE, TOP + 24 * HOUR + 31 * MINUTE, 24 * HOUR + 30 * MINUTE, 2, 28 * HOUR + 30 * MINUTE],
    ['complex schedule with longer diff between executions', '30 6-16/4 * * 1-5', TOP + 30 * MINUTE, TOP + 96 * HOUR + 31 * MINUTE, 96 * HOUR + 30 * MINUTE, 6, 100 * HOUR + 30 * MINUTE],
    ['complex schedule with shorter diff between executions', '30 6-16/4 * * 1-5', TOP, TOP + 24 * HOUR + 31 * MINUTE, 24 * HOUR + 30 * MINUTE, 7, 28 * HOUR + 30 * MINUTE],
    ['@every schedule', '@every 1h', TOP + MINUTE, TOP + 7 * DAY, 6 * DAY + 23 * HOUR + MINUTE, 167, 7 * DAY + MINUTE],
    ['earliestTime being CreationTimestamp and LastScheduleTime', '0 * * * *', TOP, TOP + 30 * SECOND, undefined, 0, HOUR],
    ['earliestTime being LastScheduleTime', '*/5 * * * *', TOP + 30 * MINUTE, TOP + 31 * MINUTE, undefined, 0, 35 * MINUTE],
  ])('%s', (_name, expression, earliest, now, mostRecent, missed, next) => {
    expect(missedRuns(schedule(expression), { earliest, now })).toEqual({
      ...(mostRecent !== undefined && { mostRecent: at(mostRecent) }),
      missed,
      next: at(next),
    });
  });

  // The controller estimates from the first gap (Thursday 11:30 to 12:30) and jumps to
  // Friday 15:30, past every missed run: it starts nothing and waits for Monday.
  test('another complex schedule: an uneven schedule can hide its missed runs, as in the controller', () => {
    const result = missedRuns(schedule('30 10,11,12 * * 1-5'), { earliest: TOP + 30 * MINUTE, now: TOP + 30 * HOUR + 30 * MINUTE });
    expect(result).toEqual({ missed: 30, next: at(96 * HOUR + 30 * MINUTE) });
  });

  test.each([
    ['within StartingDeadlineSeconds', TOP + 31 * MINUTE],
    ['outside StartingDeadlineSeconds', TOP + 32 * MINUTE],
  ])('earliestTime being LastScheduleTime (%s)', (_name, now) => {
    const result = missedRuns(schedule('*/5 * * * *'), { earliest: TOP + 30 * MINUTE, now, startingDeadlineSeconds: 60 });
    expect(result).toEqual({ missed: 0, next: at(35 * MINUTE) });
  });

  test('rogue cronjob: a schedule that never runs is refused before any counting', () => {
    expect(parseSchedule('59 23 31 2 *')).toMatchObject({ ok: false, field: 'spec.schedule' });
  });
});

describe('missedRuns: TestNextScheduleTime', () => {
  const T1 = TOP;
  const T2 = TOP + HOUR;
  const hourly = schedule('0 * * * ?');
  test.each([
    ['case 1: no known start times, and none needed yet', T1 - 10 * MINUTE, T1 - 7 * MINUTE, undefined, undefined],
    ['case 2: no known start times, and one needed', T1 - 10 * MINUTE, T1 + 2 * SECOND, undefined, T1],
    ['case 3: known LastScheduleTime, no start needed', T1, T1 + 2 * MINUTE, undefined, undefined],
    ['case 4: known LastScheduleTime, a start needed', T1, T2 + 5 * MINUTE, undefined, T2],
    ['case 5: known LastScheduleTime, two starts needed', T1 - HOUR, T2 + 5 * MINUTE, undefined, T2],
    ['case 7: now is way way ahead of last start time, but there is a short deadline', T1 - HOUR, T2 + 10 * DAY, 2 * 60 * 60, T2 + 10 * DAY],
  ])('%s', (_name, earliest, now, startingDeadlineSeconds, expected) => {
    const { mostRecent } = missedRuns(hourly, { earliest, now, ...(startingDeadlineSeconds !== undefined && { startingDeadlineSeconds }) });
    expect(mostRecent).toEqual(expected === undefined ? undefined : new Date(expected));
  });

  test('case 6: now is way way ahead of last start time, and there is no deadline: too many missed', () => {
    const result = missedRuns(hourly, { earliest: T1 - HOUR, now: T2 + 10 * DAY });
    expect(result.mostRecent).toEqual(new Date(T2 + 10 * DAY));
    expect(result.missed).toBe(242);
    expect(result.missed).toBeGreaterThan(TOO_MANY_MISSED);
  });

  test('case 7 counts only what the deadline leaves', () => {
    const result = missedRuns(hourly, { earliest: T1 - HOUR, now: T2 + 10 * DAY, startingDeadlineSeconds: 2 * 60 * 60 });
    expect(result.missed).toBe(2);
  });
});

describe('missedRuns: the wait, as TestNextScheduleTimeDuration (without its 100 ms padding)', () => {
  test.each([
    ['complex schedule skipping weekend', '30 6-16/4 * * 1-5', TOP + 30 * MINUTE, TOP + 24 * HOUR + 31 * MINUTE, 3 * HOUR + 59 * MINUTE],
    ['another complex schedule skipping weekend', '30 10,11,12 * * 1-5', TOP + 30 * MINUTE, TOP + 30 * HOUR + 30 * MINUTE, 66 * HOUR],
    ['once a week cronjob, missed two runs', '0 12 * * 4', TOP + 2 * HOUR, TOP + 19 * DAY + HOUR + 30 * MINUTE, 48 * HOUR + 30 * MINUTE],
    ['no previous run of a cronjob', '0 12 * * 5', TOP, TOP + 6 * HOUR, 20 * HOUR],
  ])('%s', (_name, expression, earliest, now, wait) => {
    expect(missedRuns(schedule(expression), { earliest, now }).next.getTime() - now).toBe(wait);
  });
});

// cronjob_controllerv2_test.go TestControllerV2SyncCronJob: the cron job was created just
// before the hour (09:59); shortDead is 10 s, longDead a million seconds.
describe('missedRuns: TestControllerV2SyncCronJob timing', () => {
  const created = TOP - MINUTE;
  test.each([
    ['never ran, not time', undefined, undefined, TOP - MINUTE, undefined, MINUTE],
    ['never ran, not time in zone', 'America/New_York', undefined, TOP - MINUTE, undefined, MINUTE],
    ['never ran, is time', undefined, undefined, TOP + MINUTE, TOP, HOUR - MINUTE],
    ['never ran, is time in zone', 'America/New_York', undefined, TOP + MINUTE, TOP, HOUR - MINUTE],
    ['never ran, is time, past deadline', undefined, 10, TOP + MINUTE + 11 * MINUTE, undefined, HOUR - MINUTE - 11 * MINUTE],
    ['never ran, is time, not past deadline', undefined, 1_000_000, TOP + MINUTE, TOP, HOUR - MINUTE],
  ])('%s', (_name, timeZone, startingDeadlineSeconds, now, mostRecent, wait) => {
    const result = missedRuns(schedule('0 * * * ?', timeZone), {
      earliest: created, now, ...(startingDeadlineSeconds !== undefined && { startingDeadlineSeconds }),
    });
    expect(result.mostRecent).toEqual(mostRecent === undefined ? undefined : new Date(mostRecent));
    expect(result.next.getTime() - now).toBe(wait);
  });
});

describe('missedRuns: startingDeadlineSeconds', () => {
  test('0 starts nothing late: not even a run due this very second', () => {
    const result = missedRuns(schedule('0 * * * *'), { earliest: TOP, now: TOP + HOUR, startingDeadlineSeconds: 0 });
    expect(result).toEqual({ missed: 0, next: at(2 * HOUR) });
  });

  test('counts nothing older than the deadline', () => {
    const result = missedRuns(schedule('*/5 * * * *'), { earliest: TOP, now: TOP + 2 * HOUR + MINUTE, startingDeadlineSeconds: 600 });
    expect(result).toEqual({ mostRecent: at(2 * HOUR), missed: 2, next: at(2 * HOUR + 5 * MINUTE) });
  });

  // For @every the deadline moves the start of the chain the controller counts on, so
  // the runs it would start fall off the hour; the wait is still counted from `earliest`.
  test('moves the chain of an @every schedule, as in the controller', () => {
    const result = missedRuns(schedule('@every 1h'), { earliest: TOP, now: TOP + 2 * HOUR + 30 * MINUTE, startingDeadlineSeconds: 600 });
    expect(result).toEqual({ missed: 0, next: at(3 * HOUR) });
  });

  test('takes milliseconds as well as Dates', () => {
    expect(missedRuns(schedule('0 * * * *'), { earliest: new Date(TOP), now: new Date(TOP + 61 * MINUTE) }))
      .toEqual(missedRuns(schedule('0 * * * *'), { earliest: TOP, now: TOP + 61 * MINUTE }));
  });
});
