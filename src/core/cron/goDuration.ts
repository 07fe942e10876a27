// Go's time.ParseDuration, which reads the duration of "@every <duration>". Kubernetes
// accepts whatever Go does, signs, fractions and microseconds included, so this follows
// Go's rules rather than src/core/duration.ts (which is stricter on purpose).

const NS_PER_UNIT = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 MICRO SIGN
  ['μs', 1_000n], // U+03BC GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_NS = 2n ** 63n - 1n;
const UNITS = 'use h, m, s, ms, us or ns, e.g. "1h30m"';

export type GoDuration = { ok: true; ns: bigint } | { ok: false; problem: string };

/** Nanoseconds, negative allowed, within Go's int64 as Go requires. */
export function parseGoDuration(text: string): GoDuration {
  const quoted = JSON.stringify(text);
  let rest = text;
  const negative = rest.startsWith('-');
  if (negative || rest.startsWith('+')) rest = rest.slice(1);
  // A bare zero is the only number Go accepts without a unit.
  if (rest === '0') return { ok: true, ns: 0n };
  if (rest === '') return { ok: false, problem: `duration ${quoted} is empty; ${UNITS}` };

  let total = 0n;
  while (rest !== '') {
    const part = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    const [matched = '', whole = '', fraction] = part ?? [];
    if (whole === '' && !fraction) return { ok: false, problem: `${quoted} is not a duration; ${UNITS}` };
    rest = rest.slice(matched.length);
    // Go takes every character up to the next digit or '.' as the unit.
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    rest = rest.slice(unit.length);
    if (unit === '') return { ok: false, problem: `duration ${quoted} is missing a unit; ${UNITS}` };
    const perUnit = NS_PER_UNIT.get(unit);
    if (perUnit === undefined) return { ok: false, problem: `duration ${quoted} has unknown unit ${JSON.stringify(unit)}; ${UNITS}` };
    total += BigInt(whole || '0') * perUnit + fractionNs(fraction ?? '', perUnit);
    if (total > MAX_NS + 1n) return { ok: false, problem: `duration ${quoted} is too long` };
  }
  if (!negative && total > MAX_NS) return { ok: false, problem: `duration ${quoted} is too long` };
  return { ok: true, ns: negative ? -total : total };
}

/** Go scales the fraction in floating point and truncates; so do we, to land on the same nanosecond. */
function fractionNs(digits: string, perUnit: bigint): bigint {
  // Go stops accumulating digits once they would overflow and keeps only the scale.
  let value = 0n;
  let scale = 1;
  for (const digit of digits) {
    if (value > MAX_NS / 10n) break;
    const next = value * 10n + BigInt(digit);
    if (next > MAX_NS + 1n) break;
    value = next;
    scale *= 10;
  }
  if (value === 0n) return 0n;
  return BigInt(Math.trunc(Number(value) * (Number(perUnit) / scale)));
}
