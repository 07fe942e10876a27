// A pid file must not make us signal a stranger: after a reboot, or once the pid has
// been reused, the recorded supervisor is "gone", never "alive" or "dead".
import { execFileSync } from 'node:child_process';
import { liveness, parseRecord, recordFor } from '../../../src/testbed/identity.js';

test('the current process is alive under its own record', () => {
  expect(liveness(recordFor(process.pid))).toBe('alive');
});

test('a record from another boot is gone, even if its pid is running now', () => {
  expect(liveness({ ...recordFor(process.pid), bootId: 'an-earlier-boot' })).toBe('gone');
});

test('a live pid that started at another time is a reused pid: gone', () => {
  const rec = recordFor(process.pid);
  expect(liveness({ ...rec, startTicks: rec.startTicks! - 1 })).toBe('gone');
});

test('a pid no process holds is dead (its group may linger)', () => {
  const pid = Number(execFileSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }));
  expect(liveness({ ...recordFor(process.pid), pid })).toBe('dead');
});

test('pid files: JSON records, bare pids from older launchers, garbage', () => {
  expect(parseRecord('{"pid":42,"bootId":"b","startTicks":7}')).toEqual({ pid: 42, bootId: 'b', startTicks: 7 });
  expect(parseRecord('42\n')).toEqual({ pid: 42 });
  expect(parseRecord('{"pid":')).toBeUndefined();
  expect(parseRecord('{"pid":0}')).toBeUndefined();
});
