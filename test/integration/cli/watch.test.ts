// kubectl syncpool watch follows the cluster from watch events: piped, it prints a new
// frame each time something changed (-o json: a JSON document per line); on a terminal it
// redraws in place on the alternate screen and leaves it on Ctrl-C.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type SyncpoolStage, startSyncpool } from '../support/fixture.js';
import { buildCli, pluginEnv, Streaming } from './cli.js';

let stage: SyncpoolStage;

beforeAll(async () => {
  buildCli();
  stage = await startSyncpool('cli-watch');
  await stage.api.createPool('piped', { maxWorkers: 1 }, '600s');
  await stage.api.createPool('lines', { maxWorkers: 2 }, '600s');
  await stage.api.createPool('screen', { maxWorkers: 1 }, '600s');
});

afterAll(() => stage?.stop());

const plugin = () => join(buildCli().binDir, 'kubectl-syncpool');
/** The states each frame showed for `pool`, in order, repeats folded. */
function statesOf(output: string, pool: string): string[] {
  const seen = [...output.matchAll(new RegExp(`^${pool}: (\\w+) \\(`, 'gm'))].map((m) => m[1]!);
  return seen.filter((s, i) => s !== seen[i - 1]);
}

test('piped: a new frame whenever the pool changes, as it happens', async () => {
  const { api, ns } = stage;
  const watch = Streaming.start(plugin(), ['watch', 'piped', '-n', ns]);
  /** The newest frame, once it shows all that `patterns` look for. */
  const frameWith = (what: string, ...patterns: RegExp[]) => watch.until(what, (out) => {
    const last = out.slice(out.lastIndexOf('kubectl syncpool watch:'));
    return patterns.every((p) => p.test(last)) ? last : undefined;
  });
  try {
    await frameWith('the first frame', /^piped: Available /m);
    await api.createTask('one', { pool: 'piped', syncType: 'one' });
    await frameWith('one running', /^piped: Busy [^]*running \(1\)\n.*\n +one-1 +one /m);
    await api.createTask('two', { pool: 'piped', syncType: 'two' });
    // Its Job made (QUEUED counts Jobs), two waits behind one.
    const last = await frameWith('two queued', /^piped +1 +1 +1 +100% +Overloaded/m, /queue \(1\)\n.*\n +1 +two +hubspot +two +0 +\d+s +PoolFull/);
    expect(last).toMatch(/running \(1\)\n.*\n +one-1 +one /);
    // Frames came as things happened, not once at the end: the states in the order shown.
    const states = statesOf(watch.output, 'piped');
    expect(states[0]).toBe('Available');
    expect(states.indexOf('Busy')).toBeGreaterThan(0);
    expect(states.at(-1)).toBe('Overloaded');
  } finally {
    expect(await watch.stop()).toBe(0);
  }
});

test('-o json: one document per change, and nothing while nothing changes', async () => {
  const { api, ns } = stage;
  const watch = Streaming.start(plugin(), ['watch', '-n', ns, '-o', 'json']);
  type Frame = { time: string; pools: { name: string; state: string; paused: boolean }[] };
  const frames = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Frame);
  const lines = (o: string) => frames(o).map((f) => f.pools.find((p) => p.name === 'lines')!);
  try {
    await watch.until('the first document', (out) => (frames(out).length > 0 ? true : undefined));
    expect(lines(watch.output)[0]).toMatchObject({ state: 'Available', paused: false });
    await api.patchPool('lines', { paused: true });
    const out = await watch.until('Paused', (o) => (lines(o).some((p) => p.state === 'Paused') ? o : undefined));
    expect(frames(out).map((f) => f.pools.map((p) => p.name))).toContainEqual(['lines', 'piped', 'screen']);
    const count = frames(out).length;
    // The operator writes the pool's status after the pause; that changes nothing shown.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(frames(watch.output).length).toBe(count);
  } finally {
    expect(await watch.stop()).toBe(0);
  }
});

test('-o yaml: one document per change, each starting with ---', async () => {
  const { api, ns } = stage;
  const watch = Streaming.start(plugin(), ['watch', 'lines', '-n', ns, '-o', 'yaml']);
  type Frame = { time: string; pools: { name: string; state: string; paused: boolean }[] };
  const frames = (out: string) => out.split(/^---\n/m).slice(1).map((doc) => parseYaml(doc) as Frame);
  try {
    await watch.until('the first document', (out) => (frames(out).length > 0 ? true : undefined));
    expect(watch.output.startsWith('---\n')).toBe(true);
    const before = frames(watch.output).at(-1)!.pools[0]!;
    await api.patchPool('lines', { paused: !before.paused });
    const flipped = await watch.until('the pause flipped', (o) => frames(o).map((f) => f.pools[0]!).find((p) => p.paused !== before.paused));
    expect(flipped).toMatchObject({ name: 'lines', state: before.paused ? 'Available' : 'Paused' });
  } finally {
    expect(await watch.stop()).toBe(0);
  }
});

test('on a terminal: redrawn in place on the alternate screen, left cleanly on Ctrl-C', async () => {
  const { api, ns } = stage;
  const script = '/usr/bin/script';
  try {
    accessSync(script, constants.X_OK);
  } catch {
    throw new Error('script(1) from util-linux is needed to give watch a pseudo-terminal (apt-get install bsdutils)');
  }
  const command = `stty rows 50 cols 160; ${plugin()} watch screen -n ${ns}; echo "exit=$?"`;
  // script(1) runs the command with $SHELL, /bin/sh when unset (as in CI). Ctrl-C reaches the
  // shell too: dash dies of it before printing exit=, bash waits to see how watch ended.
  const term = new Streaming(spawn(script, ['-qfec', command, '/dev/null'], {
    env: pluginEnv({ SHELL: '/bin/bash' }), stdio: ['pipe', 'pipe', 'pipe'],
  }));
  try {
    await term.until('the first frame', (out) => (out.includes('screen: Available') ? true : undefined));
    expect(term.output.startsWith('\x1b[?1049h')).toBe(true);
    await api.createTask('shown', { pool: 'screen', syncType: 'shown' });
    await term.until('the change', (out) => (out.includes('screen: Busy') ? true : undefined));
    // Redrawn from the top each time, never scrolled: every frame starts at the home position.
    const frames = term.output.split('\x1b[H').slice(1);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((f) => f.startsWith('kubectl syncpool watch: '))).toBe(true);
    term.proc.stdin!.write('\x03');
    const out = await term.until('the exit', (o) => /exit=(\d+)/.exec(o)?.[1]);
    expect(out).toBe('0');
    expect(term.output).toMatch(/\x1b\[\?1049l(\^C)?exit=0/);
  } finally {
    await term.stop();
  }
});
