// POST /api/v1/heartbeat: a sync pod says it is alive. The caller proves which pod it
// is with its projected service-account token (audience syncpool); only a pod of a
// syncpool run still running may speak for its task. A refused request changes
// nothing. Every replica serves this, leader or not.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { errorMessage, type Logger } from '../runtime/clock.js';
import { AuthenticatorBusy, type PodIdentity } from './auth.js';
import type { Run, RunLookup } from './runs.js';
import type { Beat } from './statusWriter.js';
import type { HeartbeatStore } from './store.js';

export const HEARTBEAT_PATH = '/api/v1/heartbeat';
const MAX_BODY_BYTES = 4096;
const RETRY_AFTER = { 'Retry-After': '5' };

// Unknown fields are ignored, not refused: a newer worker SDK talking to an older
// operator must not have every heartbeat refused (its task would be judged stale).
const bodySchema = z.object({
  progress: z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1').optional(),
  message: z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters').optional(),
}, { error: 'the body must be a JSON object' });

/**
 * How a heartbeat was answered, in classes a dashboard can tell apart: accepted (200),
 * unauthenticated (401), not_a_run (403: a pod that is not a syncpool run), run_finished
 * (403: its attempt finished or its pod is terminating), invalid_body (400, 413),
 * unavailable (503: the API server could not be asked), error (500).
 */
export type HeartbeatResult = 'accepted' | 'unauthenticated' | 'not_a_run' | 'run_finished' | 'invalid_body' | 'unavailable' | 'error';

export interface ReceiverOptions {
  authenticator: { authenticate(token: string): Promise<PodIdentity | undefined> };
  runs: { runOf(namespace: string, podName: string, podUid: string): Promise<RunLookup> };
  store: Pick<HeartbeatStore, 'record'>;
  statusWriter: { offer(run: Run, beat: Beat): void };
  /** Milliseconds since the epoch: the receive time is what staleness is judged by. */
  now: () => number;
  log: Logger;
  /** Metrics hook: told how each heartbeat was answered. */
  onResult?: (result: HeartbeatResult) => void;
}

/** A request answered with an error; nothing was recorded. */
class Refusal extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}, readonly reason?: string) {
    super(message);
  }
}

export function heartbeatRouter(o: ReceiverOptions): express.Router {
  const router = express.Router();
  // Any content type is read as JSON (curl -d sends a form type); no body means {}.
  const json = express.json({ limit: MAX_BODY_BYTES, type: () => true });

  router.post(HEARTBEAT_PATH, async (req, res) => {
    try {
      // 1. Who is calling: the API server decides (TokenReview), before the body is read.
      const token = bearerToken(req);
      if (!token) throw unauthorized('a bearer token is required: the pod\'s projected service-account token (audience syncpool)');
      const pod = await o.authenticator.authenticate(token).catch((err: unknown) => {
        if (err instanceof AuthenticatorBusy) throw new Refusal(503, 'too many heartbeats being checked at once; retry later', RETRY_AFTER);
        o.log.warn('token review failed; heartbeat not accepted', { error: errorMessage(err) });
        throw new Refusal(503, 'cannot check the token now (TokenReview failed); retry later', RETRY_AFTER);
      });
      if (!pod) {
        throw unauthorized('the token is not accepted: it must be a valid pod-bound service-account token with audience syncpool',
          'invalid_token');
      }
      // 2. What it says.
      const body = await readBody(req, res, json);
      // 3. Which run it is, if it still runs.
      const found = await o.runs.runOf(pod.namespace, pod.podName, pod.podUid).catch((err: unknown) => {
        o.log.warn('pod lookup failed; heartbeat not accepted', { namespace: pod.namespace, pod: pod.podName, error: errorMessage(err) });
        throw new Refusal(503, 'cannot look up the calling pod now; retry later', RETRY_AFTER);
      });
      if (!found.ok) {
        o.log.info('heartbeat refused', { namespace: pod.namespace, pod: pod.podName, reason: found.reason });
        throw new Refusal(403, found.message, {}, found.reason);
      }
      // 4. Record it: the store first, it is what staleness is judged by; the status shows it.
      const { run } = found;
      const atMs = o.now();
      await o.store.record(run.jobUid, atMs);
      o.statusWriter.offer(run, { atMs, progress: body.progress, message: body.message });
      o.log.debug('heartbeat received', { namespace: run.namespace, task: run.task, attempt: run.attempt });
      res.status(200).json({ task: `${run.namespace}/${run.task}`, attempt: run.attempt });
      o.onResult?.('accepted');
    } catch (err) {
      if (err instanceof Refusal) {
        res.status(err.status).set(err.headers).json(err.reason ? { error: err.message, reason: err.reason } : { error: err.message });
        o.onResult?.(resultOf(err));
        return;
      }
      o.log.error('heartbeat failed', { error: errorMessage(err) });
      res.status(500).json({ error: 'internal error' });
      o.onResult?.('error');
    }
  });
  return router;
}

function resultOf(refusal: Refusal): HeartbeatResult {
  switch (refusal.status) {
    case 401: return 'unauthenticated';
    case 403: return refusal.reason === 'Finished' || refusal.reason === 'Terminating' ? 'run_finished' : 'not_a_run';
    case 503: return 'unavailable';
    default: return 'invalid_body';
  }
}

function unauthorized(message: string, error?: string): Refusal {
  return new Refusal(401, message, { 'WWW-Authenticate': error ? `Bearer realm="syncpool", error="${error}"` : 'Bearer realm="syncpool"' });
}

function bearerToken(req: Request): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1];
}

async function readBody(req: Request, res: Response, json: express.RequestHandler): Promise<z.infer<typeof bodySchema>> {
  try {
    await new Promise<void>((resolve, reject) => {
      void json(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new Refusal(413, `the body must be at most ${MAX_BODY_BYTES} bytes`);
    throw new Refusal(400, 'the body must be a JSON object: {"progress": 0..1, "message": "..."}, both optional');
  }
  const parsed = bodySchema.safeParse(req.body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Refusal(400, issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}
