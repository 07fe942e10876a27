// spec.timeZone as the API server checks a CronJob's (validateTimeZone): not empty, each
// '/'-separated part shaped like a tz database file name, not "Local" in any case, and a
// name time.LoadLocation finds.
import { IANA_TIME_ZONES } from './zones.js';

const EXAMPLE = 'such as "Europe/Berlin" or "UTC"';
// Letters, digits, '.', '-', '_', '+'; 1 to 14 of them; not '.' or '..'; not starting with '-'.
const PART = /^(?!\.{1,2}$)(?!-)[A-Za-z0-9._+-]{1,14}$/;

let byLowerCase: Map<string, string> | undefined;

/** Why `name` is not a time zone the API server accepts, or undefined if it is one. */
export function timeZoneProblem(name: string): string | undefined {
  if (name === '') return `timeZone is empty; leave it out for UTC, or name an IANA time zone ${EXAMPLE}`;
  const quoted = JSON.stringify(name);
  const unknown = `timeZone ${quoted} is not an IANA time zone name`;
  if (!name.split('/').every((part) => PART.test(part))) return unknown;
  if (name.toLowerCase() === 'local') return `timeZone ${quoted} is not allowed: name an explicit IANA time zone ${EXAMPLE}`;
  if (IANA_TIME_ZONES.has(name)) return undefined;
  byLowerCase ??= new Map([...IANA_TIME_ZONES].map((zone) => [zone.toLowerCase(), zone]));
  const meant = byLowerCase.get(name.toLowerCase());
  return meant ? `${unknown}; did you mean ${JSON.stringify(meant)}? (names are case-sensitive)` : unknown;
}
