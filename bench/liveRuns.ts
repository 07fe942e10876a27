// Many live sync runs, made fast: SyncTasks created with bounded parallel writes over
// kept-alive connections, their pods waited for until Running on the fake node, then a
// pod-bound token per pod, minted with the TokenRequest API as the kubelet mints the
// projected one (what test/integration/support/heartbeats.ts mintPodToken does, over
// the same connections: a thousand fresh TLS handshakes would be the slow part).
import { API_VERSION } from '../src/api/common.js';
import { LABEL_POOL } from '../src/jobs/labels.js';
import { TASKS } from '../src/kube/writers.js';
import { eventually } from '../test/integration/support/cluster.js';
import { bounded, type RawApi, type RawResponse } from './rawApi.js';

export interface RunPod { name: string; uid: string }

const CONCURRENCY = 16;

async function ok(what: string, call: Promise<RawResponse>): Promise<string> {
  const res = await call;
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
  return res.body;
}

/** `count` SyncTasks in `pool`, named `<prefix>-0000`…, each of its own sync type. */
export async function createTasks(raw: RawApi, namespace: string, pool: string, prefix: string, count: number): Promise<void> {
  const path = `/apis/${API_VERSION}/namespaces/${namespace}/${TASKS}`;
  await bounded(count, CONCURRENCY, async (i) => {
    const name = `${prefix}-${String(i).padStart(4, '0')}`;
    const body = { apiVersion: API_VERSION, kind: 'SyncTask', metadata: { name }, spec: { pool, source: 'hubspot', syncType: `s${i}` } };
    await ok(`create SyncTask ${name}`, raw.call('POST', path, body));
  });
}

/** Resolves with the pool's pods once `count` of them are Running (and not terminating). */
export function runningPods(raw: RawApi, namespace: string, pool: string, count: number, timeoutMs: number): Promise<RunPod[]> {
  const path = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`${LABEL_POOL}=${pool}`)}`;
  type PodList = { items: { metadata: { name: string; uid: string; deletionTimestamp?: string }; status?: { phase?: string } }[] };
  return eventually(`${count} Running pods of pool ${pool}`, async () => {
    const list = JSON.parse(await ok('list pods', raw.call('GET', path))) as PodList;
    const running = list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
    return running.length >= count ? running.map((p) => ({ name: p.metadata.name, uid: p.metadata.uid })) : undefined;
  }, { timeoutMs, intervalMs: 2_000 });
}

/** A token per pod, audience syncpool, bound to that pod; pods run as service account `default`. */
export async function mintTokens(raw: RawApi, namespace: string, pods: RunPod[], expirationSeconds = 3600): Promise<string[]> {
  const path = `/api/v1/namespaces/${namespace}/serviceaccounts/default/token`;
  const tokens: string[] = new Array<string>(pods.length);
  await bounded(pods.length, CONCURRENCY, async (i) => {
    const { name, uid } = pods[i]!;
    const body = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      spec: { audiences: ['syncpool'], expirationSeconds, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, uid } },
    };
    tokens[i] = (JSON.parse(await ok(`token for pod ${name}`, raw.call('POST', path, body))) as { status: { token: string } }).status.token;
  });
  return tokens;
}
