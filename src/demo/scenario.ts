// The demo: a WorkerPool capped at 3, twelve SyncTasks of mixed priority (one of
// them for a sync type the pool does not allow), the operator admitting them, and a
// live view of what `kubectl get synctasks,workerpools` would show.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyCrds } from '../api/install.js';
import { TERMINAL_PHASES } from '../api/syncTask.js';
import type { SyncTask, WorkerPool } from '../api/types.js';
import { isAlreadyExists, type KubeClients, loadKubeConfig, makeClients } from '../kube/client.js';
import { GROUP, VERSION } from '../api/common.js';
import { POOLS, TASKS } from '../kube/writers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
// A fresh namespace per run, so a rerun against a real cluster starts clean.
const NS = `syncpool-demo-${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createAll(kube: KubeClients): Promise<void> {
  await kube.core.createNamespace({ body: { metadata: { name: NS } } }).catch((err) => { if (!isAlreadyExists(err)) throw err; });
  const ref = (plural: string) => ({ group: GROUP, version: VERSION, namespace: NS, plural });
  const apiVersion = `${GROUP}/${VERSION}`;
  const tasks: [string, string, string, number][] = [
    ['hs-contacts', 'hubspot', 'contacts', 0], ['hs-companies', 'hubspot', 'companies', 0], ['hs-deals', 'hubspot', 'deals', 5],
    ['hs-tickets', 'hubspot', 'tickets', 0], ['sf-accounts', 'salesforce', 'accounts', 10], ['sf-leads', 'salesforce', 'leads', 0],
    ['sf-opportunities', 'salesforce', 'opportunities', 5], ['sf-cases', 'salesforce', 'cases', 0], ['sf-users', 'salesforce', 'users', 0],
    ['sf-tasks', 'salesforce', 'tasks', 10], ['hs-owners', 'hubspot', 'owners', 0], ['sf-events', 'salesforce', 'events', 0],
  ];
  for (const [name, source, syncType, priority] of tasks) {
    await kube.custom.createNamespacedCustomObject({ ...ref(TASKS), body: {
      apiVersion, kind: 'SyncTask', metadata: { name }, spec: { pool: 'crm', source, syncType, priority },
    } });
  }
  // The pool comes last, as when a platform team installs it for waiting tasks: every
  // task is known by then, so admission follows priority from the first slot on.
  await kube.custom.createNamespacedCustomObject({ ...ref(POOLS), body: {
    apiVersion, kind: 'WorkerPool', metadata: { name: 'crm' },
    spec: {
      maxWorkers: 3, sourceLimits: { hubspot: 2 },
      // On the demo's fake node, this annotation makes each sync "run" for 4 seconds.
      template: { image: 'registry.example/crm-sync:1', annotations: { 'testbed.syncpool.dev/run-for': '4s' } },
      syncTypes: [{ source: 'hubspot', types: ['contacts', 'companies', 'deals', 'tickets'] }, { source: 'salesforce', types: ['*'] }],
    },
  } });
}

function table(pool: WorkerPool | undefined, tasks: SyncTask[]): string {
  const s = pool?.status;
  const lines = [`WorkerPool crm: max ${pool?.spec.maxWorkers}  active ${s?.active ?? '-'}  queued ${s?.queued ?? '-'}  util ${s?.utilization ?? '-'}`];
  lines.push(`  ${'TASK'.padEnd(18)}${'SOURCE'.padEnd(12)}${'TYPE'.padEnd(15)}${'PRIO'.padEnd(6)}PHASE`);
  for (const t of [...tasks].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
    lines.push(`  ${t.metadata!.name!.padEnd(18)}${t.spec.source.padEnd(12)}${t.spec.syncType.padEnd(15)}${String(t.spec.priority ?? 0).padEnd(6)}${t.status?.phase ?? ''}`);
  }
  return lines.join('\n');
}

export async function runDemo(kubeconfig: string, out: (line: string) => void): Promise<void> {
  const kube = makeClients(loadKubeConfig(kubeconfig, undefined, 'syncpool-demo'));
  out(`Kubernetes ${(await kube.version.getCode()).gitVersion}; installing CRDs and starting syncpool-operator for namespace ${NS}`);
  await applyCrds(kube);
  const operator = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/operator.ts', '--kubeconfig', kubeconfig,
    '--namespace', NS, '--lease-namespace', NS, '--http-host', '127.0.0.1', '--http-port', '0',
    '--heartbeat-url', 'http://127.0.0.1:9/api/v1/heartbeat', '--log-level', 'warn'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await createAll(kube);
    out('submitted WorkerPool crm (maxWorkers 3, hubspot limited to 2) and 12 SyncTasks\n');
    const ref = { group: GROUP, version: VERSION, namespace: NS };
    for (let tick = 0; tick < 120; tick++) {
      const pool = (await kube.custom.getNamespacedCustomObject({ ...ref, plural: POOLS, name: 'crm' })) as WorkerPool;
      const tasks = ((await kube.custom.listNamespacedCustomObject({ ...ref, plural: TASKS })) as { items: SyncTask[] }).items;
      out(`t=${tick * 2}s\n${table(pool, tasks)}\n`);
      if (tasks.every((t) => TERMINAL_PHASES.has(t.status?.phase ?? ''))) {
        const rejected = tasks.find((t) => t.status?.phase === 'Rejected');
        if (rejected) out(`${rejected.metadata!.name} was rejected: ${rejected.status?.message}`);
        out(`all done: kubectl -n ${NS} get synctasks,workerpools,jobs shows the same.`);
        return;
      }
      await sleep(2000);
    }
    throw new Error('the demo did not finish within 4 minutes');
  } finally {
    operator.kill('SIGTERM');
  }
}
