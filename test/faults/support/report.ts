// The suite's figures. Jest gives every test file its own module registry, so reports
// are gathered in test-artifacts/faults-report.json (gitignored) rather than in memory:
// each scenario adds its row there, and each file's afterAll prints the table of the
// run so far to stderr — after the last file, that is the whole run's table.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OverCapSample } from './observer.js';

export const REPORT_FILE = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-artifacts', 'faults-report.json');

export interface FaultRecovery {
  fault: string;
  /** ms from the fault's start (wall clock) to when the harness stopped interfering. */
  lastedMs: number;
  /** ms from then to the next admission; undefined when nothing was left to admit. */
  recoveryMs?: number;
  /** Jobs waiting in a queue when the fault cleared (0: no admission could be expected). */
  queued: number;
}

export interface ScenarioReport {
  scenario: string;
  mode: string;
  seed?: number;
  pools: { name: string; maxWorkers: number[]; maxActive: number }[];
  tasks: { oneShot: number; periodicRuns: number };
  overCap: OverCapSample[];
  /** Admissions above the cap in force at that resourceVersion, with no grace: informative. */
  overCapStrict: OverCapSample[];
  duplicates: { key: string; jobs: string[] }[];
  /** One-shot tasks gone before finishing, or whose Job was deleted unfinished and never replaced; runs deleted unfinished. */
  lost: string[];
  /** One-shot tasks not final, and triggered periodic runs not finished, when the drain gave up. */
  stuck: string[];
  /** Final phases other than Succeeded, and runs that failed: nothing in these drains should fail. */
  failed: string[];
  faults: FaultRecovery[];
  drainMs: number;
  observer: { resumed: number; relists: number };
  /** What the scenario itself checked beyond the common figures (e.g. no false stale). */
  notes: Record<string, unknown>;
}

/** A scenario's latest report, from whichever run recorded it. */
type Recorded = ScenarioReport & { run: string; recordedAt: string };

interface ReportFile {
  scenarios: Recorded[];
}

/**
 * One jest run: files run in band in one process (npm run test:faults); a jest worker
 * child shares its parent's run. Rows are kept per scenario across runs (a run of one
 * file must not wipe the others' figures, nor two runs at once each other's); the table
 * shows this run's.
 */
const runId = () => String(process.send ? process.ppid : process.pid);

function load(): ReportFile {
  try {
    const file = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as ReportFile;
    if (Array.isArray(file.scenarios)) return file;
  } catch {
    // none yet, or unreadable: start afresh
  }
  return { scenarios: [] };
}

/** Adds (or replaces, by name) a scenario's report. */
export function recordScenario(report: ScenarioReport): void {
  const file = load();
  const row: Recorded = { ...report, run: runId(), recordedAt: new Date().toISOString() };
  file.scenarios = [...file.scenarios.filter((s) => s.scenario !== report.scenario), row];
  mkdirSync(dirname(REPORT_FILE), { recursive: true });
  writeFileSync(REPORT_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

function recoverySummary(faults: FaultRecovery[]): string {
  const measured = faults.map((f) => f.recoveryMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  if (measured.length === 0) return '-';
  const median = measured[Math.floor(measured.length / 2)]!;
  return `${seconds(median)} / ${seconds(measured.at(-1))}`;
}

/** The table of every scenario recorded in this run so far. */
export function reportTable(scenarios: ScenarioReport[] = thisRun()): string {
  const header = ['scenario', 'mode', 'tasks+runs', 'faults', 'over-cap', 'strict', 'dup', 'lost', 'stuck', 'failed', 'fault max', 'recovery med/max', 'drain'];
  const rows = scenarios.map((s) => [
    s.scenario, s.mode, `${s.tasks.oneShot}+${s.tasks.periodicRuns}`, String(s.faults.length), String(s.overCap.length), String(s.overCapStrict.length),
    String(s.duplicates.length), String(s.lost.length), String(s.stuck.length), String(s.failed.length),
    seconds(Math.max(0, ...s.faults.map((f) => f.lastedMs))), recoverySummary(s.faults), seconds(s.drainMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const thisRun = () => load().scenarios.filter((s) => s.run === runId());

export function printReportTable(): void {
  const scenarios = thisRun();
  if (scenarios.length === 0) return;
  process.stderr.write(`\nfault scenarios of this run so far (${REPORT_FILE}):\n${reportTable(scenarios)}\n`);
}
