// The pods the heartbeat endpoint needs to know: every sync pod (labelled with a pool),
// watched by every replica, not only the leader, since any replica may receive a
// heartbeat. The same informer and slimming as the controllers' pod cache (informers.ts);
// each replica runs its own, started at process start rather than on leading.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { isNotFound } from './client.js';
import { podInformer, slimPod } from './informers.js';

export const runPodInformer = podInformer;

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
