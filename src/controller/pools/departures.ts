// Runs whose Job left the cache while it held a slot: deleted in the background
// (garbage collection of a deleted task, `kubectl delete job`), so its pod may outlive
// it. The pod informer is a separate watch and may not have seen that pod yet; until it
// shows the pod alive (then the pod counts on its own) or a live look finds no pod of
// that Job alive, the departed run keeps its slot. Kept per pool, like expectations.
import type { V1Job } from '@kubernetes/client-node';
import { holdsSlot, queueFields } from '../../jobs/classify.js';
import { LABEL_POOL } from '../../jobs/labels.js';

export interface DepartedRun {
  uid: string;
  name: string;
  namespace: string;
  source: string;
  syncType: string;
}

export class DepartedRuns {
  private readonly byPool = new Map<string, Map<string, DepartedRun>>();

  /** A Job left the cache; `last` is the last state the cache held. */
  departed(last: V1Job): void {
    const pool = last.metadata?.labels?.[LABEL_POOL];
    if (!pool || !holdsSlot(last)) return;
    const key = `${last.metadata!.namespace}/${pool}`;
    let runs = this.byPool.get(key);
    if (!runs) this.byPool.set(key, (runs = new Map()));
    const { source, syncType } = queueFields(last);
    runs.set(last.metadata!.uid!, { uid: last.metadata!.uid!, name: last.metadata!.name!, namespace: last.metadata!.namespace!, source, syncType });
  }

  of(pool: string): DepartedRun[] {
    return [...(this.byPool.get(pool)?.values() ?? [])];
  }

  /** Its pods are gone: the slot is free. */
  settled(pool: string, uid: string): void {
    const runs = this.byPool.get(pool);
    runs?.delete(uid);
    if (runs?.size === 0) this.byPool.delete(pool);
  }

  clear(): void {
    this.byPool.clear();
  }

  forgetPool(pool: string): void {
    this.byPool.delete(pool);
  }

  size(): number {
    let n = 0;
    for (const runs of this.byPool.values()) n += runs.size;
    return n;
  }
}
