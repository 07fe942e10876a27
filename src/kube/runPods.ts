// The pods the heartbeat endpoint needs to know: every sync pod (labelled with a pool),
// watched by every replica, not only the leader, since any replica may receive a
// heartbeat. Slim: which run a pod is and whether it is still alive, nothing more.
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL_POOL } from '../jobs/labels.js';
import { type InformerOptions, ResilientInformer } from '../runtime/informer.js';
import { isNotFound, type KubeClients } from './client.js';

function slimRunPod(pod: V1Pod): V1Pod {
  return {
    metadata: {
      namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion, labels: pod.metadata?.labels, deletionTimestamp: pod.metadata?.deletionTimestamp,
    },
    status: { phase: pod.status?.phase },
  };
}

/** `namespace` undefined: every namespace. */
export function runPodInformer(clients: KubeClients, namespace: string | undefined, opts: InformerOptions<V1Pod>): ResilientInformer<V1Pod> {
  const path = `/api/v1${namespace ? `/namespaces/${namespace}` : ''}/pods`;
  const list = () => (namespace
    ? clients.core.listNamespacedPod({ namespace, labelSelector: LABEL_POOL })
    : clients.core.listPodForAllNamespaces({ labelSelector: LABEL_POOL }));
  return new ResilientInformer<V1Pod>(clients, path, list, { ...opts, labelSelector: LABEL_POOL, transform: slimRunPod });
}

/**
 * A live read of one pod, slimmed the same way: a pod's token can be used before the
 * pod's watch event reaches the cache. Undefined when there is no such pod.
 */
export async function readRunPod(clients: KubeClients, namespace: string, name: string): Promise<V1Pod | undefined> {
  try {
    return slimRunPod(await clients.core.readNamespacedPod({ namespace, name }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
