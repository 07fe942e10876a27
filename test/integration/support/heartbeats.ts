// Speaking to the heartbeat endpoint as a sync pod would: a token bound to a pod, minted
// with the TokenRequest API (what the kubelet does for the projected volume), and a POST.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClients } from '../../../src/kube/client.js';
import { eventually } from './cluster.js';

export interface TokenOptions {
  /** Default: syncpool, the audience of the projected volume. */
  audiences?: string[];
  /** The pod's service account; our Jobs' pods use `default`. */
  serviceAccount?: string;
  /** At least 600: the API server's minimum. */
  expirationSeconds?: number;
}

/** A service-account token bound to this pod: valid while the pod (that uid) exists. */
export async function mintPodToken(kube: KubeClients, pod: V1Pod, o: TokenOptions = {}): Promise<string> {
  const { namespace, name, uid } = pod.metadata!;
  const request = await kube.core.createNamespacedServiceAccountToken({
    namespace: namespace!,
    name: o.serviceAccount ?? pod.spec?.serviceAccountName ?? 'default',
    body: {
      spec: {
        audiences: o.audiences ?? ['syncpool'],
        expirationSeconds: o.expirationSeconds ?? 600,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, uid },
      },
    },
  });
  return request.status!.token;
}

export interface HeartbeatAnswer {
  status: number;
  body: { task?: string; attempt?: number; error?: string; reason?: string };
  headers: Headers;
}

/**
 * POSTs a heartbeat to an operator listening on 127.0.0.1:`port`. `body` as an object is
 * sent as JSON, as a string it is sent as is; no token: no Authorization header.
 */
export async function sendHeartbeat(port: number, token: string | undefined, body: object | string = {}): Promise<HeartbeatAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as HeartbeatAnswer['body'] : {}, headers: res.headers };
}

/** The pod of a task's run, once it is in `phase` (Running, Succeeded, …). */
export function podOfTask(kube: KubeClients, namespace: string, task: string, phase = 'Running', timeoutMs = 60_000): Promise<V1Pod> {
  return eventually(`a ${phase} pod of task ${task}`, async () => {
    const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: `syncpool.dev/task=${task}` });
    return pods.items.find((p) => p.status?.phase === phase && !p.metadata?.deletionTimestamp);
  }, { timeoutMs, intervalMs: 250 });
}
