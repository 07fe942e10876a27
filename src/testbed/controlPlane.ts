// Starts a real, throwaway Kubernetes control plane: etcd, kube-apiserver,
// kube-controller-manager (only the controllers syncpool relies on), kube-scheduler,
// and kwok as the fake node's kubelet. Everything listens on random loopback ports and
// lives in one directory. Whoever started it may stop and start single components again
// (fault tests restart etcd, kube-apiserver, the controller-manager): see restartable.ts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { BootstrapClient, waitFor } from './bootstrap.js';
import { createPki, type Pki } from './pki.js';
import { freePort } from './ports.js';
import { type Component, logTail } from './processes.js';
import { RestartableComponent, type StopOptions } from './restartable.js';

export const KWOK_STAGES = fileURLToPath(new URL('./kwok-stages.yaml', import.meta.url));
export const NODE_NAME = 'kwok-node-0';

// Controllers syncpool's behaviour depends on; nothing else runs, to keep the testbed light.
const CONTROLLERS = [
  'job-controller',
  'cronjob-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'ttl-after-finished-controller',
  'serviceaccount-controller',
  // ResourceQuota status: without it a quota admits everything (runs-that-never-start tests).
  'resourcequota-controller',
  // The Helm chart's Deployment: its pods must exist (and run on the fake node) for
  // `helm install --wait` and the chart tests.
  'deployment-controller',
  'replicaset-controller',
];

export interface ControlPlaneInfo {
  dir: string;
  server: string;
  kubeconfig: string;
  etcd: string;
}

/** The components, by the names their logs carry. */
export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export interface RunningControlPlane extends ControlPlaneInfo {
  /** The instances running now (a restarted component is a new process). */
  readonly components: Component[];
  /** Resolves with the first component that exits on its own; a stop asked for is not one. */
  firstExit: Promise<Component>;
  stop(): Promise<void>;
  /**
   * Fault injection: stops one component (SIGTERM, or SIGKILL for a crash) and leaves
   * the rest running, as they would be when it fails in a real cluster.
   */
  stopComponent(name: ComponentName, opts?: StopOptions): Promise<void>;
  /** Starts a stopped component again: same ports, data and flags; resolves once it serves. */
  startComponent(name: ComponentName): Promise<void>;
  restart(name: ComponentName, opts?: StopOptions): Promise<void>;
}

function kubeconfigFor(server: string, pki: Pki, files: { ca: string; cert: string; key: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'syncpool-testbed', cluster: { server, 'certificate-authority-data': b64(files.ca) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64(files.cert), 'client-key-data': b64(files.key) } }],
    contexts: [{ name: 'syncpool-testbed', context: { cluster: 'syncpool-testbed', user: 'admin', namespace: 'default' } }],
    'current-context': 'syncpool-testbed',
  }) + `# made by syncpool's testbed; CA ${pki.caCert}\n`;
}

function fakeNode(): object {
  const resources = { cpu: '1000', memory: '1Ti', pods: '10000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    status: { allocatable: resources, capacity: resources },
  };
}

/** Knobs a benchmark turns; tests use the defaults. */
export interface ControlPlaneOptions {
  /**
   * The controller-manager's client rate limit (`--kube-api-qps`, burst twice that).
   * Its default of 20 makes the Job controller, not the operator, the bound on a drain
   * of short runs; benchmarks raise it to measure the operator's own admission speed.
   */
  controllerManagerQps?: number;
}

export async function startControlPlane(dir: string, assets: string, opts: ControlPlaneOptions = {}): Promise<RunningControlPlane> {
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  await mkdir(join(dir, 'pki'), { recursive: true });
  const bin = (name: string) => join(assets, name);
  const components: RestartableComponent[] = [];
  const stop = async () => {
    for (const c of [...components].reverse()) await c.stop();
  };
  const start = (name: ComponentName, args: string[], ready?: () => Promise<void>) => {
    const c = new RestartableComponent({ name, bin: bin(name), args, logDir: logs, ready });
    components.push(c);
    return c;
  };

  try {
    const pki = await createPki(join(dir, 'pki'));
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;

    // A component dying during start-up fails the start at once, with its log (ready()).
    const etcd = start('etcd', [
      '--name=testbed', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=testbed=${peerUrl}`, '--unsafe-no-fsync', '--log-level=warn',
    ], () => waitFor('etcd /health', 30_000, async () => (await fetch(`${etcdUrl}/health`)).ok));
    await etcd.ready();

    const server = `https://127.0.0.1:${apiPort}`;
    const client = new BootstrapClient(server, pki);
    const apiserver = start('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`, `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24', '--authorization-mode=RBAC', '--allow-privileged=true',
      // No token controller runs, and kwok nodes are never tainted not-ready by a kubelet.
      '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
      '--enable-priority-and-fairness=false',
    ], () => waitFor('kube-apiserver /readyz', 60_000, async () => (await client.call('GET', '/readyz')).status === 200));
    await apiserver.ready();

    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(server, pki, {
      ca: await readFile(pki.caCert, 'utf8'),
      cert: await readFile(pki.adminCert, 'utf8'),
      key: await readFile(pki.adminKey, 'utf8'),
    }), { mode: 0o600 });

    const rest = [
      start('kube-controller-manager', [
        `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--use-service-account-credentials=false',
        '--secure-port=0', `--controllers=${CONTROLLERS.join(',')}`,
        // Tests create many Jobs at once; the default of 5 workers would be the bottleneck.
        '--concurrent-job-syncs=10',
        ...(opts.controllerManagerQps
          ? [`--kube-api-qps=${opts.controllerManagerQps}`, `--kube-api-burst=${2 * opts.controllerManagerQps}`]
          : []),
      ]),
      start('kube-scheduler', [
        `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0',
      ]),
      start('kwok', [
        `--kubeconfig=${kubeconfig}`, '--manage-all-nodes=true', `--config=${KWOK_STAGES}`,
        '--server-address=',
      ]),
    ];

    const created = await client.call('POST', '/api/v1/nodes', fakeNode());
    if (created.status !== 201) throw new Error(`creating the fake node: HTTP ${created.status} ${created.body}`);
    const anyExit = Promise.race(rest.map((c) => c.crashed));
    const ready = Promise.all([
      waitFor(`node ${NODE_NAME} Ready (kwok)`, 60_000, async () => {
        const node = JSON.parse((await client.call('GET', `/api/v1/nodes/${NODE_NAME}`)).body);
        return node.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
      }),
      // The default ServiceAccount appearing proves the controller-manager is running.
      waitFor('ServiceAccount default/default (controller-manager)', 60_000, async () =>
        (await client.call('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200),
    ]);
    await Promise.race([ready, anyExit.then((c) => {
      throw new Error(`${c.name} exited during start-up:\n${logTail(c.logFile)}`);
    })]);

    const firstExit = Promise.race(components.map((c) => c.crashed));
    const named = (name: ComponentName) => components.find((c) => c.name === name)!;
    return {
      dir, server, kubeconfig, etcd: etcdUrl, firstExit, stop,
      get components() { return components.map((c) => c.current); },
      stopComponent: (name, opts) => named(name).stop(opts),
      startComponent: (name) => named(name).start(),
      restart: (name, opts) => named(name).restart(opts),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
