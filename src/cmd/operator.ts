#!/usr/bin/env node
// syncpool-operator: every replica keeps warm caches and serves HTTP (heartbeats, health,
// metrics, the status page and its API); only the Lease holder runs the controllers.
// Losing the lease exits the process, so a replica never admits on a stale view; the
// Deployment restarts it as a standby.
import type { Server } from 'node:http';
import { Manager } from '../controller/manager.js';
import { TokenAuthenticator } from '../heartbeat/auth.js';
import { heartbeatRouter } from '../heartbeat/receiver.js';
import { RunDirectory } from '../heartbeat/runs.js';
import { HeartbeatStatusWriter } from '../heartbeat/statusWriter.js';
import { openHeartbeatStore } from '../heartbeat/stores.js';
import { wallClock } from '../runtime/clock.js';
import { LeaderElector } from '../runtime/leader.js';
import { EventRecorder } from '../kube/events.js';
import { loadKubeConfig, makeClients } from '../kube/client.js';
import { packageVersion } from '../kube/identity.js';
import { patchHeartbeatStatus } from '../kube/heartbeatStatus.js';
import { readRunPod } from '../kube/runPods.js';
import { reviewToken } from '../kube/tokenReview.js';
import { mayListTasks, reviewUserToken } from '../kube/accessReview.js';
import { ConfigError, loadConfig } from '../operator/config.js';
import { createApp, listen } from '../operator/http.js';
import { createLogger } from '../operator/logger.js';
import { readPoolGauges } from '../metrics/poolGauges.js';
import { OperatorMetrics } from '../metrics/prometheus.js';
import { rememberedAuthentication, rememberedAuthorization, statusRouter } from '../web/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`syncpool-operator: ${err.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel, { identity: config.identity });
  const clients = makeClients(loadKubeConfig(config.kubeconfig, undefined, 'syncpool-operator'));
  const now = () => Date.now();
  const heartbeats = openHeartbeatStore({ redisUrl: config.redisUrl, now, log });
  let leading = false;
  // Pool gauges come from the leader's caches; a standby has none, and says so (syncpool_leader 0).
  const metrics: OperatorMetrics = new OperatorMetrics({
    version: packageVersion(),
    pools: () => (leading && manager.isSynced() ? readPoolGauges(manager) : []),
    isLeader: () => leading,
    queueDepths: () => manager.queueDepths(),
  });

  // Heartbeats are received by every replica: each one's run directory reads its own pod
  // cache (the manager's, which every replica runs).
  const runs = new RunDirectory(
    { cached: (ns, name) => manager.pods.get(ns, name), read: (ns, name) => readRunPod(clients, ns, name) }, config.namespace);
  const statusWriter = new HeartbeatStatusWriter({
    write: (ns, task, fields) => patchHeartbeatStatus(clients, ns, task, fields),
    runs, clock: wallClock, log, minIntervalMs: config.heartbeatStatusIntervalSeconds * 1000,
  });
  const receiver = heartbeatRouter({
    authenticator: new TokenAuthenticator((token) => reviewToken(clients, token), { now }),
    runs, store: heartbeats, statusWriter, now, log, onResult: (result) => metrics.heartbeat(result),
  });

  const manager = new Manager({
    clients,
    namespace: config.namespace,
    workers: config.workers,
    relistIntervalMs: config.relistIntervalSeconds * 1000,
    heartbeatUrl: config.heartbeatUrl,
    heartbeats,
    log,
    events: new EventRecorder(clients, { instance: config.identity, log, onWrite: (outcome) => metrics.eventWrite(outcome) }),
    metrics,
  });

  const elector = new LeaderElector({
    clients,
    namespace: config.leaseNamespace,
    name: config.leaseName,
    identity: config.identity,
    leaseDurationSeconds: config.leaseDurationSeconds,
    renewDeadlineSeconds: config.renewDeadlineSeconds,
    retryPeriodSeconds: config.retryPeriodSeconds,
    log,
    onStartedLeading: () => {
      leading = true;
      log.info('became leader; listing before admitting');
      manager.start().catch((err: Error) => {
        log.error('controllers failed to start', { error: err.message });
        process.exit(1);
      });
    },
    onStoppedLeading: () => {
      if (stopping) return;
      log.error('lost leadership; exiting so no admission runs on a stale view');
      process.exit(1);
    },
    onNewLeader: (leader) => log.info('leader observed', { leader }),
  });

  // The status page and its API: every replica serves them from its own caches, to
  // whoever may list a namespace's synctasks (checked with the API server).
  const status = statusRouter({
    state: () => (manager.cachesSynced()
      ? { pools: manager.pools.list(), tasks: manager.tasks.list(), jobs: manager.jobs.list(), pods: manager.pods.list() }
      : undefined),
    authenticate: rememberedAuthentication((token) => reviewUserToken(clients, token), { now }),
    authorize: rememberedAuthorization((user, namespace) => mayListTasks(clients, user, namespace), { now }),
    now, log, scope: config.namespace || undefined,
  });

  // Ready: the API server answers (the Lease loop heard from it within two retry periods,
  // or one Lease read now), and the leader has listed everything.
  const app = createApp({
    live: () => true,
    ready: async () => {
      const role = leading ? 'leader' : 'standby';
      if (!await elector.apiReachable(2 * config.retryPeriodSeconds * 1000)) return { ok: false, detail: `${role}, API server unreachable` };
      if (!leading) return { ok: true, detail: role };
      return manager.isSynced() ? { ok: true, detail: 'leader, caches synced' } : { ok: false, detail: 'leader, syncing caches' };
    },
    degraded: () => (heartbeats.health().ok ? undefined : heartbeats.health().detail),
  }, [receiver, status], metrics);
  const server: Server = await listen(app, config.httpHost, config.httpPort);
  const address = server.address();
  log.info('syncpool-operator started', {
    http: typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
    namespace: config.namespace ?? '(all)',
    lease: `${config.leaseNamespace}/${config.leaseName}`,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await manager.stop();
    await elector.stop({ release: true }); // the standby takes over at once
    server.close();
    await statusWriter.stop();
    await heartbeats.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Every replica lists and watches (the status page reads the caches, and a standby
  // that becomes leader only lists again instead of starting cold); admission waits for the lease.
  manager.startCaches().catch((err: Error) => log.error('caches failed to start', { error: err.message }));
  elector.start();
}

main().catch((err: Error) => {
  process.stderr.write(`syncpool-operator: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
