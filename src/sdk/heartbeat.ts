// For sync workers: tell the operator the sync is alive, optionally how far it got.
// Send one at least every staleAfter/3 of the pool (default 30m, so every 10 min), or
// run startHeartbeats() beside the work. The URL and the token file come from the
// worker contract (SYNCPOOL_HEARTBEAT_URL, SYNCPOOL_TOKEN_FILE); the token file is read
// on every call because the kubelet rotates it.
import { readFile } from 'node:fs/promises';

export interface HeartbeatReport {
  /** 0 to 1. */
  progress?: number;
  /** At most 1024 characters; shown on the SyncTask as status.progressMessage. */
  message?: string;
}

export interface HeartbeatOptions {
  /** Default: SYNCPOOL_HEARTBEAT_URL. */
  url?: string;
  /** Default: SYNCPOOL_TOKEN_FILE. */
  tokenFile?: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Where the defaults are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What the operator answered: whose heartbeat it counted. */
export interface HeartbeatAck {
  task: string;
  attempt: number;
}

export class HeartbeatError extends Error {
  override readonly name = 'HeartbeatError';
  /** The HTTP status, when the operator answered. */
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

export async function heartbeat(report: HeartbeatReport = {}, opts: HeartbeatOptions = {}): Promise<HeartbeatAck> {
  const env = opts.env ?? process.env;
  const url = opts.url ?? env.SYNCPOOL_HEARTBEAT_URL;
  const tokenFile = opts.tokenFile ?? env.SYNCPOOL_TOKEN_FILE;
  if (!url) throw new HeartbeatError('SYNCPOOL_HEARTBEAT_URL is not set: heartbeats work inside a syncpool sync pod');
  if (!tokenFile) throw new HeartbeatError('SYNCPOOL_TOKEN_FILE is not set: heartbeats work inside a syncpool sync pod');
  let token: string;
  try {
    token = (await readFile(tokenFile, 'utf8')).trim();
  } catch (err) {
    throw new HeartbeatError(`cannot read the token file ${tokenFile}: ${(err as Error).message}`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs ?? 10_000} ms` : causeOf(err);
    throw new HeartbeatError(`heartbeat to ${url} failed: ${why}`);
  }
  const text = await res.text();
  const body = parse(text);
  if (!res.ok) {
    const said = typeof body?.error === 'string' ? body.error : text.slice(0, 200) || res.statusText;
    throw new HeartbeatError(`heartbeat refused (HTTP ${res.status}): ${said}`, res.status);
  }
  return { task: String(body?.task ?? ''), attempt: Number(body?.attempt ?? 0) };
}

/**
 * Sends a heartbeat now and then every `intervalMs` until the returned function is
 * called; `report` supplies the progress of the moment. Failures go to `onError` (the
 * next beat retries) and never stop the work. The timers do not keep the process alive.
 */
export function startHeartbeats(
  intervalMs: number,
  report: () => HeartbeatReport | Promise<HeartbeatReport> = () => ({}),
  opts: HeartbeatOptions & { onError?: (err: unknown) => void } = {},
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const beat = async () => {
    try {
      await heartbeat(await report(), opts);
    } catch (err) {
      opts.onError?.(err);
    }
    // The next one is timed from the end of this one, so slow answers never pile up.
    if (!stopped) timer = setTimeout(() => void beat(), intervalMs).unref();
  };
  void beat();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** fetch() hides the reason (ECONNREFUSED, ENOTFOUND) in err.cause. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
