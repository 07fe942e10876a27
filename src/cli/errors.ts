// Every failure ends in one line that says what to do. API errors are turned into the
// API server's own words, plus the step that usually fixes them.
import { ApiException } from '@kubernetes/client-node';
import { apiMessage } from '../kube/client.js';

const CRDS_MISSING = 'the syncpool.dev API is not served by this cluster: the CRDs are not installed '
  + '(kubectl apply -f deploy/crds/, or install the Helm chart; kubectl syncpool doctor checks the rest)';

/** The one line that explains `err`. */
export function explain(err: unknown): string {
  if (err instanceof ApiException) return explainApi(err);
  const message = err instanceof Error ? err.message : String(err);
  // client-node's transport: "request to https://host:port/path failed, reason: connect ECONNREFUSED ..."
  const unreachable = /request to (\w+:\/\/[^/\s]+)\S* failed, reason: (.*)/.exec(message);
  if (unreachable) {
    return `cannot reach the API server at ${unreachable[1]}: ${unreachable[2]} (check --kubeconfig, --context, and that the cluster is up)`;
  }
  return firstLine(message);
}

function explainApi(err: ApiException<unknown>): string {
  const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body ?? '');
  // A path the server has no handler for: only our own API group can be missing.
  if (err.code === 404 && !body.trimStart().startsWith('{')) return CRDS_MISSING;
  const said = firstLine(apiMessage(err));
  switch (err.code) {
    case 401: return `the API server did not accept your credentials (401 Unauthorized): check --kubeconfig and --context, or log in again`;
    case 403: return `${said} (ask for access; kubectl syncpool doctor lists what you may do)`;
    default: return said.startsWith('HTTP-Code') ? `the API server answered HTTP ${err.code}` : said;
  }
}

const firstLine = (text: string) => text.split('\n')[0]!.trim();
