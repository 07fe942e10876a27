// npm run demo: the main job on this machine. With no cluster configured (no
// KUBECONFIG, no ~/.kube/config) it starts the local control plane and runs there.
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIR_PREFIX, launch } from '../testbed/launcher.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

function configuredKubeconfig(): string | undefined {
  if (process.env.KUBECONFIG) return process.env.KUBECONFIG;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

async function main(): Promise<void> {
  let kubeconfig = configuredKubeconfig();
  if (kubeconfig) {
    out(`using the cluster configured in ${kubeconfig}`);
  } else {
    out('no cluster configured: starting a local control plane (the first run builds it, ~15 min)');
    const state = await launch({ attached: true });
    kubeconfig = state.kubeconfig;
    out(`control plane ready in ${state.startMillis} ms: export KUBECONFIG=${kubeconfig}`);
  }
  const { runDemo } = await import('./scenario.js');
  await runDemo(kubeconfig, out);
  if (!configuredKubeconfig()) {
    out('the local control plane stops with the demo; to look around with kubectl afterwards:');
    out(`  npm run testbed:start && export KUBECONFIG=${join(tmpdir(), DIR_PREFIX, 'kubeconfig')} && npm run demo`);
  }
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exit(1);
});
