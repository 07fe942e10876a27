// Who is asking and what they may see, with a short memory. The page polls every second;
// without one that is a TokenReview and a SubjectAccessReview per namespace each second
// per open page. The memory is short because it delays revocation: a token is trusted
// for 10 s (never past its own expiry), a refused one remembered for 5 s, and a
// permission for 10 s, so a RoleBinding removed stops showing its namespace within 10 s.
// Tokens are keyed by their sha256: the raw token is never kept or logged.
import { createHash } from 'node:crypto';
import { tokenExpiryMs } from '../heartbeat/auth.js';
import type { UserInfo } from '../kube/accessReview.js';
import { Memo } from './memo.js';

export type { UserInfo };

/** The token's user, or undefined if the API server refuses it; throws when it cannot answer. */
export type Authenticate = (token: string) => Promise<UserInfo | undefined>;

/** May this user see this namespace's pools (list its synctasks)? Throws when it cannot be asked. */
export type Authorize = (user: UserInfo, namespace: string) => Promise<boolean>;

export interface MemoryOptions {
  now: () => number;
  /** How long an answer is kept; defaults in the file comment. */
  acceptedTtlMs?: number;
  refusedTtlMs?: number;
  maxEntries?: number;
  maxInFlight?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function rememberedAuthentication(review: Authenticate, o: MemoryOptions): Authenticate {
  const memo = new Memo<UserInfo | undefined>(o);
  const accepted = o.acceptedTtlMs ?? 10_000;
  const refused = o.refusedTtlMs ?? 5_000;
  return (token) => memo.get(sha256(token), () => review(token),
    // The expiry read from the token is an unverified hint, so it may only shorten the memory.
    (user, now) => Math.min(now + (user ? accepted : refused), tokenExpiryMs(token) ?? Infinity));
}

export function rememberedAuthorization(review: Authorize, o: MemoryOptions): Authorize {
  const memo = new Memo<boolean>(o);
  const allowed = o.acceptedTtlMs ?? 10_000;
  const denied = o.refusedTtlMs ?? allowed;
  return (user, namespace) => {
    // The whole identity, not the name alone: the same name with other groups may be allowed other things.
    const key = sha256(JSON.stringify([user.username, user.uid ?? '', [...user.groups].sort(), sortedExtra(user.extra), namespace]));
    return memo.get(key, () => review(user, namespace), (ok, now) => now + (ok ? allowed : denied));
  };
}

function sortedExtra(extra: Record<string, string[]>): [string, string[]][] {
  return Object.keys(extra).sort().map((k) => [k, [...(extra[k] ?? [])].sort()]);
}
