// A real, throwaway Prometheus on a loopback port: a temp config and TSDB, scraping one
// operator's /metrics every second and evaluating the shipped rules every second, and
// the few calls of its HTTP API that the tests read it through.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../../src/testbed/ports.js';
import { type Component, logTail, startComponent, stopComponents } from '../../../src/testbed/processes.js';
import { eventually } from '../support/cluster.js';
import { prometheusTool, type RuleGroup } from './monitoring.js';

/** The scrape job: the alerts find the operator by a job name containing "syncpool". */
export const JOB = 'syncpool';

export interface Series {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus writes it: "1", "NaN", "+Inf"] */
  values?: [number, string][];
  value?: [number, string];
}

export interface RuleState {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  alerts?: { labels: Record<string, string>; state: string }[];
}

export class PrometheusServer {
  private constructor(private readonly c: Component, readonly dir: string, readonly port: number) {}

  static async start(o: { target: string; rules: RuleGroup[] }): Promise<PrometheusServer> {
    const bin = prometheusTool('prometheus');
    const dir = mkdtempSync(join(tmpdir(), 'syncpool-prometheus-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: o.rules }));
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yaml')],
      // honor_labels, as README.md asks of a ServiceMonitor: the pools' own namespace label stays.
      scrape_configs: [{ job_name: JOB, honor_labels: true, static_configs: [{ targets: [o.target] }] }],
    }));
    const port = await freePort();
    const c = startComponent(dir, 'prometheus', bin, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h', '--log.level=warn',
    ]);
    // Were the test process to die, its Prometheus must not outlive it.
    const orphan = () => c.proc.kill('SIGKILL');
    process.once('exit', orphan);
    void c.exited.then(() => process.off('exit', orphan));
    const server = new PrometheusServer(c, dir, port);
    try {
      await eventually('prometheus ready', async () => {
        if (c.proc.exitCode !== null) throw new Error(`prometheus exited ${c.proc.exitCode}:\n${logTail(c.logFile)}`);
        const res = await fetch(`${server.url}/-/ready`).catch(() => undefined);
        return res?.ok ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 100 });
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The end of its log, for a failing test's report. */
  tail(lines = 20): string {
    return logTail(this.c.logFile, lines);
  }

  /** GET /api/v1/<path>: its data, or an Error with Prometheus's own words. */
  async api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) query.append(k, one);
    const res = await fetch(`${this.url}/api/v1/${path}?${query}`);
    const body = await res.json() as { status: string; data: T; errorType?: string; error?: string };
    if (body.status !== 'success') throw new Error(`${body.errorType}: ${body.error}`);
    return body.data;
  }

  async query(expr: string): Promise<Series[]> {
    return (await this.api<{ result: Series[] }>('query', { query: expr })).result;
  }

  /** A range query, as a Grafana time-series panel makes. */
  async queryRange(expr: string, startMs: number, endMs: number, stepSeconds = 1): Promise<Series[]> {
    return (await this.api<{ result: Series[] }>('query_range', {
      query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds),
    })).result;
  }

  async rules(): Promise<RuleState[]> {
    return (await this.api<{ groups: { rules: RuleState[] }[] }>('rules')).groups.flatMap((g) => g.rules);
  }

  /** SIGTERM, SIGKILL after 5 s; then its directory goes. */
  async stop(): Promise<void> {
    await stopComponents([this.c]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
