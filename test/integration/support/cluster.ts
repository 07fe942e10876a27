// What every integration test needs: clients for the shared control plane and a
// namespace of its own, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { apiStatus, isNotFound, type KubeClients, loadKubeConfig, makeClients } from '../../../src/kube/client.js';

export function testClients(): KubeClients {
  const file = process.env.SYNCPOOL_TEST_KUBECONFIG;
  if (!file) throw new Error('SYNCPOOL_TEST_KUBECONFIG is unset: integration tests must run through jest\'s global setup');
  return makeClients(loadKubeConfig(file));
}

export async function createTestNamespace(kube: KubeClients, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kube.core.createNamespace({ body: { metadata: { name, labels: { 'syncpool.dev/test': 'true', ...labels } } } });
  return name;
}

export async function deleteNamespace(kube: KubeClients, name: string): Promise<void> {
  await kube.core.deleteNamespace({ name }).catch(() => undefined);
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `read` until the API answers 404 (deleted); any other error keeps polling. */
export function eventuallyGone(what: string, read: () => Promise<unknown>, opts?: { timeoutMs?: number; intervalMs?: number }): Promise<true> {
  return eventually(`${what} gone`, () => read().then(() => undefined, (err) => {
    if (isNotFound(err)) return true as const;
    throw err;
  }), opts);
}

/** The HTTP status and the API server's message of a request expected to fail. */
export async function failure(request: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await request;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const status = typeof body === 'string' ? JSON.parse(body) as { message: string } : body as { message: string };
    return { code: apiStatus(err), message: status.message };
  }
  throw new Error('the request succeeded');
}
