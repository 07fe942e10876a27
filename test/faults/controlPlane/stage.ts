// The stage of a control-plane fault scenario: a control plane of the file's own (its
// components are what the scenario restarts), a namespace, the operator as its Helm
// chart runs it (two replicas, production lease timings, an exited replica replaced),
// and a prepared drain. Cleanups run in reverse, even after a failure half-way.
import { afterAll, beforeAll } from '@jest/globals';
import { createTestNamespace } from '../../integration/support/cluster.js';
import { Drain, type DrainOptions } from '../support/drain.js';
import { OperatorReplicas } from '../support/replicas.js';
import { printReportTable, type ScenarioReport } from '../support/report.js';
import { seededRandom } from '../support/mode.js';
import { type OwnPlane, startOwnPlane } from './plane.js';

export interface ControlPlaneScenario {
  own: OwnPlane;
  ns: string;
  operators: OperatorReplicas;
  drain: Drain;
  /** Stops its operators and observer (also done after the file, if a test failed first). */
  end(): Promise<void>;
}

export interface PlaneStage {
  /** Prepares a scenario on this file's control plane: namespace, operators, drain. */
  scenario(name: string, drain?: Partial<DrainOptions>): Promise<ControlPlaneScenario>;
  readonly own: OwnPlane;
}

export function useOwnPlane(prefix: string): PlaneStage {
  const cleanups: (() => unknown)[] = [];
  let own: OwnPlane | undefined;
  beforeAll(async () => {
    own = await startOwnPlane(prefix);
    cleanups.push(() => own!.stop());
  }, 180_000);
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`[faults] cleanup failed: ${String(err)}\n`);
      }
    }
    printReportTable();
  }, 120_000);

  return {
    get own() {
      if (!own) throw new Error('the control plane did not start');
      return own;
    },
    async scenario(name, drainOptions = {}) {
      const plane = this.own;
      const ns = await createTestNamespace(plane.kube, prefix);
      // The Helm chart's two replicas, with the lease timings it ships (15 s, renew within 10 s).
      const operators = new OperatorReplicas(plane.kube, { namespace: ns, prefix: `${prefix}-op`, replicas: 2, kubeconfig: plane.kubeconfig });
      let drain: Drain | undefined;
      let ended: Promise<void> | undefined;
      const end = () => (ended ??= (async () => {
        drain?.stop();
        await operators.stop();
      })());
      cleanups.push(end);
      await operators.start();
      const { rng, seed } = seededRandom(name);
      drain = await Drain.prepare({ scenario: name, kube: plane.kube, namespace: ns, rng, seed, ...drainOptions });
      return { own: plane, ns, operators, drain, end };
    },
  };
}

/**
 * Where each named task got stuck, for a failing scenario's output: its status, its Jobs
 * as the API server has them, and what the running operators logged about it.
 */
export async function explainStuck(s: ControlPlaneScenario, names: string[]): Promise<string> {
  const out: string[] = [`control plane kept in ${s.own.keep()}`];
  for (const name of names.slice(0, 5)) {
    const task = await s.drain.api.task(name).catch((err: unknown) => ({ error: String(err) }));
    const jobs = await s.own.kube.batch.listNamespacedJob({ namespace: s.ns, labelSelector: `syncpool.dev/task=${name}` })
      .then((l) => l.items.map((j) => ({ name: j.metadata?.name, uid: j.metadata?.uid, suspend: j.spec?.suspend, status: j.status, deleting: j.metadata?.deletionTimestamp })))
      .catch((err: unknown) => String(err));
    const pods = await s.own.kube.core.listNamespacedPod({ namespace: s.ns, labelSelector: `syncpool.dev/task=${name}` })
      .then((l) => l.items.map((p) => ({ name: p.metadata?.name, node: p.spec?.nodeName, phase: p.status?.phase, conditions: p.status?.conditions, deleting: p.metadata?.deletionTimestamp })))
      .catch((err: unknown) => String(err));
    const logged = [...s.operators.running].flatMap((op) => op.logs.filter((l) => l.includes(`"${name}"`) || l.includes(`${name}-`)).map((l) => `${op.identity}: ${l}`));
    out.push(`--- ${name}\ntask: ${JSON.stringify(task)}\njobs: ${JSON.stringify(jobs)}\npods: ${JSON.stringify(pods)}\nlogs:\n${logged.slice(-30).join('\n')}`);
  }
  return out.join('\n');
}

/** The scenario's figures on one line of stderr (the shared report file is per jest run). */
export function printFigures(report: ScenarioReport): void {
  const faults = report.faults.map((f) => `${f.fault}: lasted ${f.lastedMs} ms, next admission +${f.recoveryMs ?? '-'} ms (${f.queued} queued)`);
  process.stderr.write(`[faults] ${report.scenario} (${report.mode}): over-cap ${report.overCap.length} (strict ${report.overCapStrict.length}), `
    + `duplicates ${report.duplicates.length}, lost ${report.lost.length}, stuck ${report.stuck.length}, failed ${report.failed.length}, `
    + `drain ${report.drainMs} ms, ${report.tasks.oneShot} tasks + ${report.tasks.periodicRuns} runs, observer ${JSON.stringify(report.observer)}\n`
    + `  ${faults.join('\n  ')}\n  notes ${JSON.stringify(report.notes)}\n`);
}
