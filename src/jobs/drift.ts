// Whether a Job still runs what its task says. Pure.
//
// The CRD makes source, syncType, parameters and parametersFrom immutable once a task
// has a Job, but CEL compares free-form objects loosely (a renamed parameter key with
// the same count slips through) and an object may predate the rule. A queued Job that
// no longer matches its task is made again, so a task never runs a sync it does not show.
import type { V1Job } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { PARAMETER_PREFIX, SYNC_CONTAINER } from './labels.js';

export interface RunSpec {
  source: string;
  syncType: string;
  parameters?: Record<string, unknown>;
  parametersFrom?: { secretRef: { name: string } };
}

/** The first task field the Job no longer matches, or undefined. */
export function driftedField(job: V1Job, spec: RunSpec): string | undefined {
  const container = job.spec?.template?.spec?.containers?.find((c) => c.name === SYNC_CONTAINER);
  if (!container) return undefined; // not one of ours (an adopted CronJob's run)
  const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
  if (env.get('SYNCPOOL_SOURCE') !== spec.source) return 'spec.source';
  if (env.get('SYNCPOOL_SYNC_TYPE') !== spec.syncType) return 'spec.syncType';
  const parameters = JSON.parse(env.get('SYNCPOOL_PARAMETERS') ?? '{}') as unknown;
  if (!isDeepStrictEqual(parameters, JSON.parse(JSON.stringify(spec.parameters ?? {})))) return 'spec.parameters';
  const secret = container.envFrom?.find((e) => e.prefix === PARAMETER_PREFIX)?.secretRef?.name;
  if (secret !== spec.parametersFrom?.secretRef.name) return 'spec.parametersFrom';
  return undefined;
}
