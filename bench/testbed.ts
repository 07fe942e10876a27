// Warm start of the local control plane (binaries cached): launch() until the node is
// Ready and the controller-manager runs, then a full stop. What every test run and
// demo pays up front.
import { launch, resolveAssets, stop } from '../src/testbed/launcher.js';

export async function testbedStart(starts: number): Promise<string> {
  const assets = resolveAssets();
  const ms: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = Date.now();
    const state = await launch({ attached: true, assets });
    ms.push(Date.now() - t0);
    await stop(state.dir);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return `testbed warm start: n=${starts} median=${sorted[Math.floor(starts / 2)]} ms min=${sorted[0]} ms max=${sorted.at(-1)} ms (${ms.join(', ')})`;
}
