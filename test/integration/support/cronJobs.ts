// Making a CronJob's run by hand, as `kubectl create job --from=cronjob/<name>` does:
// a Job from its jobTemplate, owned by it. Faster than waiting for a scheduled tick.
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import type { KubeClients } from '../../../src/kube/client.js';

/** The run is named `<cronjob>-manual-<suffix>`. */
export function triggerRun(kube: KubeClients, namespace: string, cj: V1CronJob, suffix: string): Promise<V1Job> {
  const t = cj.spec!.jobTemplate;
  return kube.batch.createNamespacedJob({
    namespace,
    body: {
      metadata: {
        name: `${cj.metadata!.name}-manual-${suffix}`,
        labels: t.metadata?.labels,
        annotations: { ...t.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata!.name!, uid: cj.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: t.spec,
    },
  });
}
