// Who the API server is told is calling. Without a User-Agent of our own, node-fetch's
// ("node-fetch") named us in audit logs, in apiserver_request_total's client breakdowns
// and, for every field we write, as the manager in managedFields (`kubectl get -o yaml
// --show-managed-fields`): what a cluster admin sees of us. The API server takes a
// manager's name from the User-Agent up to its first "/", as client-go's agents read:
// `syncpool-operator/0.1.0 (linux/x64)` manages fields as `syncpool-operator`.
import { readFileSync } from 'node:fs';

/** The version in package.json, beside src/ and dist/ alike. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `component` is the binary: syncpool-operator, kubectl-syncpool. */
export function userAgent(component: string): string {
  return `${component}/${packageVersion()} (${process.platform}/${process.arch})`;
}
