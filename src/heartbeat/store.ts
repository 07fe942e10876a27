// Where heartbeats are kept between their arrival (any replica's HTTP server) and their
// judgement (the leader's task reconciler). Runs are keyed by their Job's uid: one
// attempt of one task. Times are the receiving operator's clock (ms since the epoch),
// never the worker's.

/** What the store knows about one run. */
export interface HeartbeatReading {
  /** When the run's last heartbeat was received, if the store holds one. */
  lastMs?: number;
  /**
   * Since when the store is known to hold every heartbeat received by any replica. It
   * moves forward at each gap: this process starting, Redis found flushed or restarted
   * (its epoch marker missing), Redis becoming unreachable, Redis coming back. Nothing
   * is declared stale before `completeSinceMs + staleAfter`.
   */
  completeSinceMs: number;
}

export interface StoreHealth {
  /** false: heartbeats are held in this process's memory only (Redis unreachable). */
  ok: boolean;
  detail: string;
}

export interface HeartbeatStore {
  /** Records a heartbeat of the run (Job uid) received at `atMs`. */
  record(runUid: string, atMs: number): Promise<void>;
  /** The run's last heartbeat and the store's completeness, in one round trip. Never throws. */
  read(runUid: string): Promise<HeartbeatReading>;
  /** Drops a finished run's entry. Best effort; never throws. */
  forget(runUid: string): Promise<void>;
  health(): StoreHealth;
  close(): Promise<void>;
}
