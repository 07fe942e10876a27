// The heartbeat endpoint's one write: the worker's last signs of life on its SyncTask.
// A merge patch of exactly these fields, with no resourceVersion precondition: it must
// not conflict with the reconciler, which owns every other status field and writes them
// with preconditions of its own (a merge patch leaves fields it does not name alone).
import { GROUP, VERSION } from '../api/common.js';
import { apiStatus, type KubeClients, mergePatch } from './client.js';
import { TASKS } from './writers.js';

export interface HeartbeatFields {
  /** RFC 3339. */
  lastHeartbeat: string;
  progress?: number;
  progressMessage?: string;
}

export async function patchHeartbeatStatus(kube: KubeClients, namespace: string, task: string, fields: HeartbeatFields): Promise<void> {
  // Built field by field so nothing else can ride along.
  const status: HeartbeatFields = { lastHeartbeat: fields.lastHeartbeat };
  if (fields.progress !== undefined) status.progress = fields.progress;
  if (fields.progressMessage !== undefined) status.progressMessage = fields.progressMessage;
  try {
    await kube.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural: TASKS, namespace, name: task, body: { status } }, mergePatch);
  } catch (err) {
    // client-node's error text carries the response body, which may echo the worker's
    // message: callers log errors, so they get the status code only.
    const code = apiStatus(err);
    if (code !== undefined) throw new Error(`heartbeat status patch refused (HTTP ${code})`);
    throw err;
  }
}
