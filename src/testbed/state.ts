/** What a running testbed publishes in its directory once it is ready. */
export interface TestbedState {
  /** The supervisor's pid, which is also its process group id. */
  pid: number;
  dir: string;
  kubeconfig: string;
  server: string;
  startMillis: number;
}

export const STATE_FILE = 'state.json';
export const ERROR_FILE = 'start-error.txt';
export const SUPERVISOR_LOG = 'supervisor.log';
/** Written by the launcher as soon as the supervisor exists, so a crash before ready can be reaped. */
export const PID_FILE = 'supervisor.pid';
