// Guards for the CRD (an OpenAPI `pattern` or a CEL `matches`), so that `kubectl apply`
// refuses the obviously wrong. They are shapes, not the full check: parseSchedule still
// refuses values they let through (a minute of 75, an unknown zone). They must never refuse
// what the API server accepts for a CronJob, so they follow robfig's parser, quirks included.
// Written in the syntax both RE2 (API server, CEL) and ECMAScript (zod) read: no
// lookaround, no \u escapes (GO_SPACE holds literal characters).
import { GO_SPACE } from './dialect.js';

const SPACE = `[${GO_SPACE}]`;
/** Go's strconv.Atoi as robfig meets it: '-' already split off, so an optional '+' and digits. */
const NUMBER = '\\+?[0-9]+';
/** JAN-DEC, SUN-SAT in any case. No name holds a 'Z', so none can spell "TZ". */
const NAME = '[A-Ya-z]{3}';
/**
 * robfig ignores whatever follows "*-" or "?-" up to the next ',' or '/': anything but a
 * space, and (the API server refuses it anywhere) no "TZ".
 */
const IGNORED = `([^${GO_SPACE},/T]|T+[^${GO_SPACE},/TZ])*T*`;
const VALUE = `(${NUMBER}|${NAME})`;
const ITEM = `([*?](-${IGNORED})?|${VALUE}(-${VALUE})?)(/${NUMBER})?`;
/** A comma list; robfig drops empty items, and a field of only commas parses (and never runs). */
const FIELD = `(,*${ITEM}(,+${ITEM})*,*|,+)`;
const FIVE_FIELDS = `${SPACE}*${FIELD}(${SPACE}+${FIELD}){4}${SPACE}*`;
const DESCRIPTOR = '@(yearly|annually|monthly|weekly|daily|midnight|hourly)';
/** Go's time.ParseDuration: signed, fractions, units ns us µs μs ms s m h; a bare 0. */
const GO_DURATION = '[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)';

/**
 * spec.schedule: five fields of cron characters, a descriptor, or "@every <duration>";
 * refuses a wrong number of fields, characters no field can hold, and TZ= or CRON_TZ=
 * (any "TZ", as the API server does).
 */
export const SCHEDULE_SHAPE_PATTERN = `^(${FIVE_FIELDS}|${DESCRIPTOR}|@every ${GO_DURATION})$`;

/**
 * The API server's shape for spec.timeZone, one rule per '/'-separated part: 1 to 14 of
 * letters, digits, '.', '-', '_', '+'; not "." or ".."; not starting with '-'. So "UTC",
 * "Europe/Berlin", "America/Argentina/Buenos_Aires" and "Etc/GMT+5" pass. It does not
 * refuse "Local" (parseSchedule does, as the API server does).
 */
const ZONE_CHAR = '[A-Za-z0-9._+-]';
const ZONE_PART = `([A-Za-z0-9_+]${ZONE_CHAR}{0,13}|\\.[A-Za-z0-9_+-]${ZONE_CHAR}{0,12}|\\.\\.${ZONE_CHAR}{1,12})`;
export const TIME_ZONE_PATTERN = `^${ZONE_PART}(/${ZONE_PART})*$`;
