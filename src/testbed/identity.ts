// Which supervisor a testbed directory belongs to, and whether it can still be running.
// A pid alone is not enough: after a reboot (or, rarely, a long uptime) the same number
// may name an unrelated process, and signalling its process group would kill a
// stranger. So the launcher records the boot and the process's start time with it.
import { readFileSync } from 'node:fs';
import { processAlive } from './processes.js';

export interface SupervisorRecord {
  pid: number;
  /** /proc/sys/kernel/random/boot_id when the supervisor started; absent where unknown. */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat: the process's start, in clock ticks since boot. */
  startTicks?: number;
}

/**
 * - alive: the recorded supervisor is running.
 * - dead: it died during this boot; its process group (the components) may linger and
 *   is safe to signal, since Linux does not reuse a pid that still names a group.
 * - gone: it belonged to an earlier boot, or its pid now names another process;
 *   nothing of it runs and nothing may be signalled.
 */
export type Liveness = 'alive' | 'dead' | 'gone';

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

export function recordFor(pid: number): SupervisorRecord {
  return { pid, bootId: currentBootId(), startTicks: startTicks(pid) };
}

/** Reads a pid file: JSON from this launcher, or a bare pid from older ones. */
export function parseRecord(text: string): SupervisorRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const rec = JSON.parse(trimmed) as SupervisorRecord;
    return Number.isInteger(rec.pid) && rec.pid > 0 ? rec : undefined;
  } catch {
    return undefined; // half-written or foreign: treat as no record
  }
}

export function liveness(rec: SupervisorRecord): Liveness {
  const boot = currentBootId();
  if (rec.bootId && boot && rec.bootId !== boot) return 'gone';
  if (!processAlive(rec.pid)) return 'dead';
  const ticks = startTicks(rec.pid);
  if (rec.startTicks !== undefined && ticks !== undefined && ticks !== rec.startTicks) return 'gone';
  return 'alive';
}
