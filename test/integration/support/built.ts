// The operator and the kubectl plugin as they ship: tsc output of src/ with the build's
// compiler options (tsconfig.build.json), the files package.json's bin installs. Tests and
// the bench run these rather than the sources through tsx: it is what users run, and a
// restart of the operator no longer pays tsx's compile (the fault suite restarts it dozens
// of times) nor carries tsx's memory (the bench reports the operator's RSS).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Inside the repo, so the built files resolve the repo's node_modules as the installed package does. */
const CACHE = join(REPO, 'node_modules/.cache/syncpool-built');
/**
 * Builds of other sources are removed only once this old: worktrees share node_modules
 * (and so this cache), and a run in one must not lose its build to a run in another.
 */
const STALE_MS = 24 * 3600_000;

export interface Built {
  /** A directory holding `kubectl-syncpool`, for PATH. */
  binDir: string;
  /** The plugin's entry point (bin kubectl-syncpool). */
  cliMain: string;
  /** The operator's entry point (bin syncpool-operator). */
  operatorMain: string;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) hash.update(relative(REPO, path)).update(readFileSync(path));
    }
  };
  walk(join(REPO, 'src'));
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) hash.update(readFileSync(join(REPO, file)));
  return hash.digest('hex').slice(0, 16);
}

let memo: Built | undefined;

/** Compiles both entry points once per source version; later test files and runs reuse it. */
export function built(): Built {
  if (memo) return memo;
  const out = join(CACHE, sourceHash());
  const result: Built = { binDir: join(out, 'bin'), cliMain: join(out, 'dist/cli/main.js'), operatorMain: join(out, 'dist/cmd/operator.js') };
  if (!existsSync(result.operatorMain) || !existsSync(result.cliMain)) compile(out);
  return (memo = result);
}

/** Laid out as the package installs: dist/ beside package.json (the operator reads its version there). */
function compile(out: string): void {
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({
    extends: join(REPO, 'tsconfig.build.json'),
    compilerOptions: { rootDir: join(REPO, 'src'), outDir: join(tmp, 'dist'), sourceMap: false },
    files: [join(REPO, 'src/cli/main.ts'), join(REPO, 'src/cmd/operator.ts')],
    include: [],
  }));
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(tmp, 'tsconfig.json')], { cwd: REPO, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`building the operator and kubectl-syncpool failed:\n${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
  }
  // Its "type": "module" makes Node read the compiled files as the ES modules they are.
  copyFileSync(join(REPO, 'package.json'), join(tmp, 'package.json'));
  chmodSync(join(tmp, 'dist/cli/main.js'), 0o755);
  symlinkSync('../dist/cli/main.js', join(tmp, 'bin/kubectl-syncpool'));
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built it meanwhile
  }
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old);
    if (path !== out && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}
