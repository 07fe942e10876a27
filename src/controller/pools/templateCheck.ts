// Whether a pool's template (and each per-sync override) makes a Job the API server
// accepts, asked with a dry-run create (the pool reconciler asks once per generation). A pool that cannot run
// anything then says so itself (Ready=False, InvalidTemplate, with the field), instead
// of reporting Ready while each of its tasks finds out alone.
import type { V1Job } from '@kubernetes/client-node';
import type { WorkerPool } from '../../api/types.js';
import { API_VERSION } from '../../api/common.js';
import { buildJob } from '../../jobs/build.js';
import { apiCauses, apiMessage, apiStatus, isAlreadyExists, isDefiniteRefusal } from '../../kube/client.js';
import type { ClusterWrites } from '../../kube/writers.js';

export type TemplateVerdict = { ok: true } | { ok: false; message: string };

const PROBE_TASK = 'template-check';

function probes(pool: WorkerPool, heartbeatUrl: string): { what: string; job: V1Job }[] {
  const namespace = pool.metadata.namespace;
  const make = (source: string, syncType: string): V1Job => {
    const job = buildJob({
      task: {
        namespace, name: PROBE_TASK, uid: pool.metadata.uid ?? '', apiVersion: API_VERSION, kind: 'WorkerPool',
        spec: { pool: pool.metadata.name, source, syncType },
      },
      pool, attempt: 1, enqueuedAt: new Date(0).toISOString(), heartbeatUrl,
    });
    // A name of its own (nothing is stored) and no owner: the pool is not the Job's owner.
    job.metadata = { ...job.metadata, name: undefined, generateName: `${PROBE_TASK}-`, ownerReferences: undefined };
    return job;
  };
  const out = [{ what: 'spec.template', job: make('probe', 'probe') }];
  for (const [i, rule] of (pool.spec.syncTypes ?? []).entries()) {
    if (!rule.template) continue;
    const type = rule.types.find((t) => t !== '*') ?? 'probe';
    out.push({ what: `spec.syncTypes[${i}].template`, job: make(rule.source, type) });
  }
  return out;
}

export class TemplateChecks {
  constructor(private readonly writes: ClusterWrites, private readonly heartbeatUrl: string) {}

  /** Asks the API server (a dry run per template); throws only when it could not answer. */
  async verdict(pool: WorkerPool): Promise<TemplateVerdict> {
    for (const probe of probes(pool, this.heartbeatUrl)) {
      try {
        await this.writes.checkJob(probe.job);
      } catch (err) {
        const code = apiStatus(err);
        // Only a validation answer is a verdict on the template. A quota or a policy
        // that forbids the create (403), a name clash (409): not the template's fault.
        if (isAlreadyExists(err) || (isDefiniteRefusal(err) && code !== 400 && code !== 422)) continue;
        if (code !== 400 && code !== 422) throw err; // no answer: try again later
        const fields = apiCauses(err).map((c) => c.field).filter(Boolean).join(', ');
        return { ok: false, message: `${probe.what} makes a Job the API server refuses${fields ? ` (${fields})` : ''}: ${apiMessage(err)}` };
      }
    }
    return { ok: true };
  }
}
