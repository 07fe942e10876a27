// The shipped monitoring files (deploy/monitoring) as Prometheus and Grafana read them,
// and the Debian package's binaries that read them here. A missing binary fails the test
// that needs it, in CI or not: these files are only worth shipping if they are checked.
import { accessSync, constants, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const MONITORING = fileURLToPath(new URL('../../../deploy/monitoring/', import.meta.url));

/** prometheus or promtool, from PATH (Debian installs both in /usr/bin). */
export function prometheusTool(name: 'prometheus' | 'promtool'): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin']) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not installed: apt-get install prometheus (Debian's package brings prometheus and promtool; .ci/run installs it)`);
}

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** The PrometheusRule's groups: what a plain Prometheus loads from a rules file. */
export function ruleGroups(): RuleGroup[] {
  const doc = parse(readFileSync(join(MONITORING, 'alerts.yaml'), 'utf8')) as { apiVersion: string; kind: string; spec: { groups: RuleGroup[] } };
  if (doc.apiVersion !== 'monitoring.coreos.com/v1' || doc.kind !== 'PrometheusRule') {
    throw new Error(`alerts.yaml is a ${doc.apiVersion} ${doc.kind}, not a monitoring.coreos.com/v1 PrometheusRule`);
  }
  return doc.spec.groups;
}

/**
 * A temporary directory holding the rules as a plain rules file (alerts.rules.yaml:
 * promtool cannot read the PrometheusRule wrapper) and a copy of alerts.test.yaml next
 * to it, which names that file. Returns the directory.
 */
export function plainRulesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'syncpool-rules-'));
  writeFileSync(join(dir, 'alerts.rules.yaml'), stringify({ groups: ruleGroups() }));
  copyFileSync(join(MONITORING, 'alerts.test.yaml'), join(dir, 'alerts.test.yaml'));
  return dir;
}

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string }; definition?: string }[] };
}

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(join(MONITORING, 'dashboard.json'), 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows too, rows themselves left out. */
export function panelsOf(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? p.panels ?? [] : [p]));
}
