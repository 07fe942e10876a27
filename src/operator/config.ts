// Operator configuration: flags override environment variables, and both are checked
// by one zod schema so a bad value stops start-up with a message naming it.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const positiveInt = (name: string, max: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`).max(max, `${name} must be at most ${max}`);

const seconds = (name: string) => z.coerce.number({ error: `${name} must be a number of seconds` })
  .positive(`${name} must be positive`).max(3600, `${name} must be at most 3600 seconds`);

export const configSchema = z.object({
  kubeconfig: z.string().optional(),
  namespace: z.string().max(63).optional(),
  leaseNamespace: z.string().min(1).max(63),
  leaseName: z.string().min(1).max(253),
  identity: z.string().min(1).max(128),
  httpHost: z.string().min(1),
  httpPort: z.coerce.number({ error: 'http port must be a number' }).int().min(0).max(65535),
  heartbeatUrl: z.url({ error: 'heartbeat URL must be an absolute http(s) URL' }),
  logLevel: z.enum(['error', 'warn', 'info', 'debug'], { error: 'log level must be one of error, warn, info, debug' }),
  workers: positiveInt('workers', 64),
  leaseDurationSeconds: seconds('lease duration'),
  renewDeadlineSeconds: seconds('renew deadline'),
  retryPeriodSeconds: seconds('retry period'),
  relistIntervalSeconds: seconds('relist interval'),
  // Unset: heartbeats are kept in this replica's memory (fine for one replica).
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'Redis URL must look like redis://host:6379 or rediss://…' }).optional(),
  heartbeatStatusIntervalSeconds: seconds('heartbeat status interval'),
}).refine((c) => c.renewDeadlineSeconds < c.leaseDurationSeconds, {
  message: 'renew deadline must be shorter than the lease duration', path: ['renewDeadlineSeconds'],
}).refine((c) => c.retryPeriodSeconds < c.renewDeadlineSeconds, {
  message: 'retry period must be shorter than the renew deadline', path: ['retryPeriodSeconds'],
});

export type OperatorConfig = z.infer<typeof configSchema>;

/** flag name → [config key, environment variable, default] */
const SETTINGS: Record<string, [keyof OperatorConfig, string, string | undefined]> = {
  kubeconfig: ['kubeconfig', 'KUBECONFIG', undefined],
  namespace: ['namespace', 'SYNCPOOL_NAMESPACE', undefined],
  'lease-namespace': ['leaseNamespace', 'SYNCPOOL_LEASE_NAMESPACE', undefined],
  'lease-name': ['leaseName', 'SYNCPOOL_LEASE_NAME', 'syncpool-operator'],
  identity: ['identity', 'SYNCPOOL_IDENTITY', undefined],
  'http-host': ['httpHost', 'SYNCPOOL_HTTP_HOST', '0.0.0.0'],
  'http-port': ['httpPort', 'SYNCPOOL_HTTP_PORT', '8080'],
  'heartbeat-url': ['heartbeatUrl', 'SYNCPOOL_HEARTBEAT_URL', undefined],
  'log-level': ['logLevel', 'SYNCPOOL_LOG_LEVEL', 'info'],
  workers: ['workers', 'SYNCPOOL_WORKERS', '4'],
  'lease-duration': ['leaseDurationSeconds', 'SYNCPOOL_LEASE_DURATION_SECONDS', '15'],
  'renew-deadline': ['renewDeadlineSeconds', 'SYNCPOOL_RENEW_DEADLINE_SECONDS', '10'],
  'retry-period': ['retryPeriodSeconds', 'SYNCPOOL_RETRY_PERIOD_SECONDS', '2'],
  'relist-interval': ['relistIntervalSeconds', 'SYNCPOOL_RELIST_INTERVAL_SECONDS', '300'],
  'redis-url': ['redisUrl', 'SYNCPOOL_REDIS_URL', undefined],
  // At most one SyncTask status write per task per interval for heartbeats.
  'heartbeat-status-interval': ['heartbeatStatusIntervalSeconds', 'SYNCPOOL_HEARTBEAT_STATUS_INTERVAL_SECONDS', '30'],
};

export class ConfigError extends Error {}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): OperatorConfig {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(SETTINGS).map((f) => [f, { type: 'string' as const }])),
      strict: true,
    }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; known flags: ${Object.keys(SETTINGS).map((f) => `--${f}`).join(', ')}`);
  }
  const raw: Record<string, unknown> = {};
  for (const [flag, [key, envName, fallback]] of Object.entries(SETTINGS)) {
    raw[key] = flags[flag] ?? (env[envName] || undefined) ?? fallback;
  }
  // Where we run decides the rest: the pod's namespace for the Lease, the Service for heartbeats.
  const podNamespace = env.POD_NAMESPACE || 'default';
  raw.leaseNamespace ??= podNamespace;
  raw.identity ??= `${hostname()}-${process.pid}`;
  raw.heartbeatUrl ??= `http://syncpool.${podNamespace}.svc:${raw.httpPort}/api/v1/heartbeat`;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const setting = Object.entries(SETTINGS).find(([, [k]]) => k === key);
      const where = setting ? `--${setting[0]} / ${setting[1][1]}` : key;
      return `${where}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
