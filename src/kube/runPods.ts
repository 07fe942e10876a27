// The pods the heartbeat endpoint needs to know come from the manager's pod cache, which
// every replica runs (any replica may receive a heartbeat). This is the live read behind
// it for a pod the watch has not shown yet.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { isNotFound } from './client.js';
import { slimPod } from './informers.js';

/**
 * A live read of one pod, slimmed the same way: a pod's token can be used before the
 * pod's watch event reaches the cache. Undefined when there is no such pod.
 */
export async function readRunPod(clients: KubeClients, namespace: string, name: string): Promise<V1Pod | undefined> {
  try {
    return slimPod(await clients.core.readNamespacedPod({ namespace, name }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
