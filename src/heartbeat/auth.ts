// Bearer tokens checked by the API server (TokenReview), with a memory: N runs beating
// every 10 s must not cost N/10 TokenReviews a second (at 1,000 runs that was more than
// the operator and the API server could answer, and the leader's lease renewals queued
// behind them). An accepted token is trusted for 5 minutes, never past its own expiry:
// what a review adds to that is revocation, and a bound token is revoked when its pod is
// deleted, which the run directory sees on every heartbeat anyway. A refused one is
// remembered for 10 s. Keyed by the token's sha256: the raw token is never kept or logged.
// Reviews in flight are capped: beyond the cap a heartbeat is answered 503 (retry later)
// instead of queueing without bound.
import { createHash } from 'node:crypto';
import type { PodIdentity } from '../kube/tokenReview.js';

export type { PodIdentity };

/** Asks the API server; undefined = not accepted; throws when it cannot answer. */
export type ReviewFn = (token: string) => Promise<PodIdentity | undefined>;

export interface AuthenticatorOptions {
  /** Milliseconds since the epoch (token expiry is compared with it). */
  now: () => number;
  /** How long an acceptance is trusted; default 5 min (see above). */
  ttlMs?: number;
  /** How long a refusal is remembered; default 10 s. */
  refusedTtlMs?: number;
  /** Reviews in flight at most; default 64. */
  maxInFlight?: number;
  /** Default 10 000; beyond it the oldest entries go. */
  maxEntries?: number;
}

interface Entry {
  identity: PodIdentity | undefined;
  expiresAtMs: number;
}

export class TokenAuthenticator {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<PodIdentity | undefined>>();
  private readonly ttlMs: number;
  private readonly refusedTtlMs: number;
  private readonly maxEntries: number;
  private readonly maxInFlight: number;

  constructor(private readonly review: ReviewFn, private readonly o: AuthenticatorOptions) {
    this.ttlMs = o.ttlMs ?? 300_000;
    this.refusedTtlMs = o.refusedTtlMs ?? 10_000;
    this.maxEntries = o.maxEntries ?? 10_000;
    this.maxInFlight = o.maxInFlight ?? 64;
  }

  /** The token's pod, or undefined if the API server does not accept it. Throws if the review fails. */
  authenticate(token: string): Promise<PodIdentity | undefined> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAtMs > this.o.now()) return Promise.resolve(cached.identity);
    if (cached) this.cache.delete(key);
    // Concurrent requests with one token share one review.
    let pending = this.inFlight.get(key);
    if (!pending && this.inFlight.size >= this.maxInFlight) return Promise.reject(new AuthenticatorBusy(this.inFlight.size));
    if (!pending) {
      pending = this.reviewAndRemember(key, token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** How many answers are held; for tests and a gauge. */
  size(): number {
    return this.cache.size;
  }

  private async reviewAndRemember(key: string, token: string): Promise<PodIdentity | undefined> {
    const identity = await this.review(token); // a failed review is not an answer: nothing cached
    const now = this.o.now();
    // Never trust an answer past the token's own expiry (an unverified hint, only ever
    // used to shorten the cache life, so a forged claim cannot lengthen it).
    const expiresAtMs = Math.min(now + (identity ? this.ttlMs : this.refusedTtlMs), tokenExpiryMs(token) ?? Infinity);
    if (expiresAtMs > now) {
      this.cache.delete(key);
      this.cache.set(key, { identity, expiresAtMs });
      // A Map iterates in insertion order: the first key is the oldest answer.
      while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return identity;
  }
}

/** Too many reviews in flight: answer "retry later" rather than queue. */
export class AuthenticatorBusy extends Error {
  constructor(inFlight: number) {
    super(`${inFlight} token reviews in flight`);
    this.name = 'AuthenticatorBusy';
  }
}

/** The `exp` claim of a JWT, in ms; undefined if the token is not a readable JWT. */
export function tokenExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
