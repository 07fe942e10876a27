// A control-plane component that the process which started it may stop and start again
// on purpose (fault-injection tests restart kube-apiserver, etcd, the controller-manager).
// It comes back with the same binary and arguments, so with the same ports, data
// directory and certificates: every client's address and every stored object still fit.
// Only an exit nobody asked for counts as a crash.
import { type Component, logTail, startComponent, stopComponent } from './processes.js';

export interface ComponentSpec {
  name: string;
  bin: string;
  args: string[];
  logDir: string;
  /** Resolves once the component serves (e.g. etcd /health); none: started is enough. */
  ready?: () => Promise<void>;
}

export interface StopOptions {
  /** SIGTERM (default) is a clean stop; SIGKILL is a crash without cleanup. */
  signal?: NodeJS.Signals;
  graceMs?: number;
}

export class RestartableComponent {
  private proc: Component;
  /** Instances stopped on purpose: their exit is not a crash. */
  private readonly stoppedOnPurpose = new WeakSet<Component>();
  private onCrash!: (c: Component) => void;
  /** Resolves with the first instance that exited without being asked to. */
  readonly crashed: Promise<Component>;

  constructor(private readonly spec: ComponentSpec) {
    this.crashed = new Promise((resolve) => { this.onCrash = resolve; });
    this.proc = this.spawn();
  }

  get name(): string {
    return this.spec.name;
  }

  /** The instance running now (or the last one, once stopped). */
  get current(): Component {
    return this.proc;
  }

  get running(): boolean {
    return this.proc.proc.exitCode === null && this.proc.proc.signalCode === null;
  }

  /** Waits for the spec's readiness; an exit meanwhile fails it with the log's end. */
  async ready(): Promise<void> {
    const c = this.proc;
    const exit = c.exited.then((code) => {
      throw new Error(`${c.name} exited (${code}) during start-up:\n${logTail(c.logFile)}`);
    });
    await Promise.race([this.spec.ready?.() ?? Promise.resolve(), exit]);
  }

  async stop(opts: StopOptions = {}): Promise<void> {
    this.stoppedOnPurpose.add(this.proc);
    await stopComponent(this.proc, opts.signal ?? 'SIGTERM', opts.graceMs ?? 5000);
  }

  /** Starts it again as before and waits until it is ready. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.proc.proc.pid})`);
    this.proc = this.spawn();
    await this.ready();
  }

  async restart(opts: StopOptions = {}): Promise<void> {
    await this.stop(opts);
    await this.start();
  }

  private spawn(): Component {
    const { logDir, name, bin, args } = this.spec;
    const c = startComponent(logDir, name, bin, args);
    void c.exited.then(() => {
      if (!this.stoppedOnPurpose.has(c)) this.onCrash(c);
    });
    return c;
  }
}
