// On a fresh machine kubectl and helm come with the control plane: `npm run testbed:build`
// puts pinned ones beside it, and `npm run testbed:start` prints the line that puts them
// first on PATH. Asked of the running test control plane, whose start says "already
// running" and prints the same lines.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { resolveAssets } from '../../../src/testbed/launcher.js';
import { REPO } from './support.js';

function sh(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', script], { cwd: REPO, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test('testbed:start prints a PATH line that brings the pinned kubectl and helm', async () => {
  const bin = resolveAssets();
  const dir = dirname(process.env.SYNCPOOL_TEST_KUBECONFIG!);
  const cli = `${process.execPath} --import tsx src/testbed/cli.ts start`;
  const printed = await sh(cli, { SYNCPOOL_TESTBED_DIR: dir });
  expect(printed).toContain(`export PATH=${bin}:$PATH`);

  const out = await sh(`eval "$(${cli})" && command -v kubectl && command -v helm && helm version --template '{{.Version}}' && echo && kubectl version --client -o json`,
    { SYNCPOOL_TESTBED_DIR: dir, PATH: `/usr/bin:/bin` });
  const [kubectl, helm, helmVersion, ...rest] = out.split('\n');
  expect([kubectl, helm]).toEqual([join(bin, 'kubectl'), join(bin, 'helm')]);
  expect(helmVersion).toBe('v3.17.2');
  expect((JSON.parse(rest.join('\n')) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion).toBe('v1.32.5');
});
