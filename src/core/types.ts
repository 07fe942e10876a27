// Plain data shared by the scheduling core. Nothing here knows about Kubernetes: adapters
// translate WorkerPool specs and suspended Jobs into these shapes and back.

export type Overlap = 'Forbid' | 'Allow';

export interface PoolPolicy {
  /** Cap on concurrently running runs; 0 admits nothing. */
  maxWorkers: number;
  /** Admit nothing; running runs continue. */
  paused: boolean;
  /** Per-source caps, e.g. `{ hubspot: 1 }`; a source not listed is limited only by the pool. */
  sourceLimits: Record<string, number>;
  /** Forbid: never two runs of the same (source, syncType) at once. */
  overlap: Overlap;
  /** Anti-starvation: +1 effective priority per interval waited. */
  agingIntervalMs?: number;
}

/** `name` is the Job name, unique in the pool. */
export interface RunRef {
  name: string;
  source: string;
  syncType: string;
}

export interface QueuedRun extends RunRef {
  priority: number;
  enqueuedAtMs: number;
}

export type WaitReason = 'PoolPaused' | 'PoolFull' | 'SourceLimit' | 'Overlap';

/** `position` is the 1-based place in the ordered queue among runs not admitted. */
export interface WaitingRun {
  run: QueuedRun;
  position: number;
  reason: WaitReason;
}

export interface AdmissionInput {
  policy: PoolPolicy;
  running: RunRef[];
  queued: QueuedRun[];
  nowMs: number;
}

export interface AdmissionPlan {
  admit: QueuedRun[];
  waiting: WaitingRun[];
}

/** `waiting` counts the queued runs neither running nor admitted, a name queued twice once. */
export interface AdmissionDecision {
  admit: QueuedRun[];
  waiting: number;
}
