// POST /api/v1/heartbeat against a real API server: tokens minted the way the kubelet
// mints the projected one, checked by TokenReview; the task's status shows the beat.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { applyCrds } from '../../../src/api/install.js';
import type { SyncTask } from '../../../src/api/types.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { heartbeat, HeartbeatError } from '../../../src/sdk/heartbeat.js';
import { createTestNamespace, deleteNamespace, eventually, testClients } from '../support/cluster.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';
import { OperatorProcess } from '../support/operator.js';
import { SyncpoolApi } from '../support/syncpool.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

let kube: KubeClients;
let ns: string;
let api: SyncpoolApi;
let operator: OperatorProcess;
let livePod: V1Pod;
let token: string;

const beatFields = (t: SyncTask) => ({ lastHeartbeat: t.status?.lastHeartbeat, progress: t.status?.progress, progressMessage: t.status?.progressMessage });
/** What a refused request tries to say; it must never reach a status. */
const REFUSED = { progress: 0.9, message: 'text of a refused request' };

beforeAll(async () => {
  kube = testClients();
  await applyCrds(kube);
  ns = await createTestNamespace(kube, 'heartbeat');
  // A short status interval keeps the trailing-write checks fast.
  operator = await OperatorProcess.start({ namespace: ns, identity: 'heartbeat-op', args: ['--heartbeat-status-interval', '1'] });
  api = new SyncpoolApi(kube, ns);
  await api.createPool('long', { maxWorkers: 2 }, '600s');
  await api.createPool('quick', { maxWorkers: 1 }, '1s');
  await api.createTask('live', { pool: 'long' });
  await api.createTask('done', { pool: 'quick' });
  livePod = await podOfTask(kube, ns, 'live');
  token = await mintPodToken(kube, livePod);
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(kube, ns);
});

test('a running sync pod\'s heartbeat is accepted and shows on its task', async () => {
  const answer = await sendHeartbeat(operator.port, token, { progress: 0.25, message: 'page 1 of 4' });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ task: `${ns}/live`, attempt: 1 });
  const task = await eventually('the heartbeat on the task status', async () => {
    const t = await api.task('live');
    return t.status?.lastHeartbeat ? t : undefined;
  });
  expect(beatFields(task)).toEqual({ lastHeartbeat: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), progress: 0.25, progressMessage: 'page 1 of 4' });
  expect(task.status?.phase).toBe('Running'); // the reconciler's fields are its own
}, 60_000);

test('without a token, or with one the API server does not accept: 401 asking for a bearer token', async () => {
  const attempts: [string, string | undefined][] = [
    ['no token', undefined],
    ['a forged token', `${token}x`],
    ['a token for another audience', await mintPodToken(kube, livePod, { audiences: ['not-syncpool'] })],
    ['not a token at all', 'hello'],
  ];
  for (const [what, t] of attempts) {
    const answer = await sendHeartbeat(operator.port, t, REFUSED);
    expect({ what, status: answer.status }).toEqual({ what, status: 401 });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="syncpool"/);
    expect(answer.body.error).toMatch(t ? /the token is not accepted/ : /a bearer token is required/);
  }
});

test('a bad body: 400 naming the field; a body over 4 KiB: 413', async () => {
  const bad = async (body: object | string) => sendHeartbeat(operator.port, token, body);
  expect(await bad({ progress: 2, message: REFUSED.message })).toMatchObject({ status: 400, body: { error: 'progress: must be from 0 to 1' } });
  expect(await bad({ progress: '0.5' })).toMatchObject({ status: 400, body: { error: 'progress: must be a number from 0 to 1' } });
  expect(await bad({ progress: 0.9, message: 'x'.repeat(1025) }))
    .toMatchObject({ status: 400, body: { error: 'message: must be at most 1024 characters' } });
  expect(await bad('{"progress": 0.9,')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/must be a JSON object/) } });
  expect(await bad({ progress: 0.9, message: REFUSED.message, padding: 'x'.repeat(5000) })).toMatchObject({ status: 413 });
});

test('a valid token of a pod that is not a syncpool run: 403 saying so', async () => {
  const plain = await kube.core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name: 'plain' }, spec: { serviceAccountName: 'default', containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
  });
  const answer = await sendHeartbeat(operator.port, await mintPodToken(kube, plain), REFUSED);
  expect(answer).toMatchObject({ status: 403, body: { reason: 'NotARun', error: `pod ${ns}/plain is not a syncpool sync run` } });
});

test('the token of a finished attempt\'s pod: 403 saying the run is over', async () => {
  await api.waitForPhase('done', 'Succeeded');
  const pod = await podOfTask(kube, ns, 'done', 'Succeeded');
  const answer = await sendHeartbeat(operator.port, await mintPodToken(kube, pod), REFUSED);
  expect(answer).toMatchObject({ status: 403, body: { reason: 'Finished' } });
  expect(answer.body.error).toBe(`pod ${ns}/${pod.metadata!.name} has finished (Succeeded); its run is over`);
});

test('refused requests changed nothing: a later heartbeat saying nothing leaves the last progress shown', async () => {
  const before = beatFields(await api.task('live'));
  // A heartbeat with no progress and no message only moves lastHeartbeat. Had a refused
  // request reached the status writer, its values would ride along in this write.
  expect((await sendHeartbeat(operator.port, token)).status).toBe(200);
  const after = await eventually('the later heartbeat on the task status', async () => {
    const fields = beatFields(await api.task('live'));
    return fields.lastHeartbeat !== before.lastHeartbeat ? fields : undefined;
  });
  expect(after).toEqual({ lastHeartbeat: expect.any(String), progress: 0.25, progressMessage: 'page 1 of 4' });
  expect(Date.parse(after.lastHeartbeat!)).toBeGreaterThan(Date.parse(before.lastHeartbeat!));
  expect(beatFields(await api.task('done'))).toEqual({ lastHeartbeat: undefined, progress: undefined, progressMessage: undefined });
});

describe('the worker side', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'syncpool-heartbeat-'));
    await writeFile(join(dir, 'token'), `${token}\n`); // as the kubelet writes it
    await writeFile(join(dir, 'forged'), `${token}x`);
    env = { ...process.env, SYNCPOOL_HEARTBEAT_URL: `http://127.0.0.1:${operator.port}/api/v1/heartbeat`, SYNCPOOL_TOKEN_FILE: join(dir, 'token') };
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('heartbeat() reads the contract\'s variables and the token file, and says what was refused', async () => {
    expect(await heartbeat({ progress: 0.5, message: 'from the SDK' }, { env })).toEqual({ task: `${ns}/live`, attempt: 1 });
    const refused = await heartbeat({}, { env: { ...env, SYNCPOOL_TOKEN_FILE: join(dir, 'forged') } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HeartbeatError);
    expect((refused as HeartbeatError).status).toBe(401);
    expect((refused as Error).message).toMatch(/^heartbeat refused \(HTTP 401\): the token is not accepted/);
    await eventually('the SDK\'s heartbeat on the task status', async () =>
      ((await api.task('live')).status?.progressMessage === 'from the SDK' ? true : undefined));
  });

  test('kubectl syncpool heartbeat: exit 0 on success, 1 with one line otherwise (2 for a usage error)', async () => {
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => promisify(execFile)(
      process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'heartbeat', ...args], { cwd: REPO, env: { ...env, ...extra } },
    ).then(({ stdout }) => ({ code: 0, out: stdout }), (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }));
    expect(await cli(['--progress', '0.75', '--message', 'from the CLI']))
      .toEqual({ code: 0, out: `heartbeat sent for ${ns}/live (attempt 1)\n` });
    expect(await cli(['--progress', '1.5'])).toEqual({
      code: 2, out: 'kubectl-syncpool: heartbeat: --progress must be a number from 0 to 1, got "1.5" (see kubectl syncpool heartbeat --help)\n',
    });
    expect(await cli([], { SYNCPOOL_TOKEN_FILE: join(dir, 'forged') }))
      .toEqual({ code: 1, out: expect.stringMatching(/^kubectl-syncpool: heartbeat refused \(HTTP 401\): the token is not accepted[^\n]*\n$/) });
  });
});

test('the operator logged neither a token nor a worker\'s message (at debug level)', () => {
  const logs = operator.logs.join('\n');
  expect(logs).toMatch(/heartbeat received/);
  expect(logs).toMatch(/heartbeat refused/);
  expect(logs).not.toContain(token.split('.')[2]!); // the signature
  for (const said of ['page 1 of 4', 'from the SDK', 'from the CLI', REFUSED.message]) expect(logs).not.toContain(said);
});
