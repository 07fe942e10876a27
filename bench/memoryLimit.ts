// The operator's memory limit as the chart ships it, applied to the bench's operator.
// Node sizes V8's heap from the memory it may use: under the chart's 512Mi it picks a
// heap limit of about 259 MiB and collects garbage long before that; on a 24 GiB bench
// host it picks about 4 GiB and lets garbage grow the heap several-fold. Measured
// without the limit, the bench's RSS is a host's figure, not a pod's. Where the kernel
// lets us (root, a writable memory cgroup), the operator runs in a cgroup of the chart's
// limit, as its container would; elsewhere it runs unconstrained and the report says so.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 } as const;
const DECIMAL = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 } as const;

/** A Kubernetes memory quantity (`512Mi`, `1G`, `268435456`) in bytes. */
export function quantityBytes(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q).trim());
  if (!m) throw new Error(`not a memory quantity: ${JSON.stringify(q)}`);
  const unit = m[2] as keyof typeof BINARY | keyof typeof DECIMAL | undefined;
  const scale = unit === undefined ? 1 : (BINARY as Record<string, number>)[unit] ?? (DECIMAL as Record<string, number>)[unit]!;
  return Math.round(Number(m[1]) * scale);
}

/** The chart's default `resources.limits.memory` for the operator, in bytes. */
export function chartMemoryLimitBytes(values = readFileSync(`${REPO}deploy/helm/syncpool/values.yaml`, 'utf8')): number {
  const limit = (parse(values) as { resources?: { limits?: { memory?: string | number } } }).resources?.limits?.memory;
  if (limit === undefined) throw new Error('the chart sets no resources.limits.memory');
  return quantityBytes(limit);
}

/** Where the kernel keeps memory cgroups, and each version's file names. */
const LAYOUTS = [
  { root: '/sys/fs/cgroup', probe: 'cgroup.controllers', limit: 'memory.max', oom: 'memory.events' },
  { root: '/sys/fs/cgroup/memory', probe: 'memory.limit_in_bytes', limit: 'memory.limit_in_bytes', oom: 'memory.oom_control' },
];

export interface MemoryLimit {
  bytes: number;
  /** For the report: where the limit came from, or why there is none. */
  describe: string;
  /** argv that runs `argv` inside the cgroup (as is when unconstrained). */
  wrap(argv: string[]): string[];
  /** How many times the kernel killed a process of the cgroup for its memory. */
  oomKills(): number;
  remove(): void;
}

/** A cgroup named `name` limited to the chart's memory limit, or an unconstrained stand-in saying why. */
export function operatorMemoryLimit(name: string): MemoryLimit {
  const bytes = chartMemoryLimitBytes();
  const mib = `${bytes / 2 ** 20} MiB`;
  const unconstrained = (why: string): MemoryLimit => ({
    bytes,
    describe: `unconstrained (${why}), so V8 sizes its heap from the host's memory, not the chart's ${mib}`,
    wrap: (argv) => argv,
    oomKills: () => 0,
    remove: () => {},
  });
  // For a comparison of the pod's figures with the host's.
  if (process.env.SYNCPOOL_BENCH_MEMORY_LIMIT === '0') return unconstrained('as asked: SYNCPOOL_BENCH_MEMORY_LIMIT=0');
  const failures: string[] = [];
  for (const l of LAYOUTS) {
    const dir = `${l.root}/${name}`;
    try {
      readFileSync(`${l.root}/${l.probe}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${l.limit}`, String(bytes));
    } catch (e) {
      failures.push(`${l.root}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    return {
      bytes,
      describe: `in a memory cgroup of ${mib}, the chart's resources.limits.memory, as in its pod`,
      // $0 is the cgroup's procs file: the shell moves itself in, then becomes the operator (same pid).
      wrap: (argv) => ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', `${dir}/cgroup.procs`, ...argv],
      oomKills: () => {
        try {
          const line = readFileSync(`${dir}/${l.oom}`, 'utf8').split('\n').find((s) => s.startsWith('oom_kill '));
          return Number(line?.split(' ')[1] ?? 0);
        } catch {
          return 0;
        }
      },
      remove: () => {
        try {
          rmdirSync(dir);
        } catch { /* still has a process, or already gone */ }
      },
    };
  }
  return unconstrained(`no writable memory cgroup: ${failures.join('; ')}`);
}

/** What the bench's operators run in, for the report's header (a probe cgroup, made and removed). */
export function describeOperatorMemory(): string {
  const probe = operatorMemoryLimit(`syncpool-bench-${process.pid}-probe`);
  probe.remove();
  return probe.describe;
}
