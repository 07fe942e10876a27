// A component a fault test stops on purpose must not look like a crash (the supervisor
// tears the whole control plane down on a crash), and must come back as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartableComponent } from '../../../src/testbed/restartable.js';

let dir: string;
const live: RestartableComponent[] = [];
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'restartable-')); });
afterEach(async () => {
  for (const c of live.splice(0)) await c.stop({ signal: 'SIGKILL' });
  rmSync(dir, { recursive: true, force: true });
});

const starts = () => (readFileSync(join(dir, 'idler.log'), 'utf8').match(/started/g) ?? []).length;

/**
 * A component that logs its start and idles: `sh -c 'echo started; exec sleep 300'`.
 * Ready once the nth instance has logged its start.
 */
function idler(): RestartableComponent {
  let instances = 0;
  const ready = async () => {
    instances += 1;
    while (starts() < instances) await new Promise((r) => setTimeout(r, 10));
  };
  const c = new RestartableComponent({ name: 'idler', bin: 'sh', args: ['-c', 'echo started; exec sleep 300'], logDir: dir, ready });
  live.push(c);
  return c;
}

test('a stop asked for, by SIGTERM or SIGKILL, is not a crash; a restart is a new process with the same command', async () => {
  const c = idler();
  await c.ready();
  let crashed = false;
  void c.crashed.then(() => { crashed = true; });
  const first = c.current.proc.pid;
  await c.stop();
  expect(c.running).toBe(false);
  await c.start();
  expect(c.running).toBe(true);
  expect(c.current.proc.pid).not.toBe(first);
  await c.restart({ signal: 'SIGKILL' });
  expect(c.running).toBe(true);
  // Each stop waited for its exit, and the crash check ran on that exit before.
  await new Promise((r) => setImmediate(r));
  expect(crashed).toBe(false);
  // Every instance appends to the one log.
  expect(starts()).toBe(3);
});

test('an exit nobody asked for is a crash, also of a restarted instance', async () => {
  const c = idler();
  await c.restart();
  const instance = c.current;
  instance.proc.kill('SIGKILL');
  expect(await c.crashed).toBe(instance);
});

test('start waits for readiness, and refuses while the component runs', async () => {
  const c = idler();
  await c.ready();
  await expect(c.start()).rejects.toThrow(/already running/);
  await c.stop();
  await c.start();
  expect(starts()).toBe(2);
});

test('an instance that dies before it is ready fails its start with the end of its log', async () => {
  const c = new RestartableComponent({ name: 'dies', bin: 'sh', args: ['-c', 'echo no config; exit 3'], logDir: dir,
    ready: () => new Promise(() => undefined) });
  await expect(c.ready()).rejects.toThrow(/dies exited \(3\) during start-up:\n.*no config/);
});
