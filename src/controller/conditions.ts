// KEP-1623 conditions: lastTransitionTime moves only when status flips, so a
// reconcile that changes nothing writes nothing.

import type { Condition } from '../api/types.js';

export type { Condition };

export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const list = conditions ?? [];
  const current = list.find((c) => c.type === next.type);
  const lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now;
  const updated: Condition = { ...next, lastTransitionTime };
  return current ? list.map((c) => (c.type === next.type ? updated : c)) : [...list, updated];
}
