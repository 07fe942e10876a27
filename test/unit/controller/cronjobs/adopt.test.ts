import type { V1CronJob } from '@kubernetes/client-node';
import { type Adoption, ANNOTATION_ADOPTED, asDnsLabel, decideAdoption } from '../../../../src/controller/cronjobs/adopt.js';

const POOL = 'syncpool.dev/pool';
const SOURCE = 'syncpool.dev/source';
const TYPE = 'syncpool.dev/sync-type';
const PRIORITY = 'syncpool.dev/priority';

interface Shape {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  template?: { suspend?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
  owner?: string;
  deleting?: boolean;
}

function cronJob(s: Shape = {}): V1CronJob {
  const t = s.template ?? {};
  return {
    metadata: {
      namespace: 'ns', name: s.name ?? 'nightly-export', uid: 'cj-uid', resourceVersion: '7', labels: s.labels, annotations: s.annotations,
      ...(s.owner && { ownerReferences: [{ apiVersion: 'syncpool.dev/v1alpha1', kind: s.owner, name: 'x', uid: 'o', controller: true }] }),
      ...(s.deleting && { deletionTimestamp: new Date('2026-01-01T00:00:00Z') }),
    },
    spec: {
      schedule: '0 0 1 1 *',
      jobTemplate: {
        metadata: { ...(t.labels && { labels: t.labels }), ...(t.annotations && { annotations: t.annotations }) },
        spec: { ...(t.suspend !== undefined && { suspend: t.suspend }), template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
      },
    },
  };
}

/** Written in the order the operator writes it (pool, suspend, labels, annotations). */
const record = (r: { pool: string; suspend: boolean | null; labels: object; annotations?: object }) =>
  JSON.stringify({ pool: r.pool, suspend: r.suspend, labels: r.labels, annotations: r.annotations ?? {} });
/** The record adoption writes for a template that had none of the fields. */
const fresh = (pool: string, more: { annotations?: object } = {}) => record({ pool, suspend: null, labels: { [POOL]: null, [SOURCE]: null, [TYPE]: null }, ...more });
const adoptedLabels = (pool: string) => ({ [POOL]: pool, [SOURCE]: 'nightly-export', [TYPE]: 'cronjob' });
/** A CronJob as it is once adopted into `pool` from a template with none of the fields. */
const adopted = (pool: string, over: Shape = {}): Shape => ({
  labels: { [POOL]: pool }, annotations: { [ANNOTATION_ADOPTED]: fresh(pool) },
  template: { suspend: true, labels: adoptedLabels(pool) }, ...over,
});

/** RFC 7386, as the API server applies a merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target as object } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** What the API server returns after the patch: empty maps are not kept. */
function apply(cj: V1CronJob, decision: Adoption): V1CronJob {
  if (!('patch' in decision)) return cj;
  const next = mergePatch(JSON.parse(JSON.stringify(cj)), decision.patch) as V1CronJob;
  const meta = next.spec!.jobTemplate.metadata!;
  for (const k of ['labels', 'annotations'] as const) if (meta[k] && Object.keys(meta[k]!).length === 0) delete meta[k];
  if (next.metadata!.annotations && Object.keys(next.metadata!.annotations).length === 0) delete next.metadata!.annotations;
  return next;
}

describe('decideAdoption', () => {
  const cases: { name: string; given: Shape; want: Partial<Adoption> & { action: Adoption['action'] } }[] = [
    { name: 'an unlabelled CronJob never adopted: nothing', given: {}, want: { action: 'none' } },
    { name: 'an empty pool label counts as none', given: { labels: { [POOL]: '' } }, want: { action: 'none' } },
    { name: 'a periodic SyncTask\'s own CronJob: nothing, labelled or not', given: { labels: { [POOL]: 'crm' }, owner: 'SyncTask' }, want: { action: 'none' } },
    { name: 'a CronJob being deleted: nothing', given: { labels: { [POOL]: 'crm' }, deleting: true }, want: { action: 'none' } },
    {
      name: 'labelled: the template is suspended and labelled, source from the name, sync type "cronjob", the absent values recorded as null',
      given: { labels: { [POOL]: 'crm' } },
      want: {
        action: 'adopt', pool: 'crm',
        patch: {
          metadata: { annotations: { [ANNOTATION_ADOPTED]: fresh('crm') } },
          spec: { jobTemplate: { metadata: { labels: adoptedLabels('crm') }, spec: { suspend: true } } },
        },
      },
    },
    {
      name: 'source and sync type come from the CronJob\'s own labels; the template\'s earlier values are recorded',
      given: {
        labels: { [POOL]: 'crm', [SOURCE]: 'hubspot', [TYPE]: 'contacts' },
        template: { suspend: false, labels: { app: 'export', [SOURCE]: 'old' } },
      },
      want: {
        action: 'adopt', pool: 'crm',
        patch: {
          metadata: { annotations: { [ANNOTATION_ADOPTED]: record({ pool: 'crm', suspend: false, labels: { [POOL]: null, [SOURCE]: 'old', [TYPE]: null } }) } },
          spec: { jobTemplate: { metadata: { labels: { [POOL]: 'crm', [SOURCE]: 'hubspot', [TYPE]: 'contacts' } }, spec: { suspend: true } } },
        },
      },
    },
    {
      name: 'a priority annotation is copied into the template\'s annotations (and recorded)',
      given: { labels: { [POOL]: 'crm' }, annotations: { [PRIORITY]: '10' } },
      want: {
        action: 'adopt',
        patch: {
          metadata: { annotations: { [ANNOTATION_ADOPTED]: fresh('crm', { annotations: { [PRIORITY]: null } }) } },
          spec: { jobTemplate: { metadata: { labels: adoptedLabels('crm'), annotations: { [PRIORITY]: '10' } }, spec: { suspend: true } } },
        },
      },
    },
    {
      name: 'a priority that is not an integer is not copied, and said so',
      given: { labels: { [POOL]: 'crm' }, annotations: { [PRIORITY]: 'high' } },
      want: { action: 'adopt', warning: expect.stringContaining('got "high"') as never },
    },
    { name: 'adopted and unchanged: nothing', given: adopted('crm'), want: { action: 'none' } },
    {
      name: 'a re-applied manifest reset suspend and dropped the labels: adopted again, the original record kept',
      given: adopted('crm', { template: { suspend: false } }),
      want: {
        action: 'readopt', pool: 'crm',
        patch: { spec: { jobTemplate: { metadata: { labels: adoptedLabels('crm') }, spec: { suspend: true } } } },
      },
    },
    {
      name: 'labelled with another pool: the pool label and the record point there, the originals stay',
      given: adopted('crm', { labels: { [POOL]: 'ads' } }),
      want: {
        action: 'repoint', pool: 'ads', from: 'crm',
        patch: {
          metadata: { annotations: { [ANNOTATION_ADOPTED]: fresh('ads') } },
          spec: { jobTemplate: { metadata: { labels: { [POOL]: 'ads' } } } },
        },
      },
    },
    {
      name: 'unlabelled: every field back to its recorded value (null: removed), the record removed',
      given: adopted('crm', { labels: {} }),
      want: {
        action: 'release', pool: 'crm',
        patch: {
          metadata: { annotations: { [ANNOTATION_ADOPTED]: null } },
          spec: { jobTemplate: { metadata: { labels: { [POOL]: null, [SOURCE]: null, [TYPE]: null } }, spec: { suspend: null } } },
        },
      },
    },
    {
      name: 'a record edited by hand is not trusted: nothing written',
      given: { labels: {}, annotations: { [ANNOTATION_ADOPTED]: '{"pool":"crm"' } },
      want: { action: 'unreadable', message: expect.stringContaining('not JSON') as never },
    },
    {
      name: 'a record missing its fields is not trusted either',
      given: { labels: { [POOL]: 'crm' }, annotations: { [ANNOTATION_ADOPTED]: '{"pool":"crm"}' } },
      want: { action: 'unreadable', message: expect.stringContaining('suspend') as never },
    },
  ];

  test.each(cases)('$name', ({ given, want }) => {
    const decision = decideAdoption(cronJob(given));
    expect(decision).toEqual(want.action === 'none' ? want : expect.objectContaining(want));
  });
});

describe('round trips, as the API server applies the patches', () => {
  const original: Shape = {
    template: { suspend: false, labels: { app: 'export', [POOL]: 'stale' }, annotations: { team: 'data' } },
  };
  const label = (cj: V1CronJob, pool: string | undefined, more: Record<string, string> = {}) => {
    const labels = { ...cj.metadata!.labels, ...more };
    if (pool === undefined) delete labels[POOL];
    else labels[POOL] = pool;
    return { ...cj, metadata: { ...cj.metadata, labels } };
  };

  test('adopt, re-applied manifest, re-adopt, another pool, release: the template ends exactly as it began', () => {
    const before = cronJob(original);
    let cj = apply(label(before, 'crm'), decideAdoption(label(before, 'crm')));
    expect(cj.spec!.jobTemplate.spec!.suspend).toBe(true);
    expect(cj.spec!.jobTemplate.metadata!.labels).toEqual({ app: 'export', ...adoptedLabels('crm') });

    // kubectl apply of the original manifest: suspend false again, the pool label as it was.
    const reset = { ...cj, spec: { ...cj.spec!, jobTemplate: before.spec!.jobTemplate } };
    const again = decideAdoption(reset);
    expect(again.action).toBe('readopt');
    cj = apply(reset, again);
    expect(decideAdoption(cj).action).toBe('none');

    const moved = decideAdoption(label(cj, 'ads'));
    expect(moved.action).toBe('repoint');
    cj = apply(label(cj, 'ads'), moved);
    expect(cj.spec!.jobTemplate.metadata!.labels![POOL]).toBe('ads');

    const released = decideAdoption(label(cj, undefined));
    expect(released.action).toBe('release');
    cj = apply(label(cj, undefined), released);
    expect(cj.spec!.jobTemplate).toEqual(before.spec!.jobTemplate);
    expect(cj.metadata!.annotations?.[ANNOTATION_ADOPTED]).toBeUndefined();
    expect(decideAdoption(cj).action).toBe('none');
  });

  test('a template with none of the fields gets none back', () => {
    const before = cronJob({});
    let cj = apply(label(before, 'crm'), decideAdoption(label(before, 'crm')));
    cj = apply(label(cj, undefined), decideAdoption(label(cj, undefined)));
    expect(cj.spec!.jobTemplate).toEqual(before.spec!.jobTemplate);
  });

  test('a priority added, changed and removed after adoption: the template\'s own value comes back', () => {
    const before = cronJob({ template: { annotations: { [PRIORITY]: '3' } } });
    let cj = apply(label(before, 'crm'), decideAdoption(label(before, 'crm')));
    expect(cj.spec!.jobTemplate.metadata!.annotations).toEqual({ [PRIORITY]: '3' });

    const prioritized = (c: V1CronJob, p: string | undefined) => {
      const annotations = { ...c.metadata!.annotations };
      if (p === undefined) delete annotations[PRIORITY];
      else annotations[PRIORITY] = p;
      return { ...c, metadata: { ...c.metadata, annotations } };
    };
    cj = prioritized(cj, '50');
    cj = apply(cj, decideAdoption(cj));
    expect(cj.spec!.jobTemplate.metadata!.annotations).toEqual({ [PRIORITY]: '50' });
    cj = prioritized(cj, '7');
    const changed = decideAdoption(cj);
    expect(changed).toMatchObject({ action: 'readopt', patch: { spec: { jobTemplate: { metadata: { annotations: { [PRIORITY]: '7' } } } } } });
    expect(changed).not.toHaveProperty('patch.metadata'); // the record still holds "3"
    cj = apply(cj, changed);

    cj = prioritized(cj, undefined);
    cj = apply(cj, decideAdoption(cj));
    expect(cj.spec!.jobTemplate.metadata!.annotations).toEqual({ [PRIORITY]: '3' });
    expect(JSON.parse(cj.metadata!.annotations![ANNOTATION_ADOPTED]!).annotations).toEqual({});
    expect(decideAdoption(cj).action).toBe('none');

    cj = apply(label(cj, undefined), decideAdoption(label(cj, undefined)));
    expect(cj.spec!.jobTemplate).toEqual(before.spec!.jobTemplate);
  });
});

test.each([
  ['nightly-export', 'nightly-export'],
  ['crm.contacts.v2', 'crm-contacts-v2'],
  ['a'.repeat(52), 'a'.repeat(52)],
  ['...', 'cronjob'],
])('source of a CronJob named %s: %s', (name, source) => {
  expect(asDnsLabel(name)).toBe(source);
});
