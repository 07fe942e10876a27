// Gathers what the pure liveness rule (src/core/liveness.ts) needs about one running
// attempt: its Job's admission time, its pods, its heartbeats (the store, and the
// status the heartbeat writers keep), and turns the verdict into a decision.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { SyncTaskStatus } from '../../api/types.js';
import { formatDuration } from '../../core/duration.js';
import { judgeRun } from '../../core/liveness.js';
import { notRunningBecause, runningSince } from '../../jobs/pods.js';
import type { HeartbeatStore } from '../../heartbeat/store.js';
import type { ClusterWrites } from '../../kube/writers.js';
import { type IndexedCache, PODS_BY_JOB } from '../indexes.js';
import type { Lifecycle } from './policy.js';

export interface LivenessDeps {
  pods: IndexedCache<V1Pod>;
  heartbeats: HeartbeatStore;
  writes: ClusterWrites;
}

export type RunCheck =
  | { kind: 'alive'; recheckAtMs?: number }
  | { kind: 'end'; reason: 'HeartbeatTimeout' | 'StartupTimeout'; message: string };

const time = (ms: number) => new Date(ms).toISOString();
/** A measured wait, to the second: "10m3s", not "10m3s117ms". */
const roughly = (ms: number) => formatDuration(Math.round(ms / 1000) * 1000);

export async function checkRun(d: LivenessDeps, job: V1Job, status: SyncTaskStatus, life: Lifecycle, nowMs: number): Promise<RunCheck> {
  // The Job controller sets startTime when it acts on the admission; until then there is
  // nothing to time, and its update will bring the task back.
  const admittedAtMs = job.status?.startTime ? new Date(job.status.startTime).getTime() : undefined;
  if (admittedAtMs === undefined) return { kind: 'alive' };
  const namespace = job.metadata!.namespace!;
  const uid = job.metadata!.uid!;
  const pods = d.pods.byIndex(PODS_BY_JOB, `${namespace}/${uid}`);
  const reading = await d.heartbeats.read(uid);
  // The status carries heartbeats received by any replica (written at most every 30 s);
  // one older than this attempt's admission belongs to an earlier attempt.
  const fromStatus = status.lastHeartbeat ? Date.parse(status.lastHeartbeat) : undefined;
  const ofThisAttempt = fromStatus !== undefined && fromStatus >= admittedAtMs ? fromStatus : undefined;
  const lastHeartbeatMs = maxDefined(reading.lastMs, ofThisAttempt);

  const verdict = judgeRun({
    admittedAtMs,
    runningSinceMs: runningSince(pods),
    lastHeartbeatMs,
    storeCompleteSinceMs: reading.completeSinceMs,
    staleAfterMs: life.staleAfterMs,
    startupTimeoutMs: life.startupTimeoutMs,
    heartbeat: life.heartbeat,
  }, nowMs);

  switch (verdict.verdict) {
    case 'alive':
      return { kind: 'alive', recheckAtMs: verdict.recheckAtMs };
    case 'stale': {
      const last = verdict.lastHeartbeatMs === undefined ? 'none received since the run started' : `last at ${time(verdict.lastHeartbeatMs)}`;
      return {
        kind: 'end', reason: 'HeartbeatTimeout',
        message: `no heartbeat for ${roughly(verdict.silentForMs)} (staleAfter ${formatDuration(life.staleAfterMs)}; ${last})`,
      };
    }
    case 'neverStarted': {
      // Kubernetes' own words: the pod's (image pull, scheduling), else the Job's
      // Events (pods refused by a quota or Pod Security).
      const why = notRunningBecause(pods) ?? (pods.length === 0 ? await d.writes.jobWarning(namespace, uid).catch(() => undefined) : undefined);
      return {
        kind: 'end', reason: 'StartupTimeout',
        message: `no pod running ${roughly(verdict.waitedMs)} after admission (startupTimeout ${formatDuration(life.startupTimeoutMs)})${why ? `: ${why}` : ''}`,
      };
    }
  }
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
