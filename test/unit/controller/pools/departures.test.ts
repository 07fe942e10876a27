import type { V1Job } from '@kubernetes/client-node';
import { DepartedRuns } from '../../../../src/controller/pools/departures.js';

const job = (name: string, state: Partial<V1Job['spec']> & { active?: number; complete?: boolean }): V1Job => ({
  metadata: { namespace: 'ns', name, uid: `uid-${name}`, labels: { 'syncpool.dev/pool': 'p', 'syncpool.dev/source': 'hubspot', 'syncpool.dev/sync-type': 'x' } },
  spec: { suspend: state.suspend ?? false, template: {} },
  status: { active: state.active, conditions: state.complete ? [{ type: 'Complete', status: 'True' }] : [] },
});

test('only a Job that held a slot when it left is remembered, per pool, until settled', () => {
  const d = new DepartedRuns();
  d.departed(job('running', { active: 1 }));
  d.departed(job('queued', { suspend: true }));
  d.departed(job('done', { complete: true }));
  expect(d.of('ns/p')).toEqual([{ uid: 'uid-running', name: 'running', namespace: 'ns', source: 'hubspot', syncType: 'x' }]);
  expect(d.of('ns/other')).toEqual([]);
  d.settled('ns/p', 'uid-running');
  expect(d.size()).toBe(0);
});
