// Making and reading syncpool objects in tests, the way a user would with kubectl.
import type { SyncTask, WorkerPool } from '../../../src/api/types.js';
import { type KubeClients, mergePatch } from '../../../src/kube/client.js';
import { GROUP, VERSION } from '../../../src/api/common.js';
import { POOLS, TASKS } from '../../../src/kube/writers.js';
import { eventually } from './cluster.js';

type PoolSpec = Partial<WorkerPool['spec']> & { maxWorkers: number };
type TaskSpec = Partial<SyncTask['spec']> & { pool: string };

/** Pods of this pool run for `runFor` on the fake node (kwok), then succeed. */
export function poolBody(name: string, spec: PoolSpec, runFor = '1s'): object {
  return {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'WorkerPool', metadata: { name },
    spec: { template: { image: 'registry.example/sync:1', annotations: { 'testbed.syncpool.dev/run-for': runFor } }, ...spec },
  };
}

export class SyncpoolApi {
  constructor(private readonly kube: KubeClients, private readonly namespace: string) {}

  private ref(plural: string) {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural };
  }

  createPool(name: string, spec: PoolSpec, runFor = '1s'): Promise<unknown> {
    return this.kube.custom.createNamespacedCustomObject({ ...this.ref(POOLS), body: poolBody(name, spec, runFor) });
  }

  patchPool(name: string, spec: Partial<WorkerPool['spec']>): Promise<unknown> {
    return this.kube.custom.patchNamespacedCustomObject({ ...this.ref(POOLS), name, body: { spec } }, mergePatch);
  }

  patchTask(name: string, spec: Partial<SyncTask['spec']>): Promise<unknown> {
    return this.kube.custom.patchNamespacedCustomObject({ ...this.ref(TASKS), name, body: { spec } }, mergePatch);
  }

  createTask(name: string, spec: TaskSpec): Promise<unknown> {
    return this.kube.custom.createNamespacedCustomObject({
      ...this.ref(TASKS),
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'SyncTask', metadata: { name }, spec: { source: 'hubspot', syncType: 'contacts', ...spec } },
    });
  }

  async task(name: string): Promise<SyncTask> {
    return (await this.kube.custom.getNamespacedCustomObject({ ...this.ref(TASKS), name })) as SyncTask;
  }

  async pool(name: string): Promise<WorkerPool> {
    return (await this.kube.custom.getNamespacedCustomObject({ ...this.ref(POOLS), name })) as WorkerPool;
  }

  async tasks(): Promise<SyncTask[]> {
    return ((await this.kube.custom.listNamespacedCustomObject(this.ref(TASKS))) as { items: SyncTask[] }).items;
  }

  async waitForPhase(name: string, phase: string, timeoutMs = 60_000): Promise<SyncTask> {
    let last: SyncTask | undefined;
    try {
      return await eventually(`task ${name} ${phase}`, async () => {
        last = await this.task(name);
        return last.status?.phase === phase ? last : undefined;
      }, { timeoutMs });
    } catch (err) {
      // Say where it got stuck: the task's own account, and its pool's.
      const pool = last ? await this.pool(last.spec.pool).catch(() => undefined) : undefined;
      throw new Error(`${(err as Error).message}\n  task status: ${JSON.stringify(last?.status)}\n  pool status: ${JSON.stringify(pool?.status)}`);
    }
  }

  /** Resolves when every task is in one of `phases`. */
  waitForAll(phases: string[], count: number, timeoutMs = 120_000): Promise<SyncTask[]> {
    return eventually(`${count} tasks in ${phases.join('/')}`, async () => {
      const all = await this.tasks();
      return all.length === count && all.every((t) => phases.includes(t.status?.phase ?? '')) ? all : undefined;
    }, { timeoutMs, intervalMs: 500 });
  }
}
