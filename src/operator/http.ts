// The operator's HTTP surface. For now health and readiness; metrics, heartbeats and
// the pools API join here in later work.
import type { Server } from 'node:http';
import express from 'express';

export interface Health {
  /** The process is alive and its event loop turns. */
  live(): boolean;
  /** This replica does its job: the leader has synced caches; a standby is ready to serve. */
  ready(): { ok: boolean; detail: string };
}

export function createApp(health: Health): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.status(health.live() ? 200 : 503).type('text/plain').send(health.live() ? 'ok' : 'not live');
  });
  app.get('/readyz', (_req, res) => {
    const { ok, detail } = health.ready();
    res.status(ok ? 200 : 503).type('text/plain').send(detail);
  });
  return app;
}

export function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}
