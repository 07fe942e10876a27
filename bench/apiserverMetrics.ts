// Requests as kube-apiserver counts them (apiserver_request_total), so the bench counts
// the operator's API calls without trusting the operator. The counter covers every
// client of the control plane: compare two scrapes taken around a quiet measurement.
import { request } from 'node:https';
import type { KubeClients } from '../src/kube/client.js';

/** Request counts by `verb resource subresource code` (subresource and code may be empty). */
export type Counts = Map<string, number>;

/**
 * One GET of the API server's own endpoints (/metrics, /debug/pprof/…) with the
 * kubeconfig's credentials; the body as it came, or an error naming the status.
 */
export async function apiserverGet(kube: KubeClients, path: string): Promise<Buffer> {
  const url = new URL(kube.config.getCurrentCluster()!.server);
  const opts = { method: 'GET', host: url.hostname, port: url.port, path };
  await kube.config.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.toString('utf8').slice(0, 200)}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function scrape(kube: KubeClients): Promise<Counts> {
  const text = (await apiserverGet(kube, '/metrics')).toString('utf8');
  const counts: Counts = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (name: string) => line.match(new RegExp(`[{,]${name}="([^"]*)"`))?.[1] ?? '';
    const key = `${label('verb')} ${label('resource')} ${label('subresource')} ${label('code')}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** Requests between two scrapes with this verb, resource and subresource, by code. */
export function delta(before: Counts, after: Counts, verb: string, resource: string, subresource = ''): Map<string, number> {
  const prefix = `${verb} ${resource} ${subresource} `;
  const byCode = new Map<string, number>();
  for (const [key, n] of after) {
    if (!key.startsWith(prefix)) continue;
    const d = n - (before.get(key) ?? 0);
    if (d > 0) byCode.set(key.slice(prefix.length), d);
  }
  return byCode;
}

export const total = (byCode: Map<string, number>) => [...byCode.values()].reduce((a, b) => a + b, 0);

// The operator's writes: task and pool status, Job create/admit/delete. The bench's own
// writes (creating tasks, unpausing) and the Job controller's status updates are other
// verbs or subresources and are left out.
export const OPERATOR_WRITES = [
  ['PATCH', 'synctasks', 'status'], ['PATCH', 'workerpools', 'status'],
  ['POST', 'jobs', ''], ['PATCH', 'jobs', ''], ['DELETE', 'jobs', ''],
] as const;
