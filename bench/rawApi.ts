// Plain HTTPS to the API server over kept-alive connections, for bulk loading. The
// generated client opens a new TLS connection for every request, which would make
// creating 20,000 Jobs a benchmark of handshakes.
import { Agent, request } from 'node:https';
import { GROUP, VERSION } from '../src/api/common.js';
import type { KubeClients } from '../src/kube/client.js';
import { TASKS } from '../src/kube/writers.js';

export interface RawResponse { status: number; body: string }

export class RawApi {
  private constructor(private readonly base: URL, private readonly agent: Agent) {}

  static async connect(kube: KubeClients, maxSockets: number): Promise<RawApi> {
    const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
    await kube.config.applyToHTTPSOptions(tls as never);
    const agent = new Agent({ keepAlive: true, maxSockets, ca: tls.ca, cert: tls.cert, key: tls.key });
    return new RawApi(new URL(kube.config.getCurrentCluster()!.server), agent);
  }

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), {
        method, agent: this.agent, headers: body === undefined ? {} : { 'content-type': contentType },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `work(i)` for i in [0, count) with at most `limit` in flight; rejects on the first failure. */
export async function bounded(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** What task `i` of a bulk load is: its name and spec. */
export type TaskOf = (i: number) => { name: string; spec: Record<string, unknown> };

/** Creates `count` SyncTasks in `namespace`, `concurrency` at a time over kept-alive connections. */
export async function createTasks(kube: KubeClients, namespace: string, count: number, concurrency: number, taskOf: TaskOf): Promise<void> {
  const raw = await RawApi.connect(kube, concurrency);
  try {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${TASKS}`;
    await bounded(count, concurrency, async (i) => {
      const { name, spec } = taskOf(i);
      const res = await raw.call('POST', path, { apiVersion: `${GROUP}/${VERSION}`, kind: 'SyncTask', metadata: { name }, spec });
      if (res.status !== 201) throw new Error(`create SyncTask ${name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    });
  } finally {
    raw.close();
  }
}
