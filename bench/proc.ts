// What the kernel says a process costs: CPU time and resident memory from /proc, for the
// operator (our child) and for kube-apiserver (the testbed's), so the bench measures the
// API server's work without trusting any client's account of it.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time used so far (user + system), in ms. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND;
}

/** Resident memory now, in bytes. */
export function rssBytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+) kB/m)![1]) * 1024;
}

/** The one process whose command line has all of `parts` among its arguments; fails on none or several. */
export function findProcess(parts: string[]): number {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (parts.every((p) => args.some((a) => a === p || a.endsWith(`/${p}`)))) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`expected one process with ${parts.join(' ')}, found ${found.length}`);
  return found[0]!;
}

/** The kube-apiserver serving `server` (https://127.0.0.1:PORT), by its --secure-port. */
export function apiserverPid(server: string): number {
  return findProcess(['kube-apiserver', `--secure-port=${new URL(server).port}`]);
}

/**
 * Waits until `pid` is idle (under 5 % of a core for 3 s in a row), so a measurement
 * starts from a quiet process. Resolves with how long it was busy (the quiet seconds
 * that prove it not counted). `why` says what a process that never settles was doing.
 */
export async function settleProcess(pid: () => number, timeoutMs = 300_000, why: () => string = () => ''): Promise<number> {
  const t0 = Date.now();
  let quietSince = t0;
  let quiet = 0;
  let last = cpuMsOf(pid());
  while (quiet < 3) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`process ${pid()} still busy after ${timeoutMs} ms\n${why()}`);
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuMsOf(pid());
    if (now - last < 50) {
      if (quiet === 0) quietSince = before;
      quiet += 1;
    } else {
      quiet = 0;
    }
    last = now;
  }
  return quietSince - t0;
}
