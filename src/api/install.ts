// Installs or upgrades the CRDs generated from src/api, for tests and the demo (in a
// cluster, Helm installs deploy/crds). Returns once both kinds are served.
import { isAlreadyExists, isConflict, type KubeClients } from '../kube/client.js';
import { VERSION } from './common.js';
import { buildCrds, type Crd } from './crd.js';

// Through the generic client on purpose: the typed ApiextensionsV1Api serializes its
// models by their TypeScript names and silently drops every x-kubernetes-* key.
export const CRD_API = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };

type StoredCrd = Crd & {
  metadata: { resourceVersion: string };
  status?: { conditions?: { type: string; status: string }[] };
};

export async function applyCrds(kube: KubeClients, { timeoutMs = 60_000 } = {}): Promise<void> {
  const crds = buildCrds();
  for (const crd of crds) await applyCrd(kube, crd);
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const ref = { group: crd.spec.group, version: VERSION, plural: crd.spec.names.plural };
    // Established first, then the kind's endpoint answering: the second trails the first.
    while (!(await established(kube, crd)) || !(await kube.custom.listClusterCustomObject(ref).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not served after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Create, or replace what is there: CRDs are cluster-wide, others may apply them too. */
async function applyCrd(kube: KubeClients, crd: Crd): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await kube.custom.createClusterCustomObject({ ...CRD_API, body: crd });
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const current = await kube.custom.getClusterCustomObject({ ...CRD_API, name: crd.metadata.name }) as StoredCrd;
    try {
      const body = { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion } };
      await kube.custom.replaceClusterCustomObject({ ...CRD_API, name: crd.metadata.name, body });
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err; // updated by someone else meanwhile
    }
  }
}

async function established(kube: KubeClients, crd: Crd): Promise<boolean> {
  const stored = await kube.custom.getClusterCustomObject({ ...CRD_API, name: crd.metadata.name }) as StoredCrd;
  return stored.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}
