// One copy of each repeated string in the informers' caches. JSON.parse gives every
// string of every watch event its own copy, so 10,000 queued tasks and their Jobs held
// the same namespace, pool, labels, condition reasons and messages and timestamps
// thousands of times over. Strings are values in JavaScript: putting an equal string in
// a field's place changes nothing any reader can see, only how much memory it takes.

/** Strings that are almost never repeated (uids, resourceVersions): not worth a slot. */
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIGITS = /^\d+$/;

/**
 * A bounded pool of strings: when full it starts again, so unique strings (task names,
 * say) cost at most `capacity` entries and a repeated one is shared by every object
 * parsed between two restarts: tens of copies of it instead of thousands.
 */
export class StringPool {
  private readonly seen = new Map<string, string>();

  constructor(private readonly capacity = 8192, private readonly maxLength = 128) {}

  intern(s: string): string {
    if (s.length > this.maxLength || UID.test(s) || DIGITS.test(s)) return s;
    const shared = this.seen.get(s);
    if (shared !== undefined) return shared;
    if (this.seen.size >= this.capacity) this.seen.clear();
    this.seen.set(s, s);
    return s;
  }

  /** Swaps, in place, every string of a parsed object (and its arrays and objects) for the pool's copy; returns it. */
  internAll<T>(value: T): T {
    if (value === null || typeof value !== 'object' || value instanceof Date || Object.isFrozen(value)) return value;
    const obj = value as Record<string | number, unknown>;
    for (const key of Array.isArray(value) ? value.keys() : Object.keys(obj)) {
      const v = obj[key];
      if (typeof v === 'string') {
        const shared = this.intern(v);
        if (shared !== v) obj[key] = shared;
      } else if (typeof v === 'object') {
        this.internAll(v);
      }
    }
    return value;
  }

  /** Strings held now (for tests). */
  get size(): number {
    return this.seen.size;
  }
}
