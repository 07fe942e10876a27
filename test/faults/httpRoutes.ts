// Every HTTP route the operator registers, found by reading src/: so that the security
// test probes a route added tomorrow without being told, or fails saying it does not
// know the new route. A registration is a call in a file that imports express whose
// first argument is a path: a string starting with '/', or a constant (UPPER_CASE).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Registration {
  /** File (relative to the repo) and line, for the report. */
  where: string;
  method: string;
  /** The first argument as written: `'/healthz'`, `HEARTBEAT_PATH`. */
  path: string;
}

const CALL = /\.(get|post|put|patch|delete|all|use|route)\(\s*('\/[^']*'|"\/[^"]*"|`\/[^`]*`|[A-Z][A-Z0-9_]*)\s*[,)]/g;
/** Static file serving needs no route of its own: it would be a route nobody listed. */
const STATIC = /express\.static\(|serveStatic\(|sendFile\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The route registrations in `src` (the testbed, which is not shipped, excepted), and
 * the places that serve files statically (reported as registrations of `<static>`).
 */
export function scanRoutes(repo: string): Registration[] {
  const out: Registration[] = [];
  for (const file of sources(join(repo, 'src'))) {
    const rel = relative(repo, file);
    if (rel.startsWith('src/testbed/')) continue;
    const text = readFileSync(file, 'utf8');
    if (!/from 'express'/.test(text)) continue;
    // The whole text, not line by line: a call may break its line after the parenthesis.
    const lineOf = (index: number) => `${rel}:${text.slice(0, index).split('\n').length}`;
    for (const m of text.matchAll(new RegExp(STATIC, 'g'))) out.push({ where: lineOf(m.index), method: 'use', path: '<static>' });
    for (const m of text.matchAll(CALL)) out.push({ where: lineOf(m.index), method: m[1]!, path: m[2]! });
  }
  return out;
}
