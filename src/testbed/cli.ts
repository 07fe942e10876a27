// npm run testbed:start | testbed:stop | testbed:status — a control plane for humans.
// It runs in the background until stopped; `export KUBECONFIG=...` points kubectl at it,
// and `export PATH=...` puts the kubectl and helm built with it first on PATH (a fresh
// machine has neither).
// Every start is an empty cluster: whatever the last one held (stopped, crashed, or
// cut short by a reboot) is discarded, its logs kept in logs.previous/.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIR_PREFIX, launch, resolveAssets, running, stop } from './launcher.js';

const dir = process.env.SYNCPOOL_TESTBED_DIR ?? join(tmpdir(), DIR_PREFIX);
const out = (line: string) => process.stdout.write(`${line}\n`);
/** For sh: `eval "$(npm run -s testbed:start)"` must take any path as is. */
const quoted = (s: string) => (/^[\w./+@-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
const pathLine = (bin: string) => `export PATH=${quoted(bin)}:$PATH`;

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'start': {
      // The binaries' directory also holds kubectl and helm of the same release.
      const bin = resolveAssets();
      const current = running(dir);
      if (current) {
        out(`# already running (testbed:stop first to restart)\nexport KUBECONFIG=${current.kubeconfig}\n${pathLine(bin)}`);
        return 0;
      }
      const state = await launch({ dir, attached: false, assets: bin });
      out(`# control plane ready in ${state.startMillis} ms at ${state.server}; logs in ${dir}/logs`);
      out(`export KUBECONFIG=${state.kubeconfig}`);
      out(pathLine(bin));
      return 0;
    }
    case 'stop':
      out((await stop(dir)) ? `stopped the testbed in ${dir}` : `no testbed running in ${dir}`);
      return 0;
    case 'status': {
      const current = running(dir);
      out(current ? `running: export KUBECONFIG=${current.kubeconfig}` : 'not running');
      return current ? 0 : 1;
    }
    default:
      process.stderr.write('usage: tsx src/testbed/cli.ts start|stop|status\n');
      return 2;
  }
}

process.exitCode = await main(process.argv[2]);
