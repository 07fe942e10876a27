// The worker side of the plugin, built as shipped: `kubectl syncpool heartbeat` inside a
// sync pod (its projected token and the contract's variables), and what people then see
// of the beat in describe and status.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/cluster.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { mintPodToken, podOfTask } from '../support/heartbeats.js';
import { buildCli, json, syncpool } from './cli.js';

let stage: SyncpoolStage;
let dir: string;
let worker: NodeJS.ProcessEnv;

beforeAll(async () => {
  buildCli();
  // A short status interval: the beat shows on the task within a second.
  stage = await startSyncpool('cli-heartbeat', {}, { operatorArgs: ['--heartbeat-status-interval', '1'] });
  await stage.api.createPool('long', { maxWorkers: 1 }, '600s');
  await stage.api.createTask('live', { pool: 'long' });
  const token = await mintPodToken(stage.kube, await podOfTask(stage.kube, stage.ns, 'live'));
  dir = await mkdtemp(join(tmpdir(), 'syncpool-cli-heartbeat-'));
  await writeFile(join(dir, 'token'), `${token}\n`);
  // What a sync pod's container has, and no kubeconfig: the heartbeat needs none.
  worker = {
    SYNCPOOL_HEARTBEAT_URL: `http://127.0.0.1:${stage.operator.port}/api/v1/heartbeat`, SYNCPOOL_TOKEN_FILE: join(dir, 'token'), KUBECONFIG: '/nonexistent',
  };
});

afterAll(async () => {
  await stage?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('heartbeat from the sync pod: exit 0, and describe shows the progress it reported', async () => {
  const r = await syncpool(['heartbeat', '--progress', '0.4', '--message', '4000/10000 contacts'], worker);
  expect(r).toEqual({ code: 0, stdout: `heartbeat sent for ${stage.ns}/live (attempt 1)\n`, stderr: '' });

  const story = await eventually('the beat on the task', async () => {
    const s = await json<{ task: { progress?: number; progressMessage?: string; lastHeartbeat?: string } }>(['describe', 'live', '-n', stage.ns]);
    return s.task.progress === 0.4 ? s : undefined;
  });
  expect(story.task).toMatchObject({ progressMessage: '4000/10000 contacts', lastHeartbeat: expect.any(String) });
  const text = await syncpool(['describe', 'live', '-n', stage.ns]);
  expect(text.stdout).toMatch(/^Heartbeat: +\d+s ago, progress 40%: 4000\/10000 contacts$/m);
});

test('heartbeat: a wrong value exits 2, a refused token exits 1, each in one line', async () => {
  expect(await syncpool(['heartbeat', '--progress', '1.5'], worker)).toEqual({
    code: 2, stdout: '', stderr: 'kubectl-syncpool: heartbeat: --progress must be a number from 0 to 1, got "1.5" (see kubectl syncpool heartbeat --help)\n',
  });
  await writeFile(join(dir, 'forged'), 'not-a-token');
  const forged = await syncpool(['heartbeat'], { ...worker, SYNCPOOL_TOKEN_FILE: join(dir, 'forged') });
  expect(forged.code).toBe(1);
  expect(forged.stderr).toMatch(/^kubectl-syncpool: heartbeat refused \(HTTP 401\): [^\n]*\n$/);
  const outside = await syncpool(['heartbeat'], { SYNCPOOL_HEARTBEAT_URL: '' });
  expect(outside).toMatchObject({ code: 1, stderr: 'kubectl-syncpool: SYNCPOOL_HEARTBEAT_URL is not set: heartbeats work inside a syncpool sync pod\n' });
});
