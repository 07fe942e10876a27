import { AuthenticatorBusy, TokenAuthenticator } from '../../../src/heartbeat/auth.js';
import type { PodIdentity } from '../../../src/kube/tokenReview.js';

const pod = (name: string): PodIdentity => ({ namespace: 'crm', serviceAccount: 'default', podName: name, podUid: `uid-${name}` });

/** A JWT-shaped token (the signature is the API server's business, not ours). */
const jwt = (claims: object, tag = 'sig') => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${tag}`;

/** The API server's side: answers from a table, counting questions; `hold` makes it wait. */
class FakeReviews {
  readonly asked: string[] = [];
  answers = new Map<string, PodIdentity | undefined>();
  failing = false;
  private held: (() => void)[] = [];
  hold = false;

  readonly review = async (token: string) => {
    this.asked.push(token);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failing) throw new Error('connect ECONNREFUSED');
    return this.answers.get(token);
  };

  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

let time: number;
let reviews: FakeReviews;
const now = () => time;
const make = (o: { ttlMs?: number; maxEntries?: number } = {}) => new TokenAuthenticator(reviews.review, { now, ...o });

beforeEach(() => {
  time = 1_700_000_000_000;
  reviews = new FakeReviews();
});

test('an accepted token is trusted for the TTL without asking again, then asked again', async () => {
  reviews.answers.set('t1', pod('a'));
  const auth = make({ ttlMs: 10_000 });
  expect(await auth.authenticate('t1')).toEqual(pod('a'));
  time += 9_999;
  expect(await auth.authenticate('t1')).toEqual(pod('a'));
  expect(reviews.asked).toHaveLength(1);
  time += 1;
  reviews.answers.delete('t1'); // the pod was deleted meanwhile: its token is refused now
  expect(await auth.authenticate('t1')).toBeUndefined();
  expect(reviews.asked).toHaveLength(2);
});

test('a refused token is remembered as refused for the TTL too', async () => {
  const auth = make({ ttlMs: 10_000 });
  expect(await auth.authenticate('forged')).toBeUndefined();
  time += 5_000;
  expect(await auth.authenticate('forged')).toBeUndefined();
  expect(reviews.asked).toEqual(['forged']);
  time += 5_000;
  await auth.authenticate('forged');
  expect(reviews.asked).toHaveLength(2);
});

test('an answer is never trusted past the token\'s own expiry', async () => {
  const token = jwt({ exp: (time + 3_000) / 1000 });
  reviews.answers.set(token, pod('a'));
  const auth = make({ ttlMs: 10_000 });
  await auth.authenticate(token);
  time += 2_999;
  await auth.authenticate(token);
  expect(reviews.asked).toHaveLength(1);
  time += 1;
  await auth.authenticate(token);
  expect(reviews.asked).toHaveLength(2);
});

test('an already expired token is not cached at all', async () => {
  const token = jwt({ exp: (time - 1_000) / 1000 });
  const auth = make();
  await auth.authenticate(token);
  await auth.authenticate(token);
  expect(reviews.asked).toHaveLength(2);
  expect(auth.size()).toBe(0);
});

test('a failed review is no answer: it reaches the caller and is not cached', async () => {
  reviews.answers.set('t1', pod('a'));
  reviews.failing = true;
  const auth = make();
  await expect(auth.authenticate('t1')).rejects.toThrow('ECONNREFUSED');
  reviews.failing = false;
  expect(await auth.authenticate('t1')).toEqual(pod('a'));
  expect(reviews.asked).toHaveLength(2);
});

test('concurrent requests with one token share one review; other tokens get their own', async () => {
  reviews.answers.set('t1', pod('a'));
  reviews.answers.set('t2', pod('b'));
  reviews.hold = true;
  const auth = make();
  const answers = Promise.all([auth.authenticate('t1'), auth.authenticate('t1'), auth.authenticate('t1'), auth.authenticate('t2')]);
  await new Promise((r) => setImmediate(r));
  reviews.release();
  expect(await answers).toEqual([pod('a'), pod('a'), pod('a'), pod('b')]);
  expect(reviews.asked).toEqual(['t1', 't2']);
});

test('concurrent requests share a failure too, and the next request asks afresh', async () => {
  reviews.hold = true;
  reviews.failing = true;
  const auth = make();
  const both = Promise.allSettled([auth.authenticate('t1'), auth.authenticate('t1')]);
  await new Promise((r) => setImmediate(r));
  reviews.release();
  expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  reviews.hold = false;
  reviews.failing = false;
  await auth.authenticate('t1');
  expect(reviews.asked).toHaveLength(2);
});

test('the cache is bounded: beyond maxEntries the oldest answers go first', async () => {
  const auth = make({ maxEntries: 3 });
  for (const t of ['t1', 't2', 't3', 't4']) await auth.authenticate(t);
  expect(auth.size()).toBe(3);
  await auth.authenticate('t4');
  await auth.authenticate('t2');
  expect(reviews.asked).toEqual(['t1', 't2', 't3', 't4']); // t2..t4 still held
  await auth.authenticate('t1');
  expect(reviews.asked).toHaveLength(5); // t1 was evicted
});

test('the raw token is not kept', async () => {
  const token = jwt({ exp: (time + 600_000) / 1000 }, 'secret-signature');
  reviews.answers.set(token, pod('a'));
  const auth = make();
  await auth.authenticate(token);
  const held = JSON.stringify([...auth['cache'].entries()]);
  expect(held).not.toContain('secret-signature');
  expect(held).not.toContain(token.split('.')[1]);
});

test('by default an acceptance is trusted for 5 minutes and a refusal for 10 seconds', async () => {
  reviews.answers.set('good', pod('a'));
  const auth = make();
  await auth.authenticate('good');
  await auth.authenticate('bad');
  time += 10_000;
  await auth.authenticate('good');
  await auth.authenticate('bad');
  expect(reviews.asked).toEqual(['good', 'bad', 'bad']);
  time += 290_000;
  await auth.authenticate('good');
  expect(reviews.asked).toEqual(['good', 'bad', 'bad', 'good']);
});

test('beyond the in-flight cap a new token is turned away at once, not queued; known ones still answer', async () => {
  reviews.answers.set('known', pod('k'));
  const auth = new TokenAuthenticator(reviews.review, { now, maxInFlight: 2 });
  await auth.authenticate('known');
  const hold = new Promise<undefined>(() => {});
  const slow = new TokenAuthenticator(() => hold, { now, maxInFlight: 2 });
  void slow.authenticate('a');
  void slow.authenticate('b');
  await expect(slow.authenticate('c')).rejects.toBeInstanceOf(AuthenticatorBusy);
  expect(slow.authenticate('a')).toBeInstanceOf(Promise); // the same token joins its review
  expect(await auth.authenticate('known')).toEqual(pod('k'));
});
