// The control plane must not outlive whoever started it, even when that process is
// SIGKILLed (a CI timeout, a killed jest), and a directory a testbed used must not
// stop the next one from starting. Starts private testbeds beside the shared one.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type KubeClients, loadKubeConfig, makeClients } from '../../src/kube/client.js';
import { eventually } from './support/cluster.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Live (not zombie) processes in a process group. */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat!.startsWith('Z')).map(([p]) => Number(p));
}

test('SIGKILLing the process that launched a testbed stops every control-plane process', async () => {
  // A launcher process that prints its testbed's directory once ready, then idles.
  const script = `
    import { launch } from './src/testbed/launcher.ts';
    const s = await launch({ attached: true });
    process.stdout.write(s.dir + '\\n');
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const dir = await eventually('the second testbed ready', async () => (out.includes('\n') ? out.trim() : undefined),
    { timeoutMs: 150_000, intervalMs: 250 });
  const supervisor = (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pid: number }).pid;
  const members = groupMembers(supervisor);
  // supervisor + etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
  expect(members.length).toBeGreaterThanOrEqual(6);

  parent.kill('SIGKILL');

  await eventually('every control-plane process gone', async () => (groupMembers(supervisor).length === 0 ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 250 });
  expect(existsSync(dir)).toBe(false);
});

// `npm run testbed:start` in the fixed default directory, run again after each way a
// testbed can end. Uses its own directory (outside the prefix other runs reap) through
// the CLI's SYNCPOOL_TESTBED_DIR.
describe('testbed:start in a directory a testbed used before', () => {
  let dir: string;
  let stranger: ChildProcess | undefined;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sp-lifecycle-')); });
  afterAll(async () => {
    await cli('stop').catch(() => undefined);
    stranger?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(command: string): Promise<string> {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/testbed/cli.ts', command], {
      cwd: REPO, env: { ...process.env, SYNCPOOL_TESTBED_DIR: dir }, timeout: 200_000,
    });
    return stdout;
  }

  /** Starts, proves the cluster answers with its node, and leaves a mark in it. */
  async function startFresh(): Promise<KubeClients> {
    const out = await cli('start');
    const kubeconfig = out.match(/export KUBECONFIG=(\S+)/)?.[1];
    expect(kubeconfig).toBeDefined();
    const kube = makeClients(loadKubeConfig(kubeconfig!));
    const nodes = await kube.core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['kwok-node-0']);
    // Each start is an empty cluster: nothing of the previous one's objects survives.
    const marks = await kube.core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'testbed-mark' });
    expect(marks.items).toHaveLength(0);
    await kube.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'mark', labels: { 'testbed-mark': 'x' } } } });
    return kube;
  }

  const supervisorPid = () => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pid: number }).pid;

  test('starts after a stop, after a crashed supervisor, and after a reboot left the directory', async () => {
    await startFresh();
    expect(await cli('stop')).toContain('stopped');

    // Stopped cleanly: etcd's data was left behind.
    await startFresh();

    // The supervisor SIGKILLed: its components keep running and its files stay.
    const crashed = supervisorPid();
    process.kill(crashed, 'SIGKILL');
    await startFresh();
    expect(groupMembers(crashed)).toEqual([]);

    // A reboot: every process gone, the directory intact, and the recorded pid now
    // leading someone else's process group, which must survive the next start.
    const rebooted = supervisorPid();
    process.kill(-rebooted, 'SIGKILL');
    await eventually('the old testbed gone', async () => (groupMembers(rebooted).length === 0 ? true : undefined), { timeoutMs: 30_000 });
    stranger = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pidFile = join(dir, 'supervisor.pid');
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as object;
    writeFileSync(pidFile, JSON.stringify({ ...record, pid: stranger.pid, bootId: 'an-earlier-boot' }));
    await startFresh();
    expect(groupMembers(stranger.pid!)).toEqual([stranger.pid]);

    expect(await cli('stop')).toContain('stopped');
    expect(await cli('status').catch((err: { stdout: string }) => err.stdout)).toContain('not running');
  }, 600_000);
});
