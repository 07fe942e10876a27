// Child processes of the testbed: each logs to its own file, and a child that dies
// while the others still run is reported with the end of its log.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Component {
  name: string;
  proc: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export function startComponent(logDir: string, name: string, bin: string, args: string[]): Component {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    proc.on('error', () => resolve(-1));
  });
  return { name, proc, logFile, exited };
}

export function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Stops components in the given order: SIGTERM, then SIGKILL after graceMs. */
export async function stopComponents(components: Component[], graceMs = 5000): Promise<void> {
  for (const c of components) await stopComponent(c, 'SIGTERM', graceMs);
}

/**
 * Sends `signal` (SIGKILL for a crash, SIGTERM for a clean stop) and waits for the exit;
 * a component still there after graceMs is SIGKILLed.
 */
export async function stopComponent(c: Component, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill(signal);
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

/**
 * Whether `pid` is a running process. A zombie counts as dead: orphans are reparented
 * to a PID 1 that may reap them late, and signal 0 still succeeds on them.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust the signal
  }
}
