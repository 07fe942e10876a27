// Who a worker's bearer token belongs to, as the API server says (TokenReview). The
// operator trusts nothing in the token itself: the API server checks the signature, the
// expiry, the audience and that the pod it is bound to still exists with that uid.
import type { KubeClients } from './client.js';

/** The audience of the projected token every sync pod gets (src/jobs/build.ts). */
export const HEARTBEAT_AUDIENCE = 'syncpool';

const POD_NAME = 'authentication.kubernetes.io/pod-name';
const POD_UID = 'authentication.kubernetes.io/pod-uid';
const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The pod a token was issued for. */
export interface PodIdentity {
  namespace: string;
  serviceAccount: string;
  podName: string;
  podUid: string;
}

/**
 * Undefined when the API server does not accept the token for our audience, or the
 * token is not bound to a pod (a long-lived Secret token, or one minted without a pod):
 * only a pod's own token says which run is calling. Throws when the review itself fails
 * (API server unreachable, or RBAC lacks `create tokenreviews`).
 */
export async function reviewToken(kube: KubeClients, token: string): Promise<PodIdentity | undefined> {
  const review = await kube.authentication.createTokenReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [HEARTBEAT_AUDIENCE] } },
  });
  const status = review.status;
  // An audience-unaware authenticator answers with no audiences: that token was meant for the API server.
  if (!status?.authenticated || !status.audiences?.includes(HEARTBEAT_AUDIENCE)) return undefined;
  const account = SERVICE_ACCOUNT.exec(status.user?.username ?? '');
  const podName = status.user?.extra?.[POD_NAME]?.[0];
  const podUid = status.user?.extra?.[POD_UID]?.[0];
  if (!account || !podName || !podUid) return undefined;
  return { namespace: account[1]!, serviceAccount: account[2]!, podName, podUid };
}
