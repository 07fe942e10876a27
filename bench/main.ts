// npm run bench: admission and slot-refill latency of a real operator process against
// the local control plane (or SYNCPOOL_TEST_KUBECONFIG's cluster). Reports medians and
// p99 from one run; these machines are shared, so compare figures from the same run.
import { launch, stop } from '../src/testbed/launcher.js';
import { admissionLatency, refillLatency } from './latency.js';
import { testbedStart } from './testbed.js';
import { writesPerTask } from './writes.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  out(await testbedStart(Number(process.env.SYNCPOOL_BENCH_STARTS ?? 5)));
  let dir: string | undefined;
  if (!process.env.SYNCPOOL_TEST_KUBECONFIG) {
    const state = await launch({ attached: true });
    process.env.SYNCPOOL_TEST_KUBECONFIG = state.kubeconfig;
    dir = state.dir;
  }
  try {
    const samples = Number(process.env.SYNCPOOL_BENCH_SAMPLES ?? 40);
    out(await admissionLatency(samples));
    out(await refillLatency(samples));
    out(await writesPerTask(20, 40));
  } finally {
    if (dir) await stop(dir);
  }
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack}\n`);
  process.exit(1);
});
