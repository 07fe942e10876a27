// The control plane must not outlive whoever started it, even when that process is
// SIGKILLed (a CI timeout, a killed jest). Starts a second, private testbed for this.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './support/cluster.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

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
  const supervisor = Number(readFileSync(join(dir, 'supervisor.pid'), 'utf8'));
  const members = groupMembers(supervisor);
  // supervisor + etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
  expect(members.length).toBeGreaterThanOrEqual(6);

  parent.kill('SIGKILL');

  await eventually('every control-plane process gone', async () => (groupMembers(supervisor).length === 0 ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 250 });
  expect(existsSync(dir)).toBe(false);
});
