// The usual stage for an operator test: CRDs installed, a namespace of its own, an
// independent Job watcher, and syncpool-operator running for that namespace.
import { applyCrds } from '../../../src/api/install.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventuallyGone, testClients } from './cluster.js';
import { JobWatcher } from './jobWatcher.js';
import { OperatorProcess } from './operator.js';
import { SyncpoolApi } from './syncpool.js';

export interface SyncpoolStage {
  kube: KubeClients;
  ns: string;
  api: SyncpoolApi;
  jobs: JobWatcher;
  operator: OperatorProcess;
  /** Stops the operator and the watcher and deletes the namespace (waiting for it if asked). */
  stop(opts?: { waitForNamespace?: boolean }): Promise<void>;
}

export async function startSyncpool(
  prefix: string, labels: Record<string, string> = {}, o: { operatorArgs?: string[] } = {},
): Promise<SyncpoolStage> {
  const kube = testClients();
  await applyCrds(kube);
  const ns = await createTestNamespace(kube, prefix, labels);
  const jobs = new JobWatcher(kube, ns);
  await jobs.start();
  const operator = await OperatorProcess.start({ namespace: ns, identity: `${prefix}-op`, args: o.operatorArgs });
  const stage: SyncpoolStage = {
    kube, ns, jobs, operator, api: new SyncpoolApi(kube, ns),
    async stop({ waitForNamespace = false } = {}) {
      jobs.stop();
      await stage.operator.stop(); // the one running now: a test may have replaced it
      await deleteNamespace(kube, ns);
      if (waitForNamespace) {
        await eventuallyGone(`namespace ${ns}`, () => kube.core.readNamespace({ name: ns }), { timeoutMs: 180_000, intervalMs: 500 });
      }
    },
  };
  return stage;
}
