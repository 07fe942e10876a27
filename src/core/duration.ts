// Durations as Kubernetes specs write them ("30m", "1h30m", "500ms"): the Go
// time.ParseDuration syntax restricted to the units a sync timeout or backoff needs.
// Days are refused on purpose: Go has no "d", and a spec that validates here must mean
// the same thing to every other Kubernetes tool that reads it.

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;

const COMPONENT = '[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h)';

/**
 * Anchored pattern for a CRD's `pattern`. Kept to syntax both ECMAScript and the API
 * server's RE2 accept (no lookaround). It cannot bound size, so a value too large for a
 * safe integer of milliseconds passes the pattern and is still refused by parseDuration.
 */
export const DURATION_PATTERN = `^(?:${COMPONENT})+$`;

const WHOLE = new RegExp(DURATION_PATTERN);
const PARTS = /([0-9.]+)(ms|s|m|h)/g;
const EXAMPLE = 'use a number followed by ms, s, m or h, e.g. "30m" or "1h30m"';

/** Milliseconds, rounded to a whole number ("1.5ms" is 2). */
export function parseDuration(text: string): number {
  if (!WHOLE.test(text)) throw invalid(text, problemWith(text));
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PARTS)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw invalid(text, 'is too large');
  return ms;
}

/** Canonical short form: largest units first, zero parts left out ("1h30m", "0s"). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`cannot format duration ${ms}: expected a finite number of milliseconds >= 0`);
  }
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    rest -= amount * UNIT_MS[unit];
    if (amount > 0) out += `${amount}${unit}`;
  }
  return out === '' ? '0s' : out;
}

function invalid(text: string, problem: string): Error {
  return new Error(`invalid duration ${JSON.stringify(text)}: ${problem}; ${EXAMPLE}`);
}

/** The most specific explanation we can give for text the pattern refused. */
function problemWith(text: string): string {
  if (text.trim() === '') return 'is empty';
  if (text.trimStart().startsWith('-')) return 'must not be negative';
  const unknown = /[0-9]([a-zA-Zµμ]+)/g;
  for (const [, unit = ''] of text.matchAll(unknown)) {
    if (!Object.hasOwn(UNIT_MS, unit)) return `has unknown unit ${JSON.stringify(unit)}`;
  }
  if (/[0-9]$/.test(text)) return 'is missing a unit';
  return 'is not a duration';
}
