// An HTTP relay in front of the API server that can make every watch expire, the way a
// real API server answers a watch whose resourceVersion has been compacted away: status
// 200, then one ERROR event carrying a Status with code 410 (reason Expired), then the
// end of the stream. A real one is hard to provoke on demand (the watch cache keeps a
// window of history and compaction runs every 5 minutes), and FlakyProxy cannot do it:
// it relays TLS it cannot read. So the operator speaks plain HTTP to this relay (a
// kubeconfig with skip-tls-verify, which client-node requires for http://) and the relay
// speaks TLS upstream with the test's own admin credentials.
//
// expireWatches() ends every open watch and answers the next watch of each resource with
// that 410; client-node's ListWatch then clears its resourceVersion and lists again,
// which the relay sees as a list request on the same path: the proof of a relist.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const EXPIRED = JSON.stringify({
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version (forced by the fault suite)', reason: 'Expired', code: 410 },
});

export class ApiRelay {
  /** Watch paths answered with a 410, and when. */
  readonly expired = new Map<string, number>();
  /** List requests (GET, not a watch) per path, with when each came. */
  readonly lists = new Map<string, number[]>();
  private readonly openWatches = new Map<ServerResponse, string>();
  private armedAt?: number;

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(kubeconfigFile: string): Promise<ApiRelay> {
    const upstream = new KubeConfig();
    upstream.loadFromFile(kubeconfigFile);
    const target = new URL(upstream.getCurrentCluster()!.server);
    const tls: RequestOptions = {};
    await upstream.applyToHTTPSOptions(tls);
    let relay!: ApiRelay;
    const server = createServer((req, res) => relay.handle(req, res, target, tls));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new ApiRelay(server, (server.address() as { port: number }).port);
    return relay;
  }

  /**
   * Writes a kubeconfig for a client of this relay at http://127.0.0.1:`port` (this
   * relay's, or a proxy's in front of it) into `dir`; returns its path.
   */
  static writeKubeconfig(dir: string, port: number): string {
    const file = join(dir, `relay-${port}.kubeconfig`);
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'relay',
      clusters: [{ name: 'relay', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'relay', user: {} }],
      contexts: [{ name: 'relay', context: { cluster: 'relay', user: 'relay' } }],
    }));
    return file;
  }

  /** Ends every open watch, and the next watch of each path gets a 410; returns the paths cut. */
  expireWatches(): string[] {
    this.armedAt = Date.now();
    this.expired.clear();
    const cut = this.watching();
    for (const res of this.openWatches.keys()) res.destroy();
    this.openWatches.clear();
    return cut;
  }

  /** Paths with a watch open through the relay now. */
  watching(): string[] {
    return [...new Set(this.openWatches.values())].sort();
  }

  /** Of `paths`, those not yet answered with a 410 and listed again after it. */
  notRelisted(paths: string[]): string[] {
    return paths.filter((path) => {
      const at = this.expired.get(path);
      return at === undefined || !(this.lists.get(path) ?? []).some((t) => t >= at);
    });
  }

  async close(): Promise<void> {
    for (const res of this.openWatches.keys()) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL, tls: RequestOptions): void {
    const url = new URL(req.url ?? '/', target);
    const path = url.pathname;
    const watching = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    if (req.method === 'GET' && !watching) this.lists.set(path, [...(this.lists.get(path) ?? []), Date.now()]);
    if (watching && this.armedAt !== undefined && !this.expired.has(path)) {
      this.expired.set(path, Date.now());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${EXPIRED}\n`);
      return;
    }
    const headers = { ...tls.headers, ...req.headers, host: target.host };
    const upstream = httpsRequest({ ...tls, hostname: target.hostname, port: target.port, path: url.pathname + url.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    if (watching) {
      this.openWatches.set(res, path);
      res.on('close', () => this.openWatches.delete(res));
    }
    // Either side going away ends the other.
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
