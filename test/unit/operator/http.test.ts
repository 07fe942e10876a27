import type { Server } from 'node:http';
import express from 'express';
import { createApp, type Health, listen } from '../../../src/operator/http.js';

let server: Server | undefined;

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(health: Health, routers: express.Router[] = []): Promise<string> {
  server = await listen(createApp(health, routers), '127.0.0.1', 0);
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const get = async (url: string) => {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
};

test('readiness reports a degraded store but does not fail for it', async () => {
  let degraded: string | undefined = 'heartbeats in memory: Redis unreachable';
  const base = await serve({ live: () => true, ready: () => ({ ok: true, detail: 'standby' }), degraded: () => degraded });
  expect(await get(`${base}/readyz`)).toBe('200 standby; degraded: heartbeats in memory: Redis unreachable');
  degraded = undefined;
  expect(await get(`${base}/readyz`)).toBe('200 standby');
});

test('readiness still fails for its own reasons', async () => {
  const base = await serve({ live: () => true, ready: () => ({ ok: false, detail: 'leader, syncing caches' }) });
  expect(await get(`${base}/readyz`)).toBe('503 leader, syncing caches');
});

test('routers handed in are served beside health', async () => {
  const router = express.Router();
  router.get('/api/v1/ping', (_req, res) => { res.json({ pong: true }); });
  const base = await serve({ live: () => true, ready: () => ({ ok: true, detail: 'standby' }) }, [router]);
  expect(await get(`${base}/api/v1/ping`)).toBe('200 {"pong":true}');
  expect(await get(`${base}/healthz`)).toBe('200 ok');
});
