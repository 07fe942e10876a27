// A real, throwaway redis-server on a loopback port, in a temp dir, with nothing
// persisted: so a restart comes back empty, as a cache-only Redis does in production.
// Tests drive its failures: flushed, restarted, stopped, killed, frozen.
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../../src/testbed/ports.js';
import { type Component, logTail, startComponent, stopComponents } from '../../../src/testbed/processes.js';
import { eventually } from './cluster.js';

/** redis-server's path; a missing one fails the test (CI installs it; never a skip). */
export function redisServerBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('redis-server is not on PATH: install the Debian package redis-server (apt-get install redis-server); .ci/run does');
}

export class RedisServer {
  private component?: Component;

  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
    readonly password: string,
  ) {}

  /** Starts redis-server requiring `password`, so tests can check it is never logged. */
  static async start(password: string): Promise<RedisServer> {
    const bin = redisServerBinary();
    const dir = await mkdtemp(join(tmpdir(), 'syncpool-redis-'));
    let lastError: unknown;
    // The free port may be taken between the probe and redis binding it: try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServer(bin, dir, await freePort(), password);
      try {
        await server.launch();
        return server;
      } catch (err) {
        lastError = err;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  get running(): boolean {
    return this.component !== undefined;
  }

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  /** Empties every database, as `redis-cli FLUSHALL` would. */
  async flushAll(): Promise<void> {
    await this.withClient((client) => client.flushall());
  }

  /** A raw client for the test's own look at the data. */
  async withClient<T>(use: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await client.connect();
    try {
      return await use(client);
    } finally {
      client.disconnect();
    }
  }

  /** Stops it if running and starts it again, empty, on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await eventually('redis-server restarted', () => this.launch().then(() => true), { timeoutMs: 15_000, intervalMs: 250 });
  }

  /** A clean shutdown (SIGTERM). */
  async stop(): Promise<void> {
    if (this.component) await stopComponents([this.component]);
    this.component = undefined;
  }

  /** A crash (SIGKILL). */
  async kill(): Promise<void> {
    const c = this.component;
    if (!c) return;
    c.proc.kill('SIGKILL');
    await c.exited;
    this.component = undefined;
  }

  /** Freezes the process: connections stay open and nothing answers. */
  pause(): void {
    this.component?.proc.kill('SIGSTOP');
  }

  resume(): void {
    this.component?.proc.kill('SIGCONT');
  }

  /** Stops it for good and removes its directory. */
  async dispose(): Promise<void> {
    this.resume();
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const c = startComponent(this.dir, 'redis-server', this.bin, [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--save', '', '--appendonly', 'no', '--requirepass', this.password,
    ]);
    let exit: string | undefined;
    void c.exited.then((code) => { exit = `redis-server exited (${code}) while starting on port ${this.port}:\n${logTail(c.logFile)}`; });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answered = await this.withClient((client) => client.ping()).then(() => true, () => false);
      if (answered) break;
      if (exit !== undefined || Date.now() > deadline) {
        c.proc.kill('SIGKILL');
        await c.exited;
        throw new Error(exit ?? `redis-server did not answer PING on port ${this.port} within 15 s:\n${logTail(c.logFile)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.component = c;
  }
}
