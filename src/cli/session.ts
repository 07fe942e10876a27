// Who the plugin talks to and where: the user's kubeconfig and context (kubectl's own
// flags), and the namespace kubectl would use: -n, else the context's, else default.
import { type KubeClients, loadKubeConfig, makeClients } from '../kube/client.js';
import { CliError } from './failures.js';
import type { CommonFlags } from './flags.js';

export interface Session {
  kube: KubeClients;
  /** The namespace verbs act in (and the one -A widens from). */
  namespace: string;
  /** -A: read every namespace. */
  allNamespaces: boolean;
}

export function connect(flags: CommonFlags): Session {
  let config;
  try {
    config = loadKubeConfig(flags.kubeconfig, flags.context, 'kubectl-syncpool');
  } catch (err) {
    const where = flags.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new CliError(`cannot load the kubeconfig (${where}): ${(err as Error).message.split('\n')[0]}`);
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    kube: makeClients(config),
    namespace: flags.namespace ?? (contextNamespace || 'default'),
    allNamespaces: flags.allNamespaces,
  };
}

/** `namespace "x"` or `all namespaces`, for messages. */
export const scopeWords = (s: Session) => (s.allNamespaces ? 'any namespace' : `namespace ${s.namespace}`);
