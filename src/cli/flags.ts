// Command lines in kubectl's conventions: --kubeconfig, --context, -n/--namespace,
// -A/--all-namespaces, -o/--output, flags before or after arguments, `--flag=value`.
// kubectl hands a plugin everything after its name untouched, so the plugin parses
// these itself.
import { parseArgs } from 'node:util';
import { parseDuration } from '../core/duration.js';
import { UsageError } from './failures.js';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** What the value looks like in help, e.g. `N`. */
  value?: string;
  help: string;
}

export interface VerbSpec {
  name: string;
  /** Arguments in order; a trailing `?` marks an optional one. */
  args: string[];
  /** One line: what the verb does. */
  summary: string;
  flags?: Record<string, Flag>;
  /** Accepts -A / --all-namespaces. */
  allNamespaces?: boolean;
  /** Accepts -o table|json|yaml. */
  output?: boolean;
  /** Talks to the cluster (takes --kubeconfig, --context, -n); default true. */
  cluster?: boolean;
}

export interface CommonFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  output: Format;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  common: CommonFlags;
  values: Values;
  positionals: string[];
  /** -h / --help was given: print help, do nothing else. */
  help: boolean;
}

const CLUSTER_FLAGS: Record<string, Flag> = {
  kubeconfig: { type: 'string', value: 'FILE', help: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config)' },
  context: { type: 'string', value: 'NAME', help: 'kubeconfig context (default: the current one)' },
  namespace: { type: 'string', short: 'n', value: 'NS', help: "namespace (default: the context's, else default)" },
};
const ALL_NAMESPACES: Record<string, Flag> = { 'all-namespaces': { type: 'boolean', short: 'A', help: 'every namespace' } };
const OUTPUT: Record<string, Flag> = { output: { type: 'string', short: 'o', value: FORMATS.join('|'), help: 'output format (default table)' } };
const HELP: Record<string, Flag> = { help: { type: 'boolean', short: 'h', help: 'show this help' } };

function flagsOf(spec: VerbSpec): Record<string, Flag> {
  return {
    ...spec.flags,
    ...(spec.cluster === false ? {} : CLUSTER_FLAGS),
    ...(spec.allNamespaces ? ALL_NAMESPACES : {}),
    ...(spec.output ? OUTPUT : {}),
    ...HELP,
  };
}

/** `status [pool] [flags]` */
export function usageLine(spec: VerbSpec): string {
  const args = spec.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`));
  return [spec.name, ...args, '[flags]'].join(' ');
}

export function helpText(spec: VerbSpec): string {
  const lines = Object.entries(flagsOf(spec)).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.value ? ` ${f.value}` : ''}${f.multiple ? ' (repeatable)' : ''}`;
    return [left, f.help] as const;
  });
  const width = Math.max(...lines.map(([left]) => left.length));
  return [
    `usage: kubectl syncpool ${usageLine(spec)}`,
    spec.summary,
    '',
    'flags:',
    ...lines.map(([left, help]) => `  ${left.padEnd(width)}   ${help}`),
  ].join('\n');
}

export function parseFlags(spec: VerbSpec, args: string[]): Parsed {
  const flags = flagsOf(spec);
  const options = Object.fromEntries(Object.entries(flags).map(([name, f]) => [
    name, { type: f.type, ...(f.short && { short: f.short }), ...(f.multiple && { multiple: true }) },
  ]));
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (err) {
    throw new UsageError(`${spec.name}: ${(err as Error).message.split('\n').join(' ')}`);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help) checkArgs(spec, positionals);
  const output = (values.output as string | undefined) ?? 'table';
  if (!(FORMATS as readonly string[]).includes(output)) {
    throw new UsageError(`${spec.name}: -o must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(output)}`);
  }
  const common: CommonFlags = {
    kubeconfig: values.kubeconfig as string | undefined,
    context: values.context as string | undefined,
    namespace: values.namespace as string | undefined,
    allNamespaces: values['all-namespaces'] === true,
    output: output as Format,
  };
  if (common.allNamespaces && common.namespace !== undefined) {
    throw new UsageError(`${spec.name}: -A and -n exclude each other`);
  }
  return { common, values, positionals, help };
}

function checkArgs(spec: VerbSpec, given: string[]): void {
  const required = spec.args.filter((a) => !a.endsWith('?')).length;
  if (given.length >= required && given.length <= spec.args.length) return;
  const want = spec.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`)).join(' ');
  const got = given.length === 0 ? 'none' : given.map((g) => JSON.stringify(g)).join(' ');
  throw new UsageError(`${spec.name} takes ${want || 'no arguments'}; got ${got}`);
}

/** An integer flag within bounds; undefined when not given. */
export function intFlag(spec: VerbSpec, values: Values, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new UsageError(`${spec.name}: --${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A duration flag ("90s", "10m", "1h30m") in ms; undefined when not given. */
export function durationFlag(spec: VerbSpec, values: Values, name: string): number | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  try {
    return parseDuration(raw);
  } catch (err) {
    throw new UsageError(`${spec.name}: --${name}: ${(err as Error).message}`);
  }
}

/** `--param k=v` given any number of times → {k: v}. */
export function keyValues(spec: VerbSpec, values: Values, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (values[name] as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${spec.name}: --${name} takes key=value, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, eq);
    if (key in out) throw new UsageError(`${spec.name}: --${name} ${key} given twice`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}
