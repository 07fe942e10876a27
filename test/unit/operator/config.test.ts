import { ConfigError, loadConfig } from '../../../src/operator/config.js';

test('defaults describe an in-cluster replica in its pod namespace', () => {
  const c = loadConfig([], { POD_NAMESPACE: 'syncpool-system' });
  expect(c).toMatchObject({
    leaseNamespace: 'syncpool-system', leaseName: 'syncpool-operator', httpPort: 8080, workers: 4,
    heartbeatUrl: 'http://syncpool.syncpool-system.svc:8080/api/v1/heartbeat',
    leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, heartbeatStatusIntervalSeconds: 30,
  });
  expect(c.namespace).toBeUndefined();
  expect(c.redisUrl).toBeUndefined(); // heartbeats in memory
});

test('flags override environment variables', () => {
  const c = loadConfig(['--workers', '8', '--namespace', 'crm'], { SYNCPOOL_WORKERS: '2', SYNCPOOL_NAMESPACE: 'other' });
  expect(c).toMatchObject({ workers: 8, namespace: 'crm' });
});

test('Redis and the heartbeat status interval come from flags or the environment', () => {
  expect(loadConfig([], { SYNCPOOL_REDIS_URL: 'redis://redis.cache:6379/2', SYNCPOOL_HEARTBEAT_STATUS_INTERVAL_SECONDS: '10' }))
    .toMatchObject({ redisUrl: 'redis://redis.cache:6379/2', heartbeatStatusIntervalSeconds: 10 });
  expect(loadConfig(['--redis-url', 'rediss://:pw@redis:6380', '--heartbeat-status-interval', '0.5'], {}))
    .toMatchObject({ redisUrl: 'rediss://:pw@redis:6380', heartbeatStatusIntervalSeconds: 0.5 });
});

test.each([
  [['--redis-url', 'http://redis:6379'], '--redis-url / SYNCPOOL_REDIS_URL: Redis URL must look like redis://host:6379'],
  [['--heartbeat-status-interval', '0'], '--heartbeat-status-interval / SYNCPOOL_HEARTBEAT_STATUS_INTERVAL_SECONDS: heartbeat status interval must be positive'],
  [['--workers', 'many'], '--workers / SYNCPOOL_WORKERS: workers must be a number'],
  [['--workers', '0'], '--workers / SYNCPOOL_WORKERS: workers must be at least 1'],
  [['--log-level', 'verbose'], '--log-level / SYNCPOOL_LOG_LEVEL: log level must be one of error, warn, info, debug'],
  [['--heartbeat-url', 'not a url'], '--heartbeat-url / SYNCPOOL_HEARTBEAT_URL: heartbeat URL must be an absolute http(s) URL'],
  [['--renew-deadline', '20'], '--renew-deadline / SYNCPOOL_RENEW_DEADLINE_SECONDS: renew deadline must be shorter than the lease duration'],
])('%j is refused with a message naming the setting', (argv, message) => {
  expect(() => loadConfig(argv, {})).toThrow(ConfigError);
  expect(() => loadConfig(argv, {})).toThrow(message);
});

test('an unknown flag is refused with the list of known ones', () => {
  expect(() => loadConfig(['--max-workers', '3'], {})).toThrow(/Unknown option '--max-workers'.*known flags: --kubeconfig/);
});
