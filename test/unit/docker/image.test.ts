// There is no Docker engine here, so this checks what the Dockerfile relies on: the build
// context holds what it copies, its entry point is the compiled operator, the final stage
// runs as a numeric non-root user with production dependencies only, and everything the
// operator loads at run time is compiled into dist/ and needs no dev dependency.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

interface Stage { from: string; name?: string; lines: string[] }

/** The Dockerfile's stages: continuation lines joined, comments dropped, ARGs substituted. */
function stages(): Stage[] {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const out: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const arg = /^ARG (\w+)=(\S+)$/.exec(line);
    if (arg && out.length === 0) args[arg[1]!] = arg[2]!;
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1]!.replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? ''), name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const all = stages();
const final = all.at(-1)!;
const instruction = (stage: Stage, name: string) => stage.lines.filter((l) => l.startsWith(`${name} `));

describe('Dockerfile', () => {
  test('is multi-stage: compiler and dev dependencies stay in the build stage', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(final.lines.join('\n')).not.toMatch(/npm (ci|install)|tsc|npm run build/);
  });

  test('the final stage takes node_modules only from a production-only install', () => {
    const sources = instruction(final, 'COPY').filter((l) => / \.\/node_modules$/.test(l)).map((l) => /--from=(\S+)/.exec(l)?.[1]);
    expect(sources).toHaveLength(1);
    const deps = all.find((s) => s.name === sources[0])!;
    expect(deps.lines).toContainEqual(expect.stringMatching(/^RUN npm ci .*--omit=dev/));
  });

  test('runs as a numeric non-root user (so runAsNonRoot can be verified)', () => {
    const user = instruction(final, 'USER').at(-1);
    expect(user).toMatch(/^USER \d+(:\d+)?$/);
    expect(Number(/^USER (\d+)/.exec(user!)![1])).toBeGreaterThan(0);
  });

  test("its entry point is the operator's compiled entry, package.json's syncpool-operator", () => {
    const entry = JSON.parse(instruction(final, 'ENTRYPOINT').at(-1)!.slice('ENTRYPOINT '.length)) as string[];
    expect(entry.at(-1)).toBe(pkg.bin['syncpool-operator']);
    // tsconfig.build.json compiles src/ into dist/: dist/cmd/operator.js comes from src/cmd/operator.ts.
    expect(existsSync(join(REPO, entry.at(-1)!.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
    // WORKDIR /app: dist/ and package.json (read for build_info) are copied there.
    expect(instruction(final, 'WORKDIR').at(-1)).toBe('WORKDIR /app');
    expect(instruction(final, 'COPY')).toEqual(expect.arrayContaining([
      expect.stringMatching(/dist \.\/dist$/), 'COPY package.json ./',
    ]));
  });

  test('its Node flags are ones this Node accepts, and they are what the bench runs the operator with', async () => {
    const entry = JSON.parse(instruction(final, 'ENTRYPOINT').at(-1)!.slice('ENTRYPOINT '.length)) as string[];
    const flags = entry.slice(1, -1);
    const { imageNodeFlags } = await import('../../../bench/operator.js');
    expect(imageNodeFlags()).toEqual(flags);
    for (const flag of flags) {
      const ok = await new Promise<boolean>((done) => execFile(process.execPath, [flag, '-e', '0'], (err) => done(!err)));
      expect({ flag, ok }).toEqual({ flag, ok: true });
    }
    // Importing the bench's operator module loads client-node and the test support
    // through Jest's transform (seconds on a busy machine), and each flag starts a Node:
    // Jest's 5 s default was seen exceeded with a bench running beside it.
  }, 60_000);

  test('.dockerignore lets in everything the build stages copy, and nothing else', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const copied = all.flatMap((s) => instruction(s, 'COPY')).filter((l) => !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(new Set(copied)).toEqual(new Set(allowed));
    for (const path of allowed) expect(existsSync(join(REPO, path))).toBe(true);
  });
});

describe('what the image runs', () => {
  const excluded = (JSON.parse(read('tsconfig.build.json')) as { exclude: string[] }).exclude;

  /** Every module the operator loads, from its entry point: relative files and packages. */
  function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
    const files = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      // `import type` and `export type` are erased by the compiler; anything else loads.
      const source = readFileSync(file, 'utf8').replace(/^\s*(import|export) type [^;]*;/gms, '');
      for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    };
    visit(join(REPO, 'src/cmd/operator.ts'));
    return { files, packages };
  }

  const graph = importGraph('src/cmd/operator.ts');

  test('is compiled into dist/: no module outside src/ or in what tsconfig.build.json leaves out', () => {
    expect(graph.files.size).toBeGreaterThan(20);
    for (const file of graph.files) {
      const path = relative(REPO, file);
      expect(path).toMatch(/^src\//);
      expect(existsSync(file)).toBe(true);
      for (const dir of excluded) expect(path.startsWith(`${dir}/`)).toBe(false);
    }
  });

  test('needs only production dependencies and Node.js built-ins', () => {
    const builtins = new Set(builtinModules);
    const outside = [...graph.packages].filter((p) => !p.startsWith('node:') && !builtins.has(p) && !(p in pkg.dependencies));
    expect(outside).toEqual([]);
    expect([...graph.packages].filter((p) => p in pkg.devDependencies)).toEqual([]);
  });

  test('a bad invocation stops at once, naming every flag', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cmd/operator.ts', '--help'], { cwd: REPO, timeout: 60_000 }, (err, _out, stderr) => {
        done({ code: err ? (err as { code?: number }).code ?? null : 0, stderr });
      });
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("syncpool-operator: Unknown option '--help'; known flags: --kubeconfig, --namespace");
  }, 60_000); // tsx compiles the operator's modules first: seconds on a busy machine
});
