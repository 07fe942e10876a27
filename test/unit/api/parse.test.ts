// What the operator makes of the objects it reads: defaults filled in, and for bad
// input one line per problem, naming the field, saying what is wrong and what was given.
import { parseSyncTask, parseWorkerPool } from '../../../src/api/parse.js';

const meta = (name: string) => ({ name, namespace: 'data', uid: 'u-1', generation: 1, creationTimestamp: '2024-05-01T12:00:00Z' });

function pool(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool', metadata: meta('crm'),
    spec: { maxWorkers: 3, template: { image: 'registry.example/sync:1' }, ...spec }, ...extra,
  };
}
function task(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'SyncTask', metadata: meta('contacts'),
    spec: { pool: 'crm', source: 'hubspot', syncType: 'contacts', ...spec }, ...extra,
  };
}

describe('parseWorkerPool', () => {
  test('fills in the defaults and keeps the metadata', () => {
    const parsed = parseWorkerPool(pool());
    expect(parsed).toEqual({ ok: true, value: expect.objectContaining({ metadata: meta('crm') }) });
    expect(parsed.ok && parsed.value.spec).toEqual({
      maxWorkers: 3, template: { image: 'registry.example/sync:1' },
      paused: false, overlap: 'Forbid', staleAfter: '30m', heartbeat: 'Required', startupTimeout: '10m',
    });
  });

  test('accepts a pool using every field', () => {
    const parsed = parseWorkerPool(pool({
      maxWorkers: 0, paused: true, overlap: 'Allow', staleAfter: '1h30m', heartbeat: 'Optional',
      template: {
        image: 'registry.example/sync:1', command: ['sync'], args: ['--verbose'],
        env: [{ name: 'LOG', value: 'debug' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        envFrom: [{ configMapRef: { name: 'c' } }], resources: { limits: { cpu: '1', memory: '1Gi' } },
        serviceAccountName: 'sync', securityContext: { runAsUser: 1000 }, podSecurityContext: { fsGroup: 1000 },
        nodeSelector: { pool: 'sync' }, tolerations: [{ key: 'k', operator: 'Exists' }],
        annotations: { 'example.com/owner': 'data' }, labels: { team: 'data' },
      },
      syncTypes: [{ source: 'hubspot', types: ['*'] }, { source: 'stripe', types: ['charges'], template: { image: 'other:2' } }],
      sourceLimits: { hubspot: 1 }, aging: { interval: '10m' },
      retry: { limit: 3, backoff: { initial: '60s', factor: 2, max: '1h' } }, retention: { succeeded: '24h', failed: '168h' },
    }, { status: { active: 0, queued: 2, utilization: '0%', observedGeneration: 1, conditions: [] } }));
    expect(parsed.ok).toBe(true);
  });

  test.each([
    ['a negative maxWorkers', pool({ maxWorkers: -1 }), 'spec.maxWorkers: must be at least 0, got -1'],
    ['a fractional maxWorkers', pool({ maxWorkers: 1.5 }), 'spec.maxWorkers: must be an integer, got 1.5'],
    ['a maxWorkers given as text', pool({ maxWorkers: '3' }), 'spec.maxWorkers: must be a number, got "3"'],
    ['no template', pool({ template: undefined }), 'spec.template: is required'],
    ['an empty image', pool({ template: { image: '' } }), 'spec.template.image: must not be empty'],
    ['an unknown overlap', pool({ overlap: 'forbid' }), 'spec.overlap: must be one of "Forbid", "Allow", got "forbid"'],
    ['a duration in words', pool({ staleAfter: '30 minutes' }),
      'spec.staleAfter: must be a duration such as "90s", "30m", "1h30m" or "500ms" '
      + '(units h, m, s, ms, largest first, each at most once; at most 6 digits before a decimal point, 3 after), got "30 minutes"'],
    ['a source limit for a capitalized source', pool({ sourceLimits: { HubSpot: 1 } }),
      "spec.sourceLimits.HubSpot: key must be a DNS label (lowercase letters, digits, '-'), got \"HubSpot\""],
    ['an allow-list entry without types', pool({ syncTypes: [{ source: 'hubspot', types: [] }] }),
      'spec.syncTypes[0].types: must have at least 1 item, got 0'],
    ['a sync type that is neither a label nor "*"', pool({ syncTypes: [{ source: 'hubspot', types: ['all*'] }] }),
      'spec.syncTypes[0].types[0]: must be a DNS label or "*", got "all*"'],
    ['an env var without a name', pool({ template: { image: 'i', env: [{ name: 'A' }, { value: 'x' }] } }),
      'spec.template.env[1].name: is required'],
    ['a label value that is too long', pool({ template: { image: 'i', labels: { 'app.kubernetes.io/name': 'x'.repeat(64) } } }),
      'spec.template.labels["app.kubernetes.io/name"]: must be at most 63 characters, got 64'],
    ['65 annotations', pool({ template: { image: 'i', annotations: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`a${i}`, 'v'])) } }),
      'spec.template.annotations: must have at most 64 entries'],
    ['a retry factor below 1', pool({ retry: { limit: 1, backoff: { factor: 0.5 } } }), 'spec.retry.backoff.factor: must be at least 1, got 0.5'],
    ['another API version', pool({}, { apiVersion: 'syncpool.dev/v1' }), 'apiVersion: must be "syncpool.dev/v1alpha1", got "syncpool.dev/v1"'],
    ['a status utilization that is not short', pool({}, { status: { utilization: '100 percent' } }),
      'status.utilization: must be at most 8 characters, got 11'],
    ['something that is not an object', null, '<root>: must be an object, got null'],
    ['two problems', pool({ maxWorkers: 10001, paused: 'yes' }),
      'spec.maxWorkers: must be at most 10000, got 10001; spec.paused: must be a boolean, got "yes"'],
    ['seven problems', pool({ maxWorkers: -1, paused: 1, overlap: 1, staleAfter: 1, heartbeat: 1, aging: 1, retry: 1 }),
      'spec.maxWorkers: must be at least 0, got -1; spec.paused: must be a boolean, got 1; spec.overlap: must be one of "Forbid", "Allow", got 1; '
      + 'spec.staleAfter: must be a string, got 1; spec.heartbeat: must be one of "Required", "Optional", got 1; and 2 more'],
  ])('rejects %s', (_, obj, message) => {
    expect(parseWorkerPool(obj)).toEqual({ ok: false, message });
  });
});

describe('parseSyncTask', () => {
  test('fills in the defaults, and leaves concurrencyPolicy to the operator', () => {
    const parsed = parseSyncTask(task());
    expect(parsed.ok && parsed.value.spec).toEqual({ pool: 'crm', source: 'hubspot', syncType: 'contacts', priority: 0, cancel: false });
  });

  test('accepts a periodic task with every schedule field, and its status', () => {
    const now = '2024-05-01T12:00:00.123Z';
    const parsed = parseSyncTask(task({
      schedule: '0 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 60, suspend: true,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, parameters: { since: '2024-01-01', pages: [1, 2] },
      parametersFrom: { secretRef: { name: 'hubspot-token' } }, priority: -5, activeDeadlineSeconds: 3600, retry: { limit: 0 },
    }, {
      status: {
        phase: 'Running', attempt: 2, jobName: 'contacts-2', queuedAt: now, startedAt: '2024-05-01T14:00:00+02:00', progress: 1,
        conditions: [{ type: 'Admitted', status: 'True', reason: 'SlotFree', message: '', lastTransitionTime: now, observedGeneration: 1 }],
        lastRun: { jobName: 'contacts-1', phase: 'Failed', finishedAt: now }, runs: { succeeded: 4, failed: 1 },
      },
    }));
    expect(parsed.ok).toBe(true);
  });

  test('drops fields it does not know, as the API server prunes them', () => {
    const parsed = parseSyncTask(task({ colour: 'blue' }));
    expect(parsed.ok && 'colour' in parsed.value.spec).toBe(false);
  });

  test.each([
    ['a capitalized source', task({ source: 'HubSpot' }), "spec.source: must be a DNS label (lowercase letters, digits, '-'), got \"HubSpot\""],
    ['a pool that is not a DNS name', task({ pool: 'CRM pool' }),
      "spec.pool: must be a DNS subdomain (lowercase letters, digits, '-', '.'), got \"CRM pool\""],
    ['a 53-character name', { ...task(), metadata: meta('a'.repeat(53)) },
      'metadata.name: SyncTask names are at most 52 characters: Job and CronJob names are derived from them'],
    ['timeZone without schedule', task({ timeZone: 'UTC' }),
      'spec.timeZone: timeZone only applies to periodic tasks: set schedule or remove timeZone'],
    ['two schedule-only fields without schedule', task({ suspend: false, failedJobsHistoryLimit: 1 }),
      'spec.suspend: suspend only applies to periodic tasks: set schedule or remove suspend; '
      + 'spec.failedJobsHistoryLimit: failedJobsHistoryLimit only applies to periodic tasks: set schedule or remove failedJobsHistoryLimit'],
    ['parameters over 16 KiB', task({ parameters: { blob: 'x'.repeat(16 * 1024) } }),
      'spec.parameters: must be at most 16 KiB as JSON, got 16395 bytes: pass secrets and large input through spec.parametersFrom (a Secret)'],
    ['parameters with 65 keys', task({ parameters: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
      'spec.parameters: must have at most 64 keys'],
    ['parameters that are a list', task({ parameters: [1] }), 'spec.parameters: must be an object, got a list'],
    ['a priority out of range', task({ priority: 2_000_000 }), 'spec.priority: must be at most 1000000, got 2000000'],
    ['an unknown concurrencyPolicy', task({ schedule: '@daily', concurrencyPolicy: 'Skip' }),
      'spec.concurrencyPolicy: must be one of "Allow", "Forbid", "Replace", got "Skip"'],
    ['a zero activeDeadlineSeconds', task({ activeDeadlineSeconds: 0 }), 'spec.activeDeadlineSeconds: must be at least 1, got 0'],
    ['an unknown phase', task({}, { status: { phase: 'Done' } }),
      'status.phase: must be one of "Pending", "Scheduled", "Queued", "Running", "Succeeded", "Failed", "Cancelled", "Rejected", got "Done"'],
    ['a time that is not RFC 3339', task({}, { status: { queuedAt: 'yesterday' } }),
      'status.queuedAt: must be an RFC 3339 date-time, got "yesterday"'],
    ['progress above 1', task({}, { status: { progress: 1.5 } }), 'status.progress: must be at most 1, got 1.5'],
    ['a repeated condition type', task({}, { status: { conditions: [1, 2].map(() => ({
      type: 'Admitted', status: 'True', reason: 'SlotFree', message: '', lastTransitionTime: '2024-05-01T12:00:00Z',
    })) } }), 'status.conditions: must not repeat a condition type'],
    ['a condition reason that is not CamelCase', task({}, { status: { conditions: [{
      type: 'Admitted', status: 'True', reason: 'slot free', message: '', lastTransitionTime: '2024-05-01T12:00:00Z',
    }] } }), 'status.conditions[0].reason: must be a CamelCase reason, got "slot free"'],
    ['a missing namespace', { ...task(), metadata: { name: 'contacts' } }, 'metadata.namespace: is required'],
    ['another kind', task({}, { kind: 'WorkerPool' }), 'kind: must be "SyncTask", got "WorkerPool"'],
  ])('rejects %s', (_, obj, message) => {
    expect(parseSyncTask(obj)).toEqual({ ok: false, message });
  });
});
