// Read verbs print a table for people, or the same data as JSON or YAML for scripts.
// The documents are the read models' own shapes (src/views), so they stay stable.
import { stringify } from 'yaml';
import type { Format } from './flags.js';

/** The text to print: `table()` for -o table, else `data` serialized. */
export function render(format: Format, data: unknown, table: () => string): string {
  switch (format) {
    case 'json': return JSON.stringify(data, null, 2);
    case 'yaml': return stringify(data, { lineWidth: 0 }).trimEnd();
    default: return table();
  }
}

/** Where a verb writes; process.stdout/stderr in real use. */
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  err: NodeJS.WritableStream;
}

export function println(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`);
}
