// What occupies a pool and what waits in it, as the pool's admission would plan it right
// now: the same snapshot and the same pure plan the operator admits by, so the positions
// shown are the order in which runs will start.
import type { V1Job } from '@kubernetes/client-node';
import { poolPolicy } from '../api/poolPolicy.js';
import { TERMINAL_PHASES } from '../api/syncTask.js';
import { planAdmission } from '../core/admission.js';
import type { AdmissionPlan, PoolPolicy } from '../core/types.js';
import { isFinished } from '../jobs/classify.js';
import { type PoolSnapshot, snapshotPool } from '../jobs/poolSnapshot.js';
import type { PoolContents } from './cluster.js';

export interface PoolLoad {
  /** undefined when the pool's spec cannot be used; `invalid` says why. */
  policy?: PoolPolicy;
  invalid?: string;
  snapshot: PoolSnapshot;
  /** Empty for an invalid pool: it admits nothing. */
  plan: AdmissionPlan;
  /** Runs holding a slot: admitted Jobs not finished, and pods that outlived their Job. */
  active: number;
  /** Suspended Jobs waiting for a slot (not tasks whose Job is still being made). */
  queued: number;
}

const alive = (phase: string | undefined) => phase !== 'Succeeded' && phase !== 'Failed';

export function loadOf({ pool, tasks, jobs, pods }: PoolContents, nowMs: number): PoolLoad {
  const byName = new Map<string, V1Job>(jobs.map((j) => [j.metadata!.name!, j]));
  // Nothing assumed: admissions not yet seen count once the watch shows them, a moment later.
  const snapshot = snapshotPool({
    jobs: jobs.filter((j) => !isFinished(j)),
    pods: pods.filter((p) => alive(p.status?.phase)),
    tasks: tasks.filter((t) => !TERMINAL_PHASES.has(t.status?.phase ?? '')),
    assumed: new Set(),
    jobNamed: (name) => byName.get(name),
  });
  const active = snapshot.running.length;
  const queued = snapshot.queued.length - snapshot.reserved.size;
  const judged = poolPolicy(pool);
  if (!judged.ok) return { invalid: judged.message, snapshot, plan: { admit: [], waiting: [] }, active, queued };
  const plan = planAdmission({ policy: judged.policy, running: snapshot.running, queued: snapshot.queued, nowMs });
  return { policy: judged.policy, snapshot, plan, active, queued };
}
