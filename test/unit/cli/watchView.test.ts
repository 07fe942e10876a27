import { frame, signature } from '../../../src/cli/watchView.js';
import { viewPools } from '../../../src/views/index.js';
import { job, NOW, pool, state, task } from './state.js';

const running = task('contacts', 'Running', { status: { progress: 0.5, lastHeartbeat: new Date(NOW - 20_000).toISOString() } });
const waiting = [task('companies', 'Queued', { priority: 5 }), task('deals', 'Queued')];
const cluster = state([pool()], [running, ...waiting], [job(running, { runningFor: 60 }), ...waiting.map((t) => job(t))]);

test('a frame shows the pool\'s state, what runs with its progress, and the queue in admission order', () => {
  const text = frame(viewPools(cluster, { nowMs: NOW }), { scope: 'namespace data', withNamespace: false, nowMs: NOW });
  expect(text).toContain('kubectl syncpool watch: namespace data, 2026-05-01 12:00:00 UTC');
  expect(text).toMatch(/^crm +1 +1 +2 +100% +Overloaded/m);
  expect(text).toMatch(/contacts-1 +contacts +hubspot +contacts +60s +50% +20s ago/);
  const queue = text.slice(text.indexOf('queue (2)'));
  expect(queue.indexOf('companies')).toBeLessThan(queue.indexOf('deals'));
  expect(queue).toMatch(/1 +companies .* PoolFull/);
});

test('the signature moves with events, not with the clock', () => {
  const at = (nowMs: number, s = cluster) => signature(viewPools(s, { nowMs }));
  expect(at(NOW + 30_000)).toBe(at(NOW));
  const admitted = state([pool({ maxWorkers: 2 })], cluster.tasks, cluster.jobs);
  expect(at(NOW, admitted)).not.toBe(at(NOW));
});

test('a pool asked for by name that is gone says so', () => {
  expect(frame([], { scope: 'namespace data', pool: 'crm', withNamespace: false, nowMs: NOW })).toMatch(/WorkerPool crm not found in namespace data$/);
});
