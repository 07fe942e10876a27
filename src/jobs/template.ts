// A pool's pod template, with the per-(source, syncType) overrides of spec.syncTypes
// applied. Also answers whether a pool allows a (source, syncType) at all.

import type { PodTemplate, SyncTypeRule } from '../api/types.js';

export type { PodTemplate, SyncTypeRule };

export function matchingRule(rules: SyncTypeRule[] | undefined, source: string, syncType: string): SyncTypeRule | undefined {
  return rules?.find((r) => r.source === source && (r.types.includes('*') || r.types.includes(syncType)));
}

/** undefined when allowed; otherwise the message a Rejected task shows. */
export function rejection(pool: string, rules: SyncTypeRule[] | undefined, source: string, syncType: string): string | undefined {
  if (!rules || matchingRule(rules, source, syncType)) return undefined;
  const allowed = rules.map((r) => `${r.source}/${r.types.length === 1 ? r.types[0] : `{${r.types.join(',')}}`}`);
  return `sync ${source}/${syncType} is not allowed by WorkerPool ${pool}; it allows: ${allowed.join(', ')}`;
}

export function templateFor(pool: { template: PodTemplate; syncTypes?: SyncTypeRule[] }, source: string, syncType: string): PodTemplate {
  const override = matchingRule(pool.syncTypes, source, syncType)?.template;
  if (!override) return pool.template;
  const env = new Map((pool.template.env ?? []).map((e) => [e.name, e]));
  for (const e of override.env ?? []) env.set(e.name, e);
  return { ...pool.template, ...override, env: [...env.values()] };
}
