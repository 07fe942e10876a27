// A testbed whose supervisor was SIGKILLed leaves its components running in the
// supervisor's process group; the next launch must kill them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordFor } from '../../../src/testbed/identity.js';
import { DIR_PREFIX, reapOrphans } from '../../../src/testbed/launcher.js';
import { processAlive } from '../../../src/testbed/processes.js';
import { PID_FILE } from '../../../src/testbed/state.js';

const alive = processAlive;

test('reapOrphans kills the process group of a dead supervisor and removes its directory', async () => {
  // A group leader that exits at once, leaving a child behind in its group: the shape
  // of a SIGKILLed supervisor with its components still running.
  const out = execFileSync('setsid', ['bash', '-c', 'sleep 300 >/dev/null 2>&1 & echo "$$ $!"'], { encoding: 'utf8' });
  const [leader, straggler] = out.trim().split(' ').map(Number) as [number, number];
  const dir = join(tmpdir(), `${DIR_PREFIX}-unit-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PID_FILE), String(leader));
  expect(alive(leader)).toBe(false);
  expect(alive(straggler)).toBe(true);

  reapOrphans();

  for (let i = 0; i < 50 && alive(straggler); i++) await new Promise((r) => setTimeout(r, 20));
  expect(alive(straggler)).toBe(false);
  expect(existsSync(dir)).toBe(false);
});

test('reapOrphans leaves a live testbed alone', () => {
  const dir = join(tmpdir(), `${DIR_PREFIX}-unit-live-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PID_FILE), JSON.stringify(recordFor(process.pid)));
  reapOrphans();
  expect(existsSync(dir)).toBe(true);
  expect(alive(process.pid)).toBe(true);
  rmSync(dir, { recursive: true, force: true });
});

test('a directory left by an earlier boot is removed without signalling the process that now has its pid', () => {
  // After a reboot the recorded pid may lead an unrelated process group.
  const stranger = Number(execFileSync('setsid', ['bash', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim());
  const dir = join(tmpdir(), `${DIR_PREFIX}-unit-reboot-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, PID_FILE), JSON.stringify({ ...recordFor(stranger), bootId: 'an-earlier-boot' }));
  try {
    reapOrphans();
    expect(existsSync(dir)).toBe(false);
    expect(alive(stranger)).toBe(true);
  } finally {
    process.kill(stranger, 'SIGKILL');
  }
});
