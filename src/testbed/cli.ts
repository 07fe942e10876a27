// npm run testbed:start | testbed:stop | testbed:status — a control plane for humans.
// It runs in the background until stopped; `export KUBECONFIG=...` points kubectl at it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './processes.js';
import { DIR_PREFIX, launch, readState, stop } from './launcher.js';

const dir = process.env.SYNCPOOL_TESTBED_DIR ?? join(tmpdir(), DIR_PREFIX);
const out = (line: string) => process.stdout.write(`${line}\n`);

function running(): boolean {
  const state = readState(dir);
  return state !== undefined && processAlive(state.pid);
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'start': {
      if (running()) {
        out(`# already running (testbed:stop first to restart)\nexport KUBECONFIG=${readState(dir)!.kubeconfig}`);
        return 0;
      }
      await stop(dir); // leftovers of a crashed one
      const state = await launch({ dir, attached: false });
      out(`# control plane ready in ${state.startMillis} ms at ${state.server}; logs in ${dir}/logs`);
      out(`export KUBECONFIG=${state.kubeconfig}`);
      return 0;
    }
    case 'stop':
      out((await stop(dir)) ? `stopped the testbed in ${dir}` : `no testbed running in ${dir}`);
      return 0;
    case 'status':
      out(running() ? `running: export KUBECONFIG=${readState(dir)!.kubeconfig}` : 'not running');
      return running() ? 0 : 1;
    default:
      process.stderr.write('usage: tsx src/testbed/cli.ts start|stop|status\n');
      return 2;
  }
}

process.exitCode = await main(process.argv[2]);
