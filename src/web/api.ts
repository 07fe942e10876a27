// The status page's JSON API, read-only, served by every replica from its caches:
//
//   GET /api/v1/pools                               every pool the caller may see
//   GET /api/v1/namespaces/:namespace/pools         the pools of one namespace
//   GET /api/v1/namespaces/:namespace/pools/:name   one pool, with its whole queue
//
// Whoever calls proves who they are with a bearer token the API server accepts
// (TokenReview) and sees a namespace only if they may list its synctasks
// (SubjectAccessReview): the same people `kubectl get synctasks` shows them to.
//   401  no token, or one the API server refuses
//   403  authenticated, but allowed in no namespace with pools (or not in the one asked for)
//   404  no such pool (asked only once the namespace is allowed, so nobody learns
//        what a namespace holds without the right to see it)
//   503  caches still syncing, or the API server cannot be asked now
// Task parameters are never part of an answer: the read models do not carry them.
import express, { type Request, type Response } from 'express';
import type { Logger } from '../runtime/clock.js';
import { errorMessage } from '../runtime/clock.js';
import type { ClusterState } from '../views/index.js';
import type { Authenticate, Authorize, UserInfo } from './auth.js';
import { MemoBusy } from './memo.js';
import { namespacesWithPools, reportPools } from './model.js';

export interface StatusApiOptions {
  /** What the caches hold; undefined while they have not listed yet. */
  state: () => ClusterState | undefined;
  authenticate: Authenticate;
  authorize: Authorize;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: Logger;
  /**
   * The namespace the operator watches (undefined: all). When no namespace holds a pool,
   * permission is asked for it (or for all namespaces), so an empty cluster answers
   * "no pools" to those who could see them and 403 to the rest.
   */
  scope?: string;
}

/** How many queued runs each pool lists in the pools index, unless `?queue=N` says otherwise. */
export const DEFAULT_QUEUE_LIMIT = 50;
const MAX_QUEUE_LIMIT = 1000;
const RETRY_AFTER = { 'Retry-After': '2' };

class Refusal extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const unauthorized = (message: string) => new Refusal(401, message, { 'WWW-Authenticate': 'Bearer realm="syncpool"' });

export function statusApiRouter(o: StatusApiOptions): express.Router {
  const router = express.Router();

  const answer = (handler: (req: Request) => Promise<object>) => async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    try {
      res.status(200).json(await handler(req));
    } catch (err) {
      if (err instanceof Refusal) {
        res.status(err.status).set(err.headers).json({ error: err.message });
        return;
      }
      o.log.error('status API request failed', { path: req.path, error: errorMessage(err) });
      res.status(500).json({ error: 'internal error' });
    }
  };

  router.get('/api/v1/pools', answer(async (req) => {
    const user = await authenticate(req);
    const state = synced();
    const present = namespacesWithPools(state);
    const candidates = present.length > 0 ? present : [o.scope ?? ''];
    const allowed = await allowedNamespaces(user, candidates);
    if (allowed.length === 0) {
      throw new Refusal(403, `${user.username} may not list synctasks in any namespace that has pools`);
    }
    const pools = reportPools(state, { namespaces: new Set(allowed), nowMs: o.now(), queueLimit: queueLimit(req) });
    return { generatedAt: iso(o.now()), viewer: user.username, pools };
  }));

  router.get('/api/v1/namespaces/:namespace/pools', answer(async (req) => {
    const { user, namespace } = await authorizedFor(req);
    const pools = reportPools(synced(), { namespaces: new Set([namespace]), nowMs: o.now(), queueLimit: queueLimit(req) });
    return { generatedAt: iso(o.now()), viewer: user.username, pools };
  }));

  router.get('/api/v1/namespaces/:namespace/pools/:name', answer(async (req) => {
    const { user, namespace } = await authorizedFor(req);
    const name = String(req.params.name);
    const pool = reportPools(synced(), { namespaces: new Set([namespace]), nowMs: o.now() }).find((p) => p.name === name);
    if (!pool) throw new Refusal(404, `no WorkerPool ${namespace}/${name}`);
    return { generatedAt: iso(o.now()), viewer: user.username, pool };
  }));

  async function authenticate(req: Request): Promise<UserInfo> {
    const token = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw unauthorized('a bearer token is required (e.g. from `kubectl create token`)');
    const user = await o.authenticate(token).catch((err: unknown) => {
      throw unavailable(err, 'cannot check the token now (TokenReview failed); retry later');
    });
    if (!user) throw unauthorized('the token is not accepted by the API server');
    return user;
  }

  async function authorizedFor(req: Request): Promise<{ user: UserInfo; namespace: string }> {
    const user = await authenticate(req);
    const namespace = String(req.params.namespace);
    if ((await allowedNamespaces(user, [namespace])).length === 0) {
      throw new Refusal(403, `${user.username} may not list synctasks in namespace ${namespace}`);
    }
    return { user, namespace };
  }

  async function allowedNamespaces(user: UserInfo, namespaces: string[]): Promise<string[]> {
    const verdicts = await Promise.all(namespaces.map((ns) => o.authorize(user, ns).catch((err: unknown) => {
      throw unavailable(err, 'cannot check permissions now (SubjectAccessReview failed); retry later');
    })));
    return namespaces.filter((_, i) => verdicts[i]);
  }

  function synced(): ClusterState {
    const state = o.state();
    if (!state) throw new Refusal(503, 'the operator is still listing the cluster; retry in a moment', RETRY_AFTER);
    return state;
  }

  function unavailable(err: unknown, message: string): Refusal {
    if (!(err instanceof MemoBusy)) o.log.warn(message, { error: errorMessage(err) });
    return new Refusal(503, err instanceof MemoBusy ? 'too many requests being checked at once; retry later' : message, RETRY_AFTER);
  }

  return router;
}

function queueLimit(req: Request): number {
  const asked = Number(req.query.queue);
  return typeof req.query.queue === 'string' && Number.isInteger(asked) && asked >= 0 ? Math.min(asked, MAX_QUEUE_LIMIT) : DEFAULT_QUEUE_LIMIT;
}

const iso = (ms: number) => new Date(ms).toISOString();
