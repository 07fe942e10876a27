// Every request names its component to the API server, which makes the User-Agent's
// part before the first "/" the field manager of what it writes: the generated
// clients' calls and the watches (built on another path in client-node) alike.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/kube/client.js';

const KUBECONFIG = `
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

function config(component?: string): k8s.KubeConfig {
  const file = join(mkdtempSync(join(tmpdir(), 'syncpool-identity-')), 'kubeconfig');
  writeFileSync(file, KUBECONFIG);
  return loadKubeConfig(file, undefined, component);
}

const FORMAT = /^syncpool-operator\/\d+\.\d+\.\d+[^ ]* \([a-z0-9]+\/[a-z0-9_]+\)$/;

test('a generated client\'s call carries <component>/<version> (<os>/<arch>)', async () => {
  const context = new k8s.RequestContext('https://127.0.0.1:6443/api/v1/namespaces', k8s.HttpMethod.GET);
  await config('syncpool-operator').applySecurityAuthentication(context);
  expect(context.getHeaders()['User-Agent']).toMatch(FORMAT);
});

test('a watch carries the same User-Agent, beside its credentials', async () => {
  const init = await config('syncpool-operator').applyToFetchOptions({});
  const headers = init.headers as unknown as { get(name: string): string | null };
  expect(headers.get('user-agent')).toMatch(FORMAT);
  expect(headers.get('authorization')).toBe('Bearer not-a-real-token');
});

test('without a component named, calls still say they are syncpool\'s', async () => {
  const init = await config().applyToFetchOptions({});
  expect((init.headers as unknown as { get(name: string): string | null }).get('user-agent')).toMatch(/^syncpool\//);
});
