// One control plane for the whole integration run. SYNCPOOL_TEST_KUBECONFIG reuses a
// running one instead (e.g. from `npm run testbed:start`, for fast iteration).
// There is no skip path: if the control plane cannot start, the run fails here.
//
// Plain .mjs with tsx's loader: Jest hands global setup to Node's own ESM resolver,
// which knows nothing of our .js → .ts mapping.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  if (process.env.SYNCPOOL_TEST_KUBECONFIG) {
    process.stderr.write(`\nintegration tests use the cluster in ${process.env.SYNCPOOL_TEST_KUBECONFIG}\n`);
    return;
  }
  const { launch } = await tsImport('../../../src/testbed/launcher.ts', import.meta.url);
  const state = await launch({ attached: true });
  process.stderr.write(`\ncontrol plane for integration tests ready in ${state.startMillis} ms at ${state.server}\n`);
  process.env.SYNCPOOL_TEST_KUBECONFIG = state.kubeconfig;
  globalThis.syncpoolTestbedDir = state.dir;
}
