import { isDeepStrictEqual } from 'node:util';

/**
 * Equal as the API server stores them: it returns object keys sorted (Go maps) and
 * drops undefined fields, so neither key order nor undefined may count as a change,
 * or every reconcile would send a no-op status patch.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  const stored = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as unknown;
  return isDeepStrictEqual(stored(a), stored(b));
}
