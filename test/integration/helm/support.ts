// What the chart tests share: helm and kubectl as built by `npm run testbed:build`
// (never skipped: a missing binary fails the test and says how to get it), a private
// control plane for tests that must own the cluster (CRDs created by `helm install`, an
// operator watching every namespace), and the RBAC a rendered chart grants.
import { afterAll } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { type KubeClients, loadKubeConfig, makeClients } from '../../../src/kube/client.js';
import { launch, resolveAssets, stop } from '../../../src/testbed/launcher.js';
import type { TestbedState } from '../../../src/testbed/state.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART = join(REPO, 'deploy/helm/syncpool');

let assets: string | undefined;

/** helm or kubectl from the testbed's binaries. */
export function tool(name: 'helm' | 'kubectl'): string {
  assets ??= resolveAssets();
  const bin = join(assets, name);
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`no ${name} at ${bin}: hack/testbed-build.sh provides it; run npm run testbed:build`);
  }
  return bin;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// helm keeps caches and repository lists under $HOME unless told otherwise.
// One per test file (each imports this module afresh), removed when the file is done.
const helmHome = mkdtempSync(join(tmpdir(), 'syncpool-helm-home-'));
afterAll(() => rmSync(helmHome, { recursive: true, force: true }));

export function run(file: string, args: string[], o: { kubeconfig?: string; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  const env = {
    ...process.env,
    KUBECONFIG: o.kubeconfig ?? process.env.SYNCPOOL_TEST_KUBECONFIG,
    HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data'),
  };
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, timeout: o.timeoutMs ?? 120_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

export const helm = (args: string[], o?: Parameters<typeof run>[2]) => run(tool('helm'), args, o);
export const kubectl = (args: string[], o?: Parameters<typeof run>[2]) => run(tool('kubectl'), args, o);

/** Fails with everything the command said unless it exited 0. */
export function ok(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout.slice(0, 4000)}`);
  return r;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function manifests(yamlText: string): Manifest[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => !!m);
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One permission: `resource` may carry a subresource (jobs, synctasks/status). */
export interface Grant {
  group: string;
  resource: string;
  verb: string;
  /** Where it holds: 'cluster' (a ClusterRole bound cluster-wide) or a namespace. */
  scope: string;
}

export const grantKey = (g: Omit<Grant, 'scope'>) => `${g.verb} ${g.resource}${g.group ? `.${g.group}` : ''}`;

/** Every (group, resource, verb) the rendered chart's Roles and ClusterRoles grant, with where. */
export function grants(rendered: Manifest[]): Grant[] {
  const out: Grant[] = [];
  for (const m of rendered) {
    if (m.kind !== 'Role' && m.kind !== 'ClusterRole') continue;
    const scope = m.kind === 'Role' ? m.metadata.namespace! : 'cluster';
    for (const rule of (m.rules as PolicyRule[] | undefined) ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) out.push({ group, resource, verb, scope });
        }
      }
    }
  }
  return out;
}

export interface PrivateCluster {
  state: TestbedState;
  kubeconfig: string;
  kube: KubeClients;
  stop(): Promise<void>;
}

/**
 * A control plane of this test file's own, beside the shared one: for what must own the
 * cluster (CRDs that `helm install` creates, an operator watching every namespace).
 */
export async function privateCluster(): Promise<PrivateCluster> {
  const state = await launch({ attached: true, assets: resolveAssets() });
  return {
    state,
    kubeconfig: state.kubeconfig,
    kube: makeClients(loadKubeConfig(state.kubeconfig)),
    stop: async () => { await stop(state.dir); },
  };
}

/**
 * A kubeconfig that authenticates as a ServiceAccount with a token from the TokenRequest
 * API (what the kubelet mounts into the operator's pod), against `server` (default: the
 * cluster's own address), trusting the cluster's CA.
 */
export async function serviceAccountKubeconfig(
  kube: KubeClients, base: string, namespace: string, account: string, o: { server?: string; dir: string },
): Promise<{ file: string; token: string }> {
  const request = await kube.core.createNamespacedServiceAccountToken({
    namespace, name: account, body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status!.token;
  const config = loadKubeConfig(base);
  const cluster = config.getCurrentCluster()!;
  const file = join(o.dir, `${namespace}-${account}.kubeconfig`);
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
    clusters: [{ name: 'c', cluster: { server: o.server ?? cluster.server, 'certificate-authority-data': caData(config) } }],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa' } }],
  }), { mode: 0o600 });
  return { file, token };
}

function caData(config: ReturnType<typeof loadKubeConfig>): string {
  const cluster = config.getCurrentCluster()!;
  if (cluster.caData) return cluster.caData;
  throw new Error('the test kubeconfig has no embedded CA');
}

/**
 * The operator laid out as the image lays it out (Dockerfile): `dist/` compiled with
 * tsconfig.build.json and `package.json` beside it, entry point `dist/cmd/operator.js`.
 * Inside the repo's node_modules/.cache so that its imports resolve the repo's packages;
 * built once per source version. Returns the directory (the image's /app).
 */
export function buildOperatorLikeImage(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) hash.update(relative(REPO, path)).update(readFileSync(path));
    }
  };
  walk(join(REPO, 'src'));
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) hash.update(readFileSync(join(REPO, file)));
  const cache = join(REPO, 'node_modules/.cache/syncpool-image-test');
  const version = hash.digest('hex').slice(0, 16);
  const app = join(cache, version);
  if (existsSync(join(app, 'dist/cmd/operator.js'))) return app;
  // Builds of older sources are of no further use.
  for (const old of existsSync(cache) ? readdirSync(cache) : []) {
    if (/^[0-9a-f]{16}$/.test(old) && old !== version) rmSync(join(cache, old), { recursive: true, force: true });
  }
  const tmp = `${app}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({
    extends: join(REPO, 'tsconfig.build.json'),
    compilerOptions: { rootDir: join(REPO, 'src'), outDir: join(tmp, 'dist'), sourceMap: false },
    files: [join(REPO, 'src/cmd/operator.ts')],
    include: [],
  }));
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(tmp, 'tsconfig.json')], { cwd: REPO, stdio: 'pipe' });
  } catch (err) {
    // Type errors are `npm run typecheck`'s to report; tsc still emits. Only no output is fatal here.
    if (!existsSync(join(tmp, 'dist/cmd/operator.js'))) {
      throw new Error(`compiling the operator failed:\n${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
    }
  }
  rmSync(join(tmp, 'tsconfig.json'));
  copyFileSync(join(REPO, 'package.json'), join(tmp, 'package.json'));
  try {
    renameSync(tmp, app);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // built by another test file meanwhile
  }
  return app;
}
