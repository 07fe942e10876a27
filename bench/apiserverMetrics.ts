// Requests as kube-apiserver counts them (apiserver_request_total), so the bench counts
// the operator's API calls without trusting the operator. The counter covers every
// client of the control plane: compare two scrapes taken around a quiet measurement.
import { request } from 'node:https';
import type { KubeClients } from '../src/kube/client.js';

/** Request counts by `verb resource subresource code` (subresource and code may be empty). */
export type Counts = Map<string, number>;

export async function scrape(kube: KubeClients): Promise<Counts> {
  const opts = { method: 'GET', path: '/metrics', host: '', port: '' as string | number };
  const url = new URL(kube.config.getCurrentCluster()!.server);
  Object.assign(opts, { host: url.hostname, port: url.port });
  await kube.config.applyToHTTPSOptions(opts);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
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
