// The one place that builds Kubernetes API clients and knows patch content types.
// Everything else asks for `KubeClients` and calls `mergePatch`.
import * as k8s from '@kubernetes/client-node';
import { PooledKubeConfig } from './connections.js';
import { userAgent } from './identity.js';

export interface KubeClients {
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  batch: k8s.BatchV1Api;
  custom: k8s.CustomObjectsApi;
  apiextensions: k8s.ApiextensionsV1Api;
  coordination: k8s.CoordinationV1Api;
  authentication: k8s.AuthenticationV1Api;
  authorization: k8s.AuthorizationV1Api;
  events: k8s.EventsV1Api;
  version: k8s.VersionApi;
}

/**
 * Loads a kubeconfig: the file given, else $KUBECONFIG / ~/.kube/config, else the
 * in-cluster service account. `component` names the caller to the API server (its
 * User-Agent, and the field manager of what it writes).
 */
export function loadKubeConfig(file?: string, context?: string, component = 'syncpool'): k8s.KubeConfig {
  const config = new PooledKubeConfig();
  config.userAgent = userAgent(component);
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  if (context !== undefined) {
    if (!config.getContextObject(context)) throw new Error(`kubeconfig has no context ${JSON.stringify(context)}`);
    config.setCurrentContext(context);
  }
  if (!config.getCurrentCluster()) throw new Error('no Kubernetes cluster configured (kubeconfig has no current cluster)');
  return config;
}

export function makeClients(config: k8s.KubeConfig): KubeClients {
  return {
    config,
    core: config.makeApiClient(k8s.CoreV1Api),
    batch: config.makeApiClient(k8s.BatchV1Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    apiextensions: config.makeApiClient(k8s.ApiextensionsV1Api),
    coordination: config.makeApiClient(k8s.CoordinationV1Api),
    authentication: config.makeApiClient(k8s.AuthenticationV1Api),
    authorization: config.makeApiClient(k8s.AuthorizationV1Api),
    events: config.makeApiClient(k8s.EventsV1Api),
    version: config.makeApiClient(k8s.VersionApi),
  };
}

/** Request options that make a generated `patch*` call send a JSON merge patch. */
export const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** The HTTP status of a failed API call, if it was one. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof k8s.ApiException ? err.code : undefined;
}

export const isNotFound = (err: unknown) => apiStatus(err) === 404;
/** 409 on create: the name is taken. */
export const isAlreadyExists = (err: unknown) => apiStatus(err) === 409;
/** 409 on update: someone else wrote since we read (stale resourceVersion). */
export const isConflict = (err: unknown) => apiStatus(err) === 409;

/**
 * The API server processed the request and refused it, so nothing was written: any
 * 4xx but 408 (the server gave up waiting, the write may still land). A timeout, a
 * dropped connection or a 5xx (etcd slow to answer) leaves the outcome unknown.
 */
export function isDefiniteRefusal(err: unknown): boolean {
  const code = apiStatus(err);
  return code !== undefined && code >= 400 && code < 500 && code !== 408;
}

/** The fields the API server named when it refused an object (Status details.causes). */
export function apiCauses(err: unknown): { field?: string; message?: string; reason?: string }[] {
  if (!(err instanceof k8s.ApiException)) return [];
  const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
  const causes = (body as { details?: { causes?: unknown } } | undefined)?.details?.causes;
  return Array.isArray(causes) ? causes as { field?: string; message?: string; reason?: string }[] : [];
}

/** The API server's own explanation of a failed call (its Status message), else the error text. */
export function apiMessage(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    if (typeof message === 'string') return message;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
