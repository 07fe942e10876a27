// The Job for one attempt of a one-shot SyncTask: the pool's pod template, the worker
// contract of DESIGN.md, and security defaults that pass the "restricted" Pod Security
// Standard wherever the template is silent. Pure: same inputs, same Job.
import type { V1Container, V1EnvVar, V1Job, V1PodSecurityContext, V1SecurityContext, V1Toleration } from '@kubernetes/client-node';
import {
  ANNOTATION_ENQUEUED_AT, ANNOTATION_PRIORITY, jobName, LABEL_ATTEMPT, LABEL_MANAGED_BY, LABEL_POOL,
  LABEL_SOURCE, LABEL_SYNC_TYPE, LABEL_TASK, MANAGED_BY, PARAMETER_PREFIX, SYNC_CONTAINER,
} from './labels.js';
import type { SyncTaskSpec, WorkerPoolSpec } from '../api/types.js';
import { templateFor } from './template.js';

export const TOKEN_AUDIENCE = 'syncpool';
export const TOKEN_DIR = '/var/run/secrets/syncpool';
const TOKEN_VOLUME = 'syncpool-token';

export interface TaskRef {
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
  kind: string;
  /** What of the task's spec a Job carries (defaults may be missing on a probe). */
  spec: Pick<SyncTaskSpec, 'pool' | 'source' | 'syncType'>
    & Partial<Pick<SyncTaskSpec, 'priority' | 'parameters' | 'parametersFrom' | 'activeDeadlineSeconds'>>;
}

export interface PoolRef {
  spec: Pick<WorkerPoolSpec, 'template' | 'syncTypes'>;
}

export interface JobInputs {
  task: TaskRef;
  pool: PoolRef;
  attempt: number;
  enqueuedAt: string; // ISO time; the queue's FIFO order within a priority
  heartbeatUrl: string;
  /** Created already admitted: its pool's slot was claimed for it (controller/pools/claims.ts). */
  admitted?: boolean;
}

// A template cannot loosen these (src/api/security.ts refuses it), only leave them unset.
function restrictedContainer(sc: V1SecurityContext | undefined): V1SecurityContext {
  return {
    ...sc,
    allowPrivilegeEscalation: sc?.allowPrivilegeEscalation ?? false,
    // Adding NET_BIND_SERVICE alone still drops everything else.
    capabilities: { ...sc?.capabilities, drop: sc?.capabilities?.drop ?? ['ALL'] },
    runAsNonRoot: sc?.runAsNonRoot ?? true,
    seccompProfile: sc?.seccompProfile ?? { type: 'RuntimeDefault' },
  };
}

function restrictedPod(sc: V1PodSecurityContext | undefined): V1PodSecurityContext {
  return { ...sc, runAsNonRoot: sc?.runAsNonRoot ?? true, seccompProfile: sc?.seccompProfile ?? { type: 'RuntimeDefault' } };
}

function contractEnv({ task, attempt, heartbeatUrl }: JobInputs): V1EnvVar[] {
  return [
    { name: 'SYNCPOOL_TASK', value: `${task.namespace}/${task.name}` },
    { name: 'SYNCPOOL_SOURCE', value: task.spec.source },
    { name: 'SYNCPOOL_SYNC_TYPE', value: task.spec.syncType },
    { name: 'SYNCPOOL_ATTEMPT', value: String(attempt) },
    { name: 'SYNCPOOL_PARAMETERS', value: JSON.stringify(task.spec.parameters ?? {}) },
    { name: 'SYNCPOOL_HEARTBEAT_URL', value: heartbeatUrl },
    { name: 'SYNCPOOL_TOKEN_FILE', value: `${TOKEN_DIR}/token` },
  ];
}

export function buildJob(inputs: JobInputs): V1Job {
  const { task, pool, attempt } = inputs;
  const t = templateFor(pool.spec, task.spec.source, task.spec.syncType);
  const own = {
    [LABEL_POOL]: task.spec.pool,
    [LABEL_TASK]: task.name,
    [LABEL_SOURCE]: task.spec.source,
    [LABEL_SYNC_TYPE]: task.spec.syncType,
    [LABEL_ATTEMPT]: String(attempt),
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  // The pool's labels reach the pods; ours win (the schema refuses the clash anyway).
  const podLabels = { ...t.labels, ...own };
  // Contract variables come last so a template cannot shadow them.
  const env = [...(t.env ?? []).filter((e) => !e.name.startsWith('SYNCPOOL_')), ...contractEnv(inputs)];
  const container: V1Container = {
    name: SYNC_CONTAINER,
    image: t.image,
    command: t.command,
    args: t.args,
    env: env as V1EnvVar[],
    envFrom: [
      ...(t.envFrom ?? []),
      // Secret parameters reach the worker as SYNCPOOL_PARAM_* variables, never inline in the Job.
      ...(task.spec.parametersFrom ? [{ secretRef: { name: task.spec.parametersFrom.secretRef.name }, prefix: PARAMETER_PREFIX }] : []),
    ] as V1Container['envFrom'],
    resources: t.resources as V1Container['resources'],
    securityContext: restrictedContainer(t.securityContext as V1SecurityContext | undefined),
    volumeMounts: [{ name: TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true }],
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(task.name, attempt),
      namespace: task.namespace,
      labels: own,
      annotations: {
        [ANNOTATION_PRIORITY]: String(task.spec.priority ?? 0),
        [ANNOTATION_ENQUEUED_AT]: inputs.enqueuedAt,
      },
      ownerReferences: [{
        apiVersion: task.apiVersion, kind: task.kind, name: task.name, uid: task.uid,
        controller: true, blockOwnerDeletion: true,
      }],
    },
    spec: {
      // Created suspended: being in the pool's queue means exactly this. Unsuspended only
      // when the pool admitted it before it was made (a claim).
      suspend: !inputs.admitted,
      // Retries are the operator's (with backoff and a new attempt number), not the Job's.
      backoffLimit: 0,
      activeDeadlineSeconds: task.spec.activeDeadlineSeconds,
      template: {
        metadata: { labels: podLabels, annotations: t.annotations },
        spec: {
          restartPolicy: 'Never',
          // Explicit, not left to admission: the projected token needs a named account.
          serviceAccountName: t.serviceAccountName ?? 'default',
          automountServiceAccountToken: false,
          nodeSelector: t.nodeSelector,
          tolerations: t.tolerations as V1Toleration[] | undefined,
          securityContext: restrictedPod(t.podSecurityContext as V1PodSecurityContext | undefined),
          containers: [container],
          volumes: [{
            name: TOKEN_VOLUME,
            projected: { sources: [{ serviceAccountToken: { audience: TOKEN_AUDIENCE, expirationSeconds: 3600, path: 'token' } }] },
          }],
        },
      },
    },
  };
}
