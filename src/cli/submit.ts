// kubectl syncpool submit <pool> <source> <syncType> [--param k=v]... [--priority N]
// [--schedule CRON] [--wait]: creates a SyncTask. The pool is checked first, so a typo in
// its name or a sync type it does not allow is an error here, with what exists instead,
// rather than a task that waits Pending or ends Rejected.
import { API_VERSION } from '../api/common.js';
import { MAX_TASK_NAME } from '../api/syncTask.js';
import { rejection } from '../jobs/template.js';
import { apiStatus } from '../kube/client.js';
import { createTask, getPool } from './cluster.js';
import { CliError, UsageError } from './failures.js';
import { durationFlag, intFlag, keyValues, type Parsed, type VerbSpec } from './flags.js';
import { follow } from './follow.js';
import { LiveState } from './live.js';
import { type Io, println } from './output.js';
import { connect, type Session } from './session.js';

export const spec: VerbSpec = {
  name: 'submit',
  args: ['pool', 'source', 'syncType'],
  summary: 'create a SyncTask; --wait follows it to its end',
  flags: {
    param: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'a parameter handed to the worker (no secrets: use --parameters-from)' },
    'parameters-from': { type: 'string', value: 'SECRET', help: 'a Secret whose data the worker gets as SYNCPOOL_PARAM_* variables' },
    priority: { type: 'string', value: 'N', help: 'higher runs first (default 0)' },
    schedule: { type: 'string', value: 'CRON', help: 'run periodically, e.g. "*/15 * * * *"' },
    'time-zone': { type: 'string', value: 'TZ', help: 'IANA time zone of --schedule (default UTC)' },
    name: { type: 'string', value: 'NAME', help: 'the task\'s name (default: <source>-<syncType>-<random>)' },
    wait: { type: 'boolean', help: 'follow the task to its end; exit 1 unless it Succeeded' },
    timeout: { type: 'string', value: 'DURATION', help: 'with --wait: give up after this long (e.g. 10m), exit 1' },
  },
};

/** generateName's suffix is 5 characters; names are at most MAX_TASK_NAME. */
export const generatedPrefix = (source: string, syncType: string) => `${`${source}-${syncType}`.slice(0, MAX_TASK_NAME - 6)}-`;

export async function run({ common, values, positionals }: Parsed, io: Io): Promise<number | void> {
  const [pool, source, syncType] = positionals as [string, string, string];
  const parameters = keyValues(spec, values, 'param');
  const priority = intFlag(spec, values, 'priority', -1_000_000, 1_000_000);
  const schedule = values.schedule as string | undefined;
  const wait = values.wait === true;
  const timeoutMs = durationFlag(spec, values, 'timeout');
  if (wait && schedule !== undefined) throw new UsageError('submit: --wait follows a task to its end; a task with --schedule never ends');
  if (timeoutMs !== undefined && !wait) throw new UsageError('submit: --timeout goes with --wait');
  if (values['time-zone'] !== undefined && schedule === undefined) throw new UsageError('submit: --time-zone goes with --schedule');

  const s = connect(common);
  await checkPool(s, pool, source, syncType);
  const name = values.name as string | undefined;
  const body = {
    apiVersion: API_VERSION,
    kind: 'SyncTask',
    metadata: name ? { name } : { generateName: generatedPrefix(source, syncType) },
    spec: {
      pool, source, syncType,
      ...(priority !== undefined && { priority }),
      ...(Object.keys(parameters).length > 0 && { parameters }),
      ...(values['parameters-from'] !== undefined && { parametersFrom: { secretRef: { name: values['parameters-from'] } } }),
      ...(schedule !== undefined && { schedule }),
      ...(values['time-zone'] !== undefined && { timeZone: values['time-zone'] }),
    },
  };
  // Watching starts before the task exists, so even a run that ends at once is seen.
  const live = wait ? await LiveState.start({ ...s, allNamespaces: false }) : undefined;
  let created;
  try {
    created = await createTask(s, body);
  } catch (err) {
    live?.stop();
    throw err;
  }
  const createdName = created.metadata!.name!;
  println(io.out, `synctask/${createdName} created`);
  if (!live) return;
  return follow(live, s.namespace, createdName, io, timeoutMs);
}

/** The pool exists and allows the sync; skipped if the user may not read pools. */
async function checkPool(s: Session, pool: string, source: string, syncType: string): Promise<void> {
  let found;
  try {
    found = await getPool(s, pool);
  } catch (err) {
    if (apiStatus(err) === 403) return;
    throw err;
  }
  const refused = rejection(pool, found.spec?.syncTypes, source, syncType);
  if (refused) throw new CliError(`${refused}; nothing created`);
}
