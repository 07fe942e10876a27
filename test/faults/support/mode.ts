// How big the fault drains are. Short (the default) is what CI runs: the whole faults
// project within its ~8 minute budget on a 2-core machine. SYNCPOOL_FAULTS=long is run by
// hand: hundreds of tasks and more repetitions of each fault, for figures worth quoting.
// SYNCPOOL_FAULTS_SEED replays a run's random choices (each scenario prints its seed).
import { Rng } from '../../unit/controller/sim/random.js';

export interface FaultsMode {
  name: 'short' | 'long';
  /** One-shot tasks in a drain (spread over its pools). */
  tasks: number;
  /** Periodic tasks in a drain, each triggered `runsPerPeriodic` times. */
  periodic: number;
  runsPerPeriodic: number;
  /** Multiplies how often a scenario repeats its fault (20 operator kills in short mode). */
  repetitions: number;
  /** How long a drain may take before its unfinished tasks count as stuck. */
  drainTimeoutMs: number;
}

const SHORT: FaultsMode = { name: 'short', tasks: 120, periodic: 6, runsPerPeriodic: 2, repetitions: 1, drainTimeoutMs: 240_000 };
const LONG: FaultsMode = { name: 'long', tasks: 400, periodic: 12, runsPerPeriodic: 4, repetitions: 3, drainTimeoutMs: 900_000 };

export const faultsMode: FaultsMode = process.env.SYNCPOOL_FAULTS === 'long' ? LONG : SHORT;

/** A scenario's random source, seeded from SYNCPOOL_FAULTS_SEED or at random; the seed is printed. */
export function seededRandom(scenario: string): { rng: Rng; seed: number } {
  const fixed = process.env.SYNCPOOL_FAULTS_SEED;
  const seed = fixed !== undefined && fixed !== '' ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`SYNCPOOL_FAULTS_SEED must be an integer, not ${JSON.stringify(fixed)}`);
  process.stderr.write(`[faults] ${scenario}: seed ${seed} (replay with SYNCPOOL_FAULTS_SEED=${seed})\n`);
  return { rng: new Rng(seed), seed };
}

/** The test timeout for a scenario: its drain, plus setup and teardown. */
export const scenarioTimeoutMs = (extraMs = 0) => faultsMode.drainTimeoutMs + 120_000 + extraMs;
