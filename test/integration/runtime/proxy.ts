// A TCP proxy in front of the API server, to cause the network failures a controller
// meets in production: connections reset, the server unreachable, or a connection that
// silently stops delivering (a half-open socket behind a NAT or load balancer).
// TLS passes through untouched; the server certificate covers 127.0.0.1.
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/kube/client.js';

export class FlakyProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'up' | 'down' = 'up';
  /** Connections attempted so far, refused ones included. */
  attempts = 0;

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: URL): Promise<FlakyProxy> {
    let proxy!: FlakyProxy;
    const server = createServer((client) => proxy.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FlakyProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** A kubeconfig like `file`'s, with the server address pointing through this proxy. */
  kubeconfig(file: string): KubeConfig {
    const config = loadKubeConfig(file);
    const cluster = config.getCurrentCluster()!;
    const clusters = config.clusters.map((c) => (c === cluster ? { ...c, server: `https://127.0.0.1:${this.port}` } : c));
    config.loadFromOptions({ clusters, users: config.users, contexts: config.contexts, currentContext: config.currentContext });
    return config;
  }

  /** Resets every open connection and refuses new ones until up(). */
  down(): void {
    this.mode = 'down';
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  up(): void {
    this.mode = 'up';
  }

  /** Open connections stay open but carry nothing more; new connections work. */
  freeze(): void {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, target: URL): void {
    this.attempts++;
    if (this.mode === 'down') return void client.resetAndDestroy();
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
