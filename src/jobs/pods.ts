// What a run's pods say about whether it started, read from the pods alone. Pure.
import type { V1Pod } from '@kubernetes/client-node';

const ms = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).getTime());

/** When a pod of the run was first running, by the node's account; undefined if none ever ran. */
export function runningSince(pods: readonly V1Pod[]): number | undefined {
  let first: number | undefined;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed') continue;
    const state = pod.status?.containerStatuses?.[0]?.state;
    const at = ms(state?.running?.startedAt ?? state?.terminated?.startedAt ?? pod.status?.startTime) ?? 0;
    first = first === undefined ? at : Math.min(first, at);
  }
  return first;
}

/** Why the run's pod is not running, in Kubernetes' words (image pull, scheduling), if it says. */
export function notRunningBecause(pods: readonly V1Pod[]): string | undefined {
  for (const pod of pods) {
    const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting).find((w) => w?.reason);
    if (waiting) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
    const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) return `${unscheduled.reason ?? 'Unschedulable'}${unscheduled.message ? `: ${unscheduled.message}` : ''}`;
  }
  return undefined;
}
