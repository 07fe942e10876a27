// One namespace of the bench: CRDs, whatever the scenario puts there before the
// operator starts (pools, a crowd), our Job watch, then the operator, left to settle
// so that measuring starts from a quiet process.
import { applyCrds } from '../src/api/install.js';
import type { KubeClients } from '../src/kube/client.js';
import { createTestNamespace, deleteNamespace, eventuallyGone, testClients } from '../test/integration/support/cluster.js';
import { SyncpoolApi } from '../test/integration/support/syncpool.js';
import { JobTimes } from './jobTimes.js';
import { BenchOperator } from './operator.js';

export interface BenchStage {
  kube: KubeClients;
  ns: string;
  api: SyncpoolApi;
  times: JobTimes;
  operator: BenchOperator;
  /** From the operator's start until it was idle, ms. */
  settleMs: number;
  /** Stops the operator (if it still runs), starts a new one and waits for it to settle. */
  restartOperator(): Promise<BenchOperator>;
}

export interface StageOptions {
  /** Pools whose Jobs the watch times. */
  measuredPools: string[];
  /** Runs before the operator starts. */
  setup?: (kube: KubeClients, api: SyncpoolApi, ns: string) => Promise<void>;
  /**
   * Wait for the namespace to be deleted afterwards, so its deletion's traffic stays
   * out of the next measurement. Off for the last one: the testbed goes anyway.
   */
  waitForNamespace?: boolean;
  /** More operator flags (e.g. `--redis-url`). */
  operatorArgs?: string[];
  /** Flags for the operator's Node (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export async function withStage<T>(prefix: string, o: StageOptions, fn: (s: BenchStage) => Promise<T>): Promise<T> {
  const kube = testClients();
  await applyCrds(kube);
  const ns = await createTestNamespace(kube, prefix);
  const api = new SyncpoolApi(kube, ns);
  const times = new JobTimes(kube, ns, o.measuredPools);
  let operator: BenchOperator | undefined;
  try {
    await o.setup?.(kube, api, ns);
    await times.start();
    const t0 = Date.now();
    const start = () => BenchOperator.start(ns, process.env.SYNCPOOL_TEST_KUBECONFIG!, o.operatorArgs, o.nodeArgs);
    operator = await start();
    const settleMs = (Date.now() - t0) + await operator.settle();
    const stage: BenchStage = {
      kube, ns, api, times, operator, settleMs,
      restartOperator: async () => {
        await operator?.stop();
        operator = undefined;
        operator = stage.operator = await start();
        await operator.settle();
        return operator;
      },
    };
    return await fn(stage);
  } finally {
    times.stop();
    await operator?.stop();
    await deleteNamespace(kube, ns);
    if (o.waitForNamespace ?? true) {
      await eventuallyGone(`namespace ${ns}`, () => kube.core.readNamespace({ name: ns }), { timeoutMs: 300_000, intervalMs: 500 });
    }
  }
}
