// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection:
// - A standby judges expiry on its own monotonic clock, from the moment it last saw the
//   Lease change, never from the holder's timestamps, so clock skew cannot make two
//   replicas lead.
// - Every write carries the resourceVersion it read; a 409 means another replica wrote
//   first, and we simply look again next period.
// - The leader gives up once renewDeadline passes without a successful renew, before
//   any standby can consider the lease expired (renewDeadline < leaseDuration), so
//   leaderships never overlap. It does not compete again: the process is expected to
//   exit and come back as a standby.
import { type V1Lease, type V1LeaseSpec, V1MicroTime } from '@kubernetes/client-node';
import { isAlreadyExists, isConflict, isNotFound, type KubeClients } from '../kube/client.js';
import { type Clock, errorMessage, type Logger, monotonicClock, silentLogger } from './clock.js';

export interface LeaderElectorOptions {
  clients: KubeClients;
  namespace: string;
  name: string;
  /** Unique per replica, e.g. the pod name. */
  identity: string;
  /** How long a standby waits, after the lease last changed, before taking it. Default 15. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps leading without a successful renew. Default 10. */
  renewDeadlineSeconds?: number;
  /** How often to renew, or to try to acquire. Default 2. */
  retryPeriodSeconds?: number;
  onStartedLeading?: () => void;
  /** Called once when leadership ends: lost, or given up by stop(). */
  onStoppedLeading?: () => void;
  /** Called whenever a different holder is observed, this replica included. */
  onNewLeader?: (identity: string) => void;
  log?: Logger;
  /** Measures durations; lease timestamps are wall-clock `Date.now()`. */
  clock?: Clock;
  random?: () => number;
}

export class LeaderElector {
  private readonly leaseMs: number;
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private leading = false;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private deadline: unknown;
  /** The lease as last read or written, for its resourceVersion. */
  private lease?: V1Lease;
  private observedAt = 0;
  private observedHolder = '';
  /** When the API server last answered a round of this loop (or a probe), on our clock. */
  private answeredAt?: number;
  private probe?: Promise<boolean>;

  constructor(private readonly o: LeaderElectorOptions) {
    this.leaseMs = (o.leaseDurationSeconds ?? 15) * 1000;
    this.deadlineMs = (o.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (o.retryPeriodSeconds ?? 2) * 1000;
    // The same sanity rule as client-go: with jitter, a retry must fit in the deadline.
    if (!(this.leaseMs > this.deadlineMs && this.deadlineMs > this.retryMs * 1.2)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod');
    }
    this.clock = o.clock ?? monotonicClock;
    this.log = o.log ?? silentLogger;
  }

  /** Starts competing. An elector runs once: after stop() or a lost lease, build a new one. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops competing; with `release`, the lease is handed back so a standby takes over at once. */
  async stop({ release = false }: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop; // no renew may land after the release
    const wasLeading = this.leading;
    this.leading = false;
    this.clock.clearTimeout(this.deadline);
    // Also when a last write acquired the lease while we were stopping.
    if (release) await this.release();
    if (wasLeading) this.o.onStoppedLeading?.();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed on the lease ('' when none). */
  leader(): string {
    return this.observedHolder;
  }

  /**
   * Whether the API server answers, for readiness: it answered this loop (which reads or
   * renews the Lease every retry period, leader or not) within `withinMs`, or it answers
   * one Lease read now (shared by concurrent callers, as patient as a renewal).
   */
  async apiReachable(withinMs: number): Promise<boolean> {
    if (this.answeredAt !== undefined && this.clock.now() - this.answeredAt <= withinMs) return true;
    this.probe ??= this.readLease().finally(() => { this.probe = undefined; });
    return this.probe;
  }

  private async readLease(): Promise<boolean> {
    const { clients, namespace, name } = this.o;
    try {
      await this.timed(clients.coordination.readNamespacedLease({ namespace, name }));
    } catch (err) {
      if (!isNotFound(err)) return false;
    }
    this.answeredAt = this.clock.now();
    return true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tryAcquireOrRenew();
        this.answeredAt = this.clock.now();
      } catch (err) {
        this.log.warn('lease read or write failed', { lease: this.o.name, error: errorMessage(err), leading: this.leading });
      }
      // Standbys spread their attempts so they do not all hit the API server together.
      const jitter = this.leading ? 1 : 1 + 0.2 * (this.o.random ?? Math.random)();
      await this.pause(this.retryMs * jitter);
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const attemptAt = this.clock.now();
    const { clients, namespace, name, identity } = this.o;
    const api = clients.coordination;
    let lease: V1Lease;
    try {
      lease = await this.timed(api.readNamespacedLease({ namespace, name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        const created = await this.timed(api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.spec() } }));
        return this.acquired(created, attemptAt);
      } catch (createErr) {
        if (isAlreadyExists(createErr)) return; // another replica created it first
        throw createErr;
      }
    }
    this.observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const expiresAt = this.observedAt + (spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    if (holder !== '' && holder !== identity && this.clock.now() < expiresAt) {
      // Someone else holds a valid lease; if we thought we led, we no longer do.
      if (this.leading) this.lose(`lease taken by ${holder}`);
      return;
    }
    const renewing = holder === identity;
    try {
      const updated = await this.timed(api.replaceNamespacedLease({
        namespace, name, body: { ...lease, spec: this.spec(renewing ? spec : undefined, (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1)) },
      }));
      this.acquired(updated, attemptAt);
    } catch (err) {
      if (!isConflict(err)) throw err; // another replica wrote first
    }
  }

  private spec(current?: V1LeaseSpec, transitions = 0): V1LeaseSpec {
    // A plain Date serialises with milliseconds, which the API server rejects for a
    // MicroTime field; V1MicroTime prints the six digits it wants.
    const now = new V1MicroTime(Date.now());
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.leaseMs / 1000,
      acquireTime: current?.acquireTime ?? now,
      renewTime: now,
      leaseTransitions: transitions,
    };
  }

  private acquired(lease: V1Lease, attemptAt: number): void {
    this.observe(lease);
    if (this.stopped) return; // the deadline passed or stop() began while this write was in flight
    this.clock.clearTimeout(this.deadline);
    // Counted from before the write: the lease may have been valid for no longer than that.
    this.deadline = this.clock.setTimeout(() => this.lose('renew deadline exceeded'), this.deadlineMs - (this.clock.now() - attemptAt));
    if (!this.leading) {
      this.leading = true;
      this.log.info('started leading', { lease: this.o.name, identity: this.o.identity });
      this.o.onStartedLeading?.();
    }
  }

  private observe(lease: V1Lease): void {
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) this.observedAt = this.clock.now();
    this.lease = lease;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder !== '') this.o.onNewLeader?.(holder);
    }
  }

  private lose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.stopped = true;
    this.clock.clearTimeout(this.deadline);
    this.wake?.();
    this.log.error('stopped leading', { lease: this.o.name, identity: this.o.identity, reason });
    this.o.onStoppedLeading?.();
  }

  private async release(): Promise<void> {
    const lease = this.lease;
    if (!lease || lease.spec?.holderIdentity !== this.o.identity) return;
    const now = new V1MicroTime(Date.now());
    try {
      // An empty holder lets a standby acquire on its next attempt instead of waiting out the lease.
      await this.timed(this.o.clients.coordination.replaceNamespacedLease({
        namespace: this.o.namespace, name: this.o.name,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
      }));
      this.log.info('released lease', { lease: this.o.name, identity: this.o.identity });
    } catch (err) {
      this.log.warn('could not release lease; standbys will wait for it to expire', { lease: this.o.name, error: errorMessage(err) });
    }
  }

  /** A hung request must not outlive the renew deadline, or we would keep leading blind. */
  private timed<R>(request: Promise<R>): Promise<R> {
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(new Error('lease request timed out')), this.deadlineMs / 2);
    });
    return Promise.race([request, timeout]).finally(() => this.clock.clearTimeout(timer));
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, ms);
      this.wake = () => { this.clock.clearTimeout(timer); resolve(); };
    });
  }
}
