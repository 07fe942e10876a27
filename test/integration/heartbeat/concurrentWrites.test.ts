// Heartbeat status and reconcile status written at once: a flood of heartbeats (their
// status written every 50 ms) while the run finishes. Neither side may overwrite the
// other's newer data: the phase never goes back, progress never goes back, and a
// lastHeartbeat once shown is never removed while the attempt lasts.
import { Watch } from '@kubernetes/client-node';
import type { SyncTask } from '../../../src/api/types.js';
import { GROUP, VERSION } from '../../../src/api/common.js';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { mintPodToken, podOfTask, sendHeartbeat } from '../support/heartbeats.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  stage = await startSyncpool('hbwrites', {}, { operatorArgs: ['--heartbeat-status-interval', '0.05'] });
});

afterAll(() => stage?.stop());

/** Waiting (Pending while the operator's cache has not seen the new pool yet, Queued), running, done. */
const rank = (phase: string | undefined) => ({ Running: 1, Succeeded: 2 } as Record<string, number>)[phase ?? ''] ?? 0;

test('heartbeat status writes and the reconciler\'s writes at once: nothing newer is ever overwritten', async () => {
  const { api, kube, ns, operator } = stage;
  const seen: { phase?: string; progress?: number; lastHeartbeat?: string }[] = [];
  const watch = await new Watch(kube.config).watch(`/apis/${GROUP}/${VERSION}/namespaces/${ns}/synctasks`, {}, (_type, t: SyncTask) => {
    if (t.metadata.name === 'busy') seen.push({ phase: t.status?.phase, progress: t.status?.progress, lastHeartbeat: t.status?.lastHeartbeat });
  }, () => undefined);
  try {
    await api.createPool('writes', { maxWorkers: 1 }, '6s');
    await api.createTask('busy', { pool: 'writes' });
    const token = await mintPodToken(kube, await podOfTask(kube, ns, 'busy'));
    const accepted: number[] = [];
    let step = 0;
    // Heartbeats with rising progress, one after another (so they arrive in order), until the pod has finished.
    for (;;) {
      const progress = Math.min(1, ++step / 10_000);
      const a = await sendHeartbeat(operator.port, token, { progress });
      if (a.status === 200) accepted.push(progress);
      else if (a.status === 403 && a.body.reason === 'Finished') break;
      else throw new Error(`heartbeat answered ${a.status} ${JSON.stringify(a.body)}`);
    }
    const done = await api.waitForPhase('busy', 'Succeeded');
    expect(accepted.length).toBeGreaterThan(20);
    expect(done.status?.lastHeartbeat).toBeDefined();
    expect(accepted).toContain(done.status?.progress);

    const phases = seen.map((s) => rank(s.phase));
    expect(phases).toEqual([...phases].sort((a, b) => a - b)); // never back to an earlier phase
    const progress = seen.map((s) => s.progress).filter((p): p is number => p !== undefined);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never an older value over a newer one
    const firstBeat = seen.findIndex((s) => s.lastHeartbeat !== undefined);
    expect(seen.slice(firstBeat).every((s) => s.lastHeartbeat !== undefined)).toBe(true);
  } finally {
    watch.abort();
  }
});
