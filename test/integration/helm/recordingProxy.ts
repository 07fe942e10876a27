// A TLS proxy in front of the API server that writes down every request it forwards as
// the RBAC check the API server makes for it (verb, group, resource/subresource,
// namespace) and the status it answered. It serves the API server's own certificate, so
// a client that trusts the cluster's CA cannot tell it apart; requests and streamed
// answers (watches) pass through untouched.
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Recorded {
  verb: string;
  group: string;
  /** resource, or resource/subresource */
  resource: string;
  /** '' for cluster-scoped requests and lists across all namespaces */
  namespace: string;
  status: number;
  path: string;
}

export class RecordingProxy {
  readonly requests: Recorded[] = [];
  private constructor(private readonly server: Server, readonly url: string) {}

  /** `pki`: the testbed's PKI directory (serving.crt/.key, ca.crt). */
  static async start(target: string, pki: string): Promise<RecordingProxy> {
    const ca = readFileSync(`${pki}/ca.crt`);
    let proxy!: RecordingProxy;
    const server = createServer({ cert: readFileSync(`${pki}/serving.crt`), key: readFileSync(`${pki}/serving.key`) },
      (req, res) => proxy.forward(req, res, new URL(target), ca));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new RecordingProxy(server, `https://127.0.0.1:${(server.address() as { port: number }).port}`);
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: URL, ca: Buffer): void {
    const upstream = request({
      host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, ca,
    }, (answer) => {
      const attributes = requestAttributes(req.method!, req.url!);
      if (attributes) this.requests.push({ ...attributes, status: answer.statusCode!, path: req.url! });
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

/**
 * The authorizer's view of a request (k8s.io/apiserver's RequestInfo): undefined for
 * non-resource paths (/version, discovery), which every authenticated user may read.
 */
export function requestAttributes(method: string, url: string): Omit<Recorded, 'status' | 'path'> | undefined {
  const { pathname, searchParams } = new URL(url, 'https://x');
  const parts = pathname.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  // /namespaces/{ns}/{resource}..., but /namespaces/{name} alone is the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const watch = searchParams.get('watch') === 'true' || searchParams.get('watch') === '1';
  const verb = {
    GET: name ? 'get' : watch ? 'watch' : 'list',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: name ? 'delete' : 'deletecollection',
  }[method];
  if (!verb || !resource) return undefined;
  return { verb, group, resource: subresource ? `${resource}/${subresource}` : resource, namespace };
}
