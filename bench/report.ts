// The bench's report: what each section printed, its figures as data, the machine it ran
// on, and the issue's targets beside what was measured. Written as JSON (for tools) and
// Markdown (for people; the README links it) into bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeOperatorMemory } from './memoryLimit.js';
import { imageNodeFlags } from './operator.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

export interface Target {
  figure: string;
  target: string;
  measured: string;
  met: boolean;
  /** Why it misses, where the time goes, what would close it. */
  note?: string;
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

export class BenchReport {
  private readonly began = new Date();
  private readonly loadAtStart = loadavg();
  private readonly sections: { title: string; text: string }[] = [];
  private readonly data: Record<string, unknown> = {};
  private readonly targets: Target[] = [];

  /** Prints a section now and keeps it for the report. */
  section(title: string, text: string, data?: unknown): void {
    process.stdout.write(`\n## ${title}\n${text}\n`);
    this.sections.push({ title, text });
    if (data !== undefined) this.data[title] = data;
  }

  target(t: Target): void {
    this.targets.push(t);
  }

  private machine() {
    const cpu = cpus();
    return {
      cpus: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: this.loadAtStart.map((l) => Number(l.toFixed(2))),
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
      operator: `node ${imageNodeFlags().join(' ')}, ${describeOperatorMemory()}`,
    };
  }

  /** Writes `<name>.json` and `<name>.md`; returns the Markdown's path. */
  write(name: string, settings: Record<string, unknown>): string {
    mkdirSync(RESULTS, { recursive: true });
    const machine = this.machine();
    const tookMin = ((Date.now() - this.began.getTime()) / 60_000).toFixed(1);
    const json = { began: this.began.toISOString(), tookMinutes: Number(tookMin), commit: commit(), machine, settings, targets: this.targets, results: this.data };
    writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    const md = [
      `# syncpool benchmark report`,
      '',
      `Run ${this.began.toISOString()} (${tookMin} min) at commit ${json.commit}, with \`npm run bench\`.`,
      `Machine: ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverageAtStart.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end.`,
      `Operator: ${machine.operator}.`,
      `The control plane is the local testbed (etcd, kube-apiserver, controller-manager, scheduler, kwok) on the same machine; these machines are shared and noisy, so compare figures of one run, not across runs.`,
      '',
      `Settings: ${Object.entries(settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`,
      '',
      '## Targets',
      '',
      '| figure | target | measured | met |',
      '|---|---|---|---|',
      ...this.targets.map((t) => `| ${t.figure} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
      '',
      ...this.targets.filter((t) => t.note).flatMap((t) => [`- **${t.figure}**: ${t.note}`]),
      '',
      ...this.sections.flatMap(({ title, text }) => [`## ${title}`, '', '```', text, '```', '']),
    ].join('\n');
    const path = join(RESULTS, `${name}.md`);
    writeFileSync(path, md);
    return path;
  }
}
