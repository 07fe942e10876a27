// The memory in front of TokenReview and SubjectAccessReview: what it saves, and how
// soon it forgets (a revoked token or a removed RoleBinding must stop working soon).
import { rememberedAuthentication, rememberedAuthorization, type UserInfo } from '../../../src/web/index.js';
import { MemoBusy } from '../../../src/web/memo.js';

const user = (username: string, groups: string[] = []): UserInfo => ({ username, groups, extra: {} });
/** A JWT-shaped token whose payload says it expires at `exp` (seconds). */
const jwt = (exp: number, tag = '') => `h.${Buffer.from(JSON.stringify({ exp, tag })).toString('base64url')}.s`;

describe('authentication', () => {
  test('an accepted token is reviewed once per 10 s; a refused one once per 5 s', async () => {
    let now = 0;
    const reviews: string[] = [];
    const authenticate = rememberedAuthentication(async (token) => {
      reviews.push(token);
      return token === 'good' ? user('alice') : undefined;
    }, { now: () => now });
    for (let t = 0; t < 12_000; t += 1000) {
      now = t;
      expect(await authenticate('good')).toEqual(user('alice'));
      expect(await authenticate('bad')).toBeUndefined();
    }
    expect(reviews).toEqual(['good', 'bad', 'bad', 'good', 'bad']); // good at 0, 10 s; bad at 0, 5 s, 10 s
  });

  test('never trusted past the token\'s own expiry', async () => {
    let now = 0;
    let reviews = 0;
    const authenticate = rememberedAuthentication(async () => { reviews++; return user('alice'); }, { now: () => now });
    const token = jwt(3); // expires at 3 s
    await authenticate(token);
    now = 2999;
    await authenticate(token);
    expect(reviews).toBe(1);
    now = 3000;
    await authenticate(token);
    expect(reviews).toBe(2);
  });

  test('concurrent requests with one token share one review; a failed review is not remembered', async () => {
    let reviews = 0;
    let fail = true;
    const authenticate = rememberedAuthentication(async () => {
      reviews++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('API server unreachable');
      return user('alice');
    }, { now: () => 0 });
    await expect(Promise.all([authenticate('t'), authenticate('t')])).rejects.toThrow('unreachable');
    expect(reviews).toBe(1);
    fail = false;
    expect(await authenticate('t')).toEqual(user('alice'));
    expect(reviews).toBe(2);
  });

  test('beyond the cap of reviews in flight: busy, not queued', async () => {
    const authenticate = rememberedAuthentication(() => new Promise(() => {}), { now: () => 0, maxInFlight: 2 });
    void authenticate('a');
    void authenticate('b');
    await expect(authenticate('c')).rejects.toBeInstanceOf(MemoBusy);
  });
});

describe('authorization', () => {
  test('remembered 10 s per user and namespace; other groups are another question', async () => {
    let now = 0;
    const asked: string[] = [];
    let granted = true;
    const authorize = rememberedAuthorization(async (u, ns) => { asked.push(`${u.username}[${u.groups}]@${ns}`); return granted; }, { now: () => now });
    expect(await authorize(user('alice'), 'data')).toBe(true);
    expect(await authorize(user('alice'), 'data')).toBe(true);
    expect(await authorize(user('alice'), 'ops')).toBe(true);
    expect(await authorize(user('alice', ['admins']), 'data')).toBe(true);
    expect(asked).toEqual(['alice[]@data', 'alice[]@ops', 'alice[admins]@data']);
    granted = false; // the RoleBinding is removed
    now = 9_999;
    expect(await authorize(user('alice'), 'data')).toBe(true);
    now = 10_000;
    expect(await authorize(user('alice'), 'data')).toBe(false);
  });
});
