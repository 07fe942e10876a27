// What the demo shows once a cluster is there. For now: the control plane and its
// fake node are usable; the operator scenario is added with the operator.
import { loadKubeConfig, makeClients } from '../kube/client.js';

export async function runDemo(kubeconfig: string, out: (line: string) => void): Promise<void> {
  const kube = makeClients(loadKubeConfig(kubeconfig));
  const version = await kube.version.getCode();
  const nodes = await kube.core.listNode();
  out(`Kubernetes ${version.gitVersion}; nodes: ${nodes.items.map((n) => n.metadata?.name).join(', ')}`);
}
