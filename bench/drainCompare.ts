// syncpool's drain beside the oracle's, run in pairs on one control plane (the order
// alternating, so a machine getting busier does not favour one side), reported as
// medians and as the median of each pair's ratio.
import { apiserverProfileReport } from './apiserverProfile.js';
import { type DrainPlan, type DrainRun, oracleDrain, syncpoolDrain } from './drain.js';
import { secs } from './stats.js';

export interface DrainComparison {
  setting: string;
  plan: DrainPlan;
  runs: DrainRun[];
  median: { syncpoolMs: number; oracleMs: number; ratio: number; apiserverCpuRatio: number; syncpoolMeanBusy: number; oracleMeanBusy: number };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function compareDrains(setting: string, plan: DrainPlan, pairs: number, timeoutMs: number): Promise<DrainComparison> {
  const runs: DrainRun[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const pair = i % 2 === 0
      ? [await oracleDrain(plan, timeoutMs), await syncpoolDrain(plan, timeoutMs)]
      : [await syncpoolDrain(plan, timeoutMs), await oracleDrain(plan, timeoutMs)];
    const s = pair.find((r) => r.who === 'syncpool')!;
    const o = pair.find((r) => r.who === 'oracle')!;
    runs.push(...pair);
    ratios.push(s.ms / o.ms);
    cpuRatios.push(s.apiserverCpuMs / o.apiserverCpuMs);
    process.stderr.write(`drain ${setting} pair ${i + 1}/${pairs}: syncpool ${secs(s.ms)}, oracle ${secs(o.ms)}\n`);
  }
  const of = (who: DrainRun['who'], f: (r: DrainRun) => number) => median(runs.filter((r) => r.who === who).map(f));
  return {
    setting, plan, runs,
    median: {
      syncpoolMs: of('syncpool', (r) => r.ms), oracleMs: of('oracle', (r) => r.ms), ratio: median(ratios),
      apiserverCpuRatio: median(cpuRatios),
      syncpoolMeanBusy: of('syncpool', (r) => r.meanBusy), oracleMeanBusy: of('oracle', (r) => r.meanBusy),
    },
  };
}

export function drainReport(c: DrainComparison): string {
  const row = (r: DrainRun) => `  ${r.who.padEnd(9)} ${secs(r.ms).padStart(8)}  peak ${String(r.peakBusy).padStart(3)}/${c.plan.maxWorkers}`
    + `  mean busy ${r.meanBusy.toFixed(1).padStart(5)}  apiserver CPU ${secs(r.apiserverCpuMs).padStart(7)}`
    + (r.operatorCpuMs === undefined ? '' : `  operator CPU ${secs(r.operatorCpuMs)}`);
  const m = c.median;
  return [
    `${c.plan.tasks} one-shot tasks, maxWorkers ${c.plan.maxWorkers}, pods that finish at once; ${c.setting}; ${c.runs.length / 2} pairs:`,
    ...c.runs.flatMap((r) => [row(r), ...(r.apiserverProfile ? [apiserverProfileReport(r.who, r.apiserverProfile)] : [])]),
    `  median: syncpool ${secs(m.syncpoolMs)}, oracle ${secs(m.oracleMs)}; ratio ${m.ratio.toFixed(2)} (median of pairs);`
      + ` mean slots busy ${m.syncpoolMeanBusy.toFixed(1)} vs ${m.oracleMeanBusy.toFixed(1)}; apiserver CPU ratio ${m.apiserverCpuRatio.toFixed(2)}`,
  ].join('\n');
}
