// Tables as kubectl prints them: upper-case headers, columns padded to the widest cell
// and three spaces apart, no trailing spaces.

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join('   ').trimEnd())
    .join('\n');
}
