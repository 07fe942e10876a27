// The operator's HTTP surface: health, readiness and metrics here, served by every
// replica without authentication; the routes of other parts (heartbeats, the status page
// and its API, each with its own authentication) are handed in as routers.
import type { Server } from 'node:http';
import express from 'express';

export interface Health {
  /** The process is alive and its event loop turns. */
  live(): boolean;
  /**
   * This replica does its job: it reaches the API server, and if it leads, its caches
   * have synced; a standby is ready to serve heartbeats.
   */
  ready(): { ok: boolean; detail: string } | Promise<{ ok: boolean; detail: string }>;
  /**
   * Something works in a lesser way (heartbeats kept in memory because Redis is down).
   * Reported by /readyz but never failing it: taking every replica out of the Service
   * would refuse all heartbeats, which is worse than keeping them in memory.
   */
  degraded?(): string | undefined;
}

/** The metrics in Prometheus' text exposition format. */
export interface Exposition {
  scrape(): Promise<{ contentType: string; text: string }>;
}

export function createApp(health: Health, routers: express.Router[] = [], metrics?: Exposition): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.status(health.live() ? 200 : 503).type('text/plain').send(health.live() ? 'ok' : 'not live');
  });
  app.get('/readyz', async (_req, res) => {
    const { ok, detail } = await health.ready();
    const degraded = health.degraded?.();
    res.status(ok ? 200 : 503).type('text/plain').send(degraded ? `${detail}; degraded: ${degraded}` : detail);
  });
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      try {
        const { contentType, text } = await metrics.scrape();
        res.status(200).set('Content-Type', contentType).send(text);
      } catch (err) {
        res.status(500).type('text/plain').send(`metrics unavailable: ${(err as Error).message}`);
      }
    });
  }
  for (const router of routers) app.use(router);
  return app;
}

export function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}
