// Adopting a plain CronJob into a pool: which merge patch, if any, makes its runs queue
// under the pool's cap, or gives the CronJob back as it was once it is unlabelled. Pure:
// the reconciler hands in the CronJob from its cache and writes the patch.
//
// A run of the CronJob is a Job made from its jobTemplate, so adoption changes only the
// template: suspended (the run waits in the queue), labelled with the pool and the
// source and sync type the pool's limits and overlap rule read, and given the CronJob's
// priority. The values it replaced are recorded on the CronJob (ANNOTATION_ADOPTED) in
// the same write, so release restores them exactly, whichever replica does it. The
// record is written once: a re-applied manifest that resets the template is adopted
// again from the record, never recorded over with the operator's own values.
import type { V1CronJob } from '@kubernetes/client-node';
import { z } from 'zod';
import { ANNOTATION_PRIORITY, LABEL_POOL, LABEL_SOURCE, LABEL_SYNC_TYPE } from '../../jobs/labels.js';

/** On an adopted CronJob: its pool and what adoption replaced in its jobTemplate (null: absent). */
export const ANNOTATION_ADOPTED = 'syncpool.dev/adopted';
/** The sync type of an adopted CronJob's runs when it has no `syncpool.dev/sync-type` label. */
export const CRONJOB_SYNC_TYPE = 'cronjob';

type Values = Record<string, string | null>;

const recordSchema = z.object({
  pool: z.string().min(1),
  suspend: z.boolean().nullable(),
  labels: z.record(z.string(), z.string().nullable()),
  annotations: z.record(z.string(), z.string().nullable()).default({}),
});

export type AdoptionRecord = z.infer<typeof recordSchema>;

/** The jobTemplate fields adoption sets, as they are or as they should be (null: absent). */
interface TemplateFields {
  suspend: boolean | null;
  labels: Values;
  annotations: Values;
}

/** A JSON merge patch of a CronJob, holding only what changes. */
export interface CronJobPatch {
  metadata?: { annotations: Values };
  spec?: { jobTemplate: { metadata?: { labels?: Values; annotations?: Values }; spec?: { suspend: boolean | null } } };
}

export type Adoption =
  | { action: 'none'; warning?: string }
  /** Adopt: first time. Readopt: the template drifted from what adoption means (a re-applied manifest). */
  | { action: 'adopt' | 'readopt'; pool: string; patch: CronJobPatch; warning?: string }
  | { action: 'repoint'; pool: string; from: string; patch: CronJobPatch; warning?: string }
  | { action: 'release'; pool: string; patch: CronJobPatch }
  /** The record is not ours to read (edited by hand): touching the template could lose the original values. */
  | { action: 'unreadable'; message: string };

export function decideAdoption(cronJob: V1CronJob): Adoption {
  const meta = cronJob.metadata ?? {};
  // A periodic SyncTask's CronJob is that task's; a CronJob being deleted needs nothing.
  if (meta.ownerReferences?.some((o) => o.controller && o.kind === 'SyncTask') || meta.deletionTimestamp) return { action: 'none' };
  const raw = meta.annotations?.[ANNOTATION_ADOPTED];
  const parsed = raw === undefined ? undefined : readRecord(raw);
  if (parsed && !parsed.ok) return { action: 'unreadable', message: parsed.message };
  const record = parsed?.record;
  const current = templateFields(cronJob);
  const pool = meta.labels?.[LABEL_POOL] || undefined;

  if (!pool) {
    if (!record) return { action: 'none' };
    return { action: 'release', pool: record.pool, patch: patchFrom(current, record, raw, null)! };
  }

  const { wanted, warning } = wantedFields(cronJob, pool);
  const next: AdoptionRecord = {
    pool,
    suspend: record ? record.suspend : current.suspend,
    labels: originals(wanted.labels, record?.labels, current.labels),
    annotations: originals(wanted.annotations, record?.annotations, current.annotations),
  };
  // A key recorded earlier and no longer set (the CronJob's priority annotation removed)
  // goes back to its original value.
  const target: TemplateFields = {
    suspend: true,
    labels: { ...record?.labels, ...wanted.labels },
    annotations: { ...record?.annotations, ...wanted.annotations },
  };
  const nextRaw = serialize(next);
  const patch = patchFrom(current, target, raw, nextRaw);
  if (!patch) return { action: 'none', ...(warning && { warning }) };
  const extra = warning ? { warning } : {};
  if (!record) return { action: 'adopt', pool, patch, ...extra };
  if (record.pool !== pool) return { action: 'repoint', pool, from: record.pool, patch, ...extra };
  return { action: 'readopt', pool, patch, ...extra };
}

/** The record as the operator writes it: fixed key order, sorted maps, so equal records read equal. */
export function serialize(record: AdoptionRecord): string {
  const sorted = (v: Values) => Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ pool: record.pool, suspend: record.suspend, labels: sorted(record.labels), annotations: sorted(record.annotations) });
}

function readRecord(raw: string): { ok: true; record: AdoptionRecord } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, message: `annotation ${ANNOTATION_ADOPTED} is not JSON (${(err as Error).message})` };
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `annotation ${ANNOTATION_ADOPTED} is not an adoption record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  return { ok: true, record: parsed.data };
}

function templateFields(cronJob: V1CronJob): TemplateFields {
  const template = cronJob.spec?.jobTemplate;
  return {
    suspend: template?.spec?.suspend ?? null,
    labels: { ...template?.metadata?.labels },
    annotations: { ...template?.metadata?.annotations },
  };
}

const PRIORITY = /^[-+]?[0-9]{1,7}$/;
const MAX_PRIORITY = 1_000_000; // as a SyncTask's spec.priority

/** What the template's labels and annotations must say for runs of `pool`. */
function wantedFields(cronJob: V1CronJob, pool: string): { wanted: { labels: Record<string, string>; annotations: Record<string, string> }; warning?: string } {
  const labels = cronJob.metadata?.labels ?? {};
  const wanted = {
    labels: {
      [LABEL_POOL]: pool,
      [LABEL_SOURCE]: labels[LABEL_SOURCE] || asDnsLabel(cronJob.metadata?.name ?? ''),
      [LABEL_SYNC_TYPE]: labels[LABEL_SYNC_TYPE] || CRONJOB_SYNC_TYPE,
    } as Record<string, string>,
    annotations: {} as Record<string, string>,
  };
  const priority = cronJob.metadata?.annotations?.[ANNOTATION_PRIORITY];
  if (priority === undefined) return { wanted };
  if (!PRIORITY.test(priority.trim()) || Math.abs(Number(priority)) > MAX_PRIORITY) {
    return { wanted, warning: `annotation ${ANNOTATION_PRIORITY}: must be an integer from -${MAX_PRIORITY} to ${MAX_PRIORITY}, got "${priority}"; its runs queue with priority 0` };
  }
  wanted.annotations[ANNOTATION_PRIORITY] = String(Number(priority));
  return { wanted };
}

/** CronJob names are DNS subdomains; a source is a DNS label. */
export function asDnsLabel(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
  return label || CRONJOB_SYNC_TYPE;
}

/** For each wanted key: its value before adoption, from the record if it has it, else from now. */
function originals(wanted: Record<string, string>, recorded: Values | undefined, current: Values): Values {
  return Object.fromEntries(Object.keys(wanted).map((k) => [k, recorded && k in recorded ? recorded[k]! : current[k] ?? null]));
}

/** The merge patch taking `current` to `target`, and the record annotation from `raw` to `nextRaw`; undefined if none. */
function patchFrom(current: TemplateFields, target: TemplateFields, raw: string | undefined, nextRaw: string | null): CronJobPatch | undefined {
  const changed = (now: Values, want: Values) => {
    const out = Object.fromEntries(Object.entries(want).filter(([k, v]) => (now[k] ?? null) !== v));
    return Object.keys(out).length ? out : undefined;
  };
  const labels = changed(current.labels, target.labels);
  const annotations = changed(current.annotations, target.annotations);
  const suspend = current.suspend !== target.suspend;
  const record = (raw ?? null) !== nextRaw;
  if (!labels && !annotations && !suspend && !record) return undefined;
  const patch: CronJobPatch = {};
  if (record) patch.metadata = { annotations: { [ANNOTATION_ADOPTED]: nextRaw } };
  if (labels || annotations || suspend) {
    patch.spec = {
      jobTemplate: {
        ...((labels || annotations) && { metadata: { ...(labels && { labels }), ...(annotations && { annotations }) } }),
        ...(suspend && { spec: { suspend: target.suspend } }),
      },
    };
  }
  return patch;
}
