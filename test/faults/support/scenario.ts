// What every operator fault scenario needs around its drain: clients, CRDs, a namespace
// of its own, cleanups run in reverse (even when the test failed half-way), and the
// run's table of figures printed when the file is done.
import { afterAll, beforeAll } from '@jest/globals';
import { applyCrds } from '../../../src/api/install.js';
import type { KubeClients } from '../../../src/kube/client.js';
import { createTestNamespace, deleteNamespace, testClients } from '../../integration/support/cluster.js';
import { printReportTable } from './report.js';

export interface ScenarioStage {
  kube: KubeClients;
  ns: string;
  /** Runs at the end of the file, last registered first. */
  cleanup(fn: () => unknown): void;
}

export function useScenarioStage(prefix: string): ScenarioStage {
  const cleanups: (() => unknown)[] = [];
  const stage: ScenarioStage = {
    kube: undefined as unknown as KubeClients,
    ns: '',
    cleanup: (fn) => { cleanups.push(fn); },
  };
  beforeAll(async () => {
    stage.kube = testClients();
    await applyCrds(stage.kube);
    stage.ns = await createTestNamespace(stage.kube, prefix);
  });
  afterAll(async () => {
    await runCleanups(cleanups);
    if (stage.ns) await deleteNamespace(stage.kube, stage.ns);
    printReportTable();
  });
  return stage;
}

/** Runs and empties `cleanups`, last registered first; one that fails does not stop the rest. */
export async function runCleanups(cleanups: (() => unknown)[]): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`[faults] cleanup failed: ${String(err)}\n`);
    }
  }
}
