// The shipped alert rules (deploy/monitoring/alerts.yaml) through promtool, as a plain
// Prometheus would load them: they must parse, and their unit tests (alerts.test.yaml)
// must pass. Each alert tells whoever is paged what is wrong, where, and what to do, and
// has series that make it fire and series that must not.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MONITORING, plainRulesDir, prometheusTool, ruleGroups } from './monitoring.js';

let dir: string | undefined;

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function promtool(...args: string[]): { code: number | null; output: string } {
  dir ??= plainRulesDir();
  const run = spawnSync(prometheusTool('promtool'), args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

const alerts = () => ruleGroups().flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

test('promtool accepts the PrometheusRule\'s groups as a rules file', () => {
  const check = promtool('check', 'rules', 'alerts.rules.yaml');
  expect({ code: check.code, output: check.output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
});

test('the alerts\' unit tests pass: each fires on the series it should and stays quiet on the others', () => {
  const test = promtool('test', 'rules', 'alerts.test.yaml');
  expect({ code: test.code, output: test.output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
});

test('every alert has a severity, a summary and a description that name its pool, and tests that fire it and keep it quiet', () => {
  const tests = (parse(readFileSync(join(MONITORING, 'alerts.test.yaml'), 'utf8')) as {
    tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
  }).tests.flatMap((t) => t.alert_rule_test ?? []);
  const problems: string[] = [];
  const names = alerts().map((a) => a.alert!);
  for (const a of alerts()) {
    const name = a.alert!;
    if (!['critical', 'warning'].includes(a.labels?.severity ?? '')) problems.push(`${name}: severity ${a.labels?.severity}`);
    for (const key of ['summary', 'description']) {
      const text = a.annotations?.[key] ?? '';
      if (text.trim() === '') problems.push(`${name}: no ${key}`);
      // An alert per pool must say which pool, or whoever is paged has to go and find it.
      else if (/by \([^)]*\bpool\b/.test(a.expr) && !(text.includes('$labels.pool') && text.includes('$labels.namespace'))) {
        problems.push(`${name}: ${key} does not name the pool`);
      }
    }
    const mine = tests.filter((t) => t.alertname === name);
    if (!mine.some((t) => (t.exp_alerts ?? []).length > 0)) problems.push(`${name}: no test makes it fire`);
    if (!mine.some((t) => (t.exp_alerts ?? []).length === 0)) problems.push(`${name}: no test expects it quiet`);
  }
  for (const t of tests) if (!names.includes(t.alertname)) problems.push(`alerts.test.yaml tests ${t.alertname}, which alerts.yaml does not define`);
  expect(problems).toEqual([]);
  expect(names.length).toBeGreaterThanOrEqual(5);
});
