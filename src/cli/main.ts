#!/usr/bin/env node
// kubectl-syncpool: the kubectl plugin (`kubectl syncpool <verb>`). One file per verb,
// each with its spec (arguments, flags) and a run() that prints and returns.
// Exit codes: 0 done; 1 failed (the one line on stderr says why and what to do);
// 2 the command line is wrong.
import { CliError, UsageError } from './failures.js';
import { helpText, parseFlags, type Parsed, usageLine, type VerbSpec } from './flags.js';
import { type Io, println } from './output.js';

interface Verb {
  spec: VerbSpec;
  /** Resolves with the exit code (default 0); throws to fail with one line. */
  run(parsed: Parsed, io: Io): Promise<number | void>;
}

// Loaded when used: `heartbeat`, run often inside sync pods, needs no Kubernetes client.
const VERBS: Record<string, () => Promise<Verb>> = {
  status: () => import('./status.js'),
  list: () => import('./list.js'),
  queue: () => import('./queue.js'),
  describe: () => import('./describe.js'),
  watch: () => import('./watch.js'),
  submit: () => import('./submit.js'),
  cancel: () => import('./cancel.js'),
  retry: () => import('./retry.js'),
  scale: () => import('./scale.js'),
  pause: () => import('./pause.js'),
  resume: () => import('./resume.js'),
  doctor: () => import('./doctor.js'),
  heartbeat: () => import('./heartbeat.js'),
};

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

async function usage(): Promise<string> {
  const verbs = await Promise.all(Object.values(VERBS).map((load) => load()));
  const lines = verbs.map((v) => [usageLine(v.spec), v.spec.summary] as const);
  const width = Math.max(...lines.map(([u]) => u.length));
  return [
    'usage: kubectl syncpool <verb> [flags]',
    '',
    'verbs:',
    ...lines.map(([u, s]) => `  ${u.padEnd(width)}   ${s}`),
    '',
    'Verbs that talk to the cluster take --kubeconfig, --context and -n/--namespace; read verbs take -o table|json|yaml.',
    'kubectl syncpool <verb> --help shows its flags. Exit codes: 0 done, 1 failed, 2 wrong command line.',
  ].join('\n');
}

async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    println(io.out, await usage());
    return EXIT.ok;
  }
  if (!name) {
    println(io.err, await usage());
    return EXIT.usage;
  }
  const load = Object.hasOwn(VERBS, name) ? VERBS[name] : undefined;
  if (!load) {
    println(io.err, `kubectl-syncpool: unknown verb ${JSON.stringify(name)}; verbs: ${Object.keys(VERBS).join(', ')}`);
    return EXIT.usage;
  }
  try {
    const verb = await load();
    const parsed = parseFlags(verb.spec, args);
    if (parsed.help) {
      println(io.out, helpText(verb.spec));
      return EXIT.ok;
    }
    return (await verb.run(parsed, io)) ?? EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      println(io.err, `kubectl-syncpool: ${err.message} (see kubectl syncpool ${name} --help)`);
      return EXIT.usage;
    }
    // API errors need the client to be read; it is loaded only when one happened.
    const line = err instanceof CliError ? err.message : (await import('./errors.js')).explain(err);
    println(io.err, `kubectl-syncpool: ${line.split('\n')[0]}`);
    return EXIT.failed;
  }
}

// A reader that went away (`| head`) is not a failure of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); });

process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
