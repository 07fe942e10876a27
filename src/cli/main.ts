#!/usr/bin/env node
// kubectl-syncpool: the kubectl plugin (`kubectl syncpool <verb>`). One file per verb;
// each returns the line to print, or throws with the one line that explains the failure.
import * as heartbeat from './heartbeat.js';
import { UsageError } from './usage.js';

interface Verb {
  summary: string;
  run(args: string[]): Promise<string>;
}

const VERBS: Record<string, Verb> = { heartbeat };

function usage(): string {
  return `usage: kubectl syncpool <verb> [flags]\nverbs:\n${Object.values(VERBS).map((v) => `  ${v.summary}`).join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 1;
  }
  const verb = VERBS[name];
  if (!verb) {
    process.stderr.write(`kubectl-syncpool: unknown verb ${JSON.stringify(name)}; known: ${Object.keys(VERBS).join(', ')}\n`);
    return 1;
  }
  try {
    process.stdout.write(`${await verb.run(args)}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kubectl-syncpool: ${message.split('\n')[0]}${err instanceof UsageError ? ' (see kubectl syncpool --help)' : ''}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
