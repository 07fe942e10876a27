// Who a person's bearer token belongs to (TokenReview) and what that person may do
// (SubjectAccessReview), as the API server says: the status page and its API trust the
// cluster's own authentication and RBAC, never anything read from the token itself.
import type { KubeClients } from './client.js';
import { GROUP } from '../api/common.js';
import { TASKS } from './writers.js';

/** A user as the API server's authenticators describe them. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/**
 * The user a token belongs to, or undefined if the API server does not accept it. No
 * audiences are asked for, so the API server checks the token against its own: a token
 * `kubectl create token` or a kubeconfig carries passes, a sync pod's heartbeat token
 * (audience syncpool) does not. Throws when the review itself fails (API server
 * unreachable, or the operator may not create tokenreviews).
 */
export async function reviewUserToken(kube: KubeClients, token: string): Promise<UserInfo | undefined> {
  const review = await kube.authentication.createTokenReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
  });
  const status = review.status;
  const username = status?.user?.username;
  if (!status?.authenticated || !username) return undefined;
  return { username, uid: status.user?.uid, groups: status.user?.groups ?? [], extra: status.user?.extra ?? {} };
}

/**
 * May this user list SyncTasks in this namespace? The question the status page asks
 * before it shows anything of a namespace: whoever may list its tasks may see its pools'
 * queues. Throws when the review fails (the operator may not create subjectaccessreviews).
 */
export async function mayListTasks(kube: KubeClients, user: UserInfo, namespace: string): Promise<boolean> {
  const review = await kube.authorization.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: user.username,
        uid: user.uid,
        groups: user.groups,
        extra: user.extra,
        resourceAttributes: { namespace, verb: 'list', group: GROUP, resource: TASKS },
      },
    },
  });
  return review.status?.allowed === true;
}
