// When the API server refuses a task's Job, whose spec is wrong: the task's or its
// pool's? Decided from the fields the API server named. Pure.
//
// A Job is the pool's template plus what the task contributes (its name, its secret
// parameters, its deadline); a refusal of anything the task contributed is the task's
// fault and final (Rejected), anything else is the pool's (its tasks wait for a fix).

export type Blame = { owner: 'task'; field: string } | { owner: 'pool' };

const CONTAINER_ENV_FROM = /^spec\.template\.spec\.containers\[0\]\.envFrom\[(\d+)\]/;

/**
 * `templateEnvFrom`: how many envFrom entries the pool's template gave the container;
 * the task's `parametersFrom` secret comes after them.
 */
export function blameField(field: string, templateEnvFrom: number): Blame {
  const envFrom = CONTAINER_ENV_FROM.exec(field);
  if (envFrom && Number(envFrom[1]) >= templateEnvFrom) return { owner: 'task', field: 'spec.parametersFrom.secretRef.name' };
  if (field === 'spec.activeDeadlineSeconds') return { owner: 'task', field: 'spec.activeDeadlineSeconds' };
  if (field === 'metadata.name') return { owner: 'task', field: 'metadata.name' };
  return { owner: 'pool' };
}

/** The task is to blame if any named field is its own; with no field named, the pool. */
export function blameRefusal(fields: readonly string[], templateEnvFrom: number): Blame {
  for (const field of fields) {
    const blame = blameField(field, templateEnvFrom);
    if (blame.owner === 'task') return blame;
  }
  return { owner: 'pool' };
}
