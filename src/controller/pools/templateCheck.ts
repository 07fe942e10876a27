// Whether a pool's template (and each per-sync override) makes a Job the API server
// accepts, asked once per pool generation with a dry-run create. A pool that cannot run
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
  private readonly verdicts = new Map<string, { generation: number; verdict: TemplateVerdict }>();

  constructor(private readonly writes: ClusterWrites, private readonly heartbeatUrl: string) {}

  /** Throws only when the API server could not answer (retry later). */
  async verdict(pool: WorkerPool): Promise<TemplateVerdict> {
    const key = pool.metadata.uid ?? `${pool.metadata.namespace}/${pool.metadata.name}`;
    const generation = pool.metadata.generation ?? 0;
    const known = this.verdicts.get(key);
    if (known?.generation === generation) return known.verdict;
    let verdict: TemplateVerdict = { ok: true };
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
        verdict = { ok: false, message: `${probe.what} makes a Job the API server refuses${fields ? ` (${fields})` : ''}: ${apiMessage(err)}` };
        break;
      }
    }
    this.verdicts.set(key, { generation, verdict });
    return verdict;
  }

  forget(uid: string): void {
    this.verdicts.delete(uid);
  }
}
