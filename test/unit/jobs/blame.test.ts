import { blameRefusal } from '../../../src/jobs/blame.js';

test.each<[string, string[], number, object]>([
  ['the task\'s secret (after the template\'s envFrom)', ['spec.template.spec.containers[0].envFrom[1].secretRef.name'], 1, { owner: 'task', field: 'spec.parametersFrom.secretRef.name' }],
  ['the template\'s own envFrom', ['spec.template.spec.containers[0].envFrom[0].configMapRef.name'], 1, { owner: 'pool' }],
  ['a resource quantity', ['spec.template.spec.containers[0].resources.limits[cpu]'], 0, { owner: 'pool' }],
  ['no field named', [], 0, { owner: 'pool' }],
  ['the task\'s field among others', ['spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].envFrom[0].secretRef.name'], 0, { owner: 'task', field: 'spec.parametersFrom.secretRef.name' }],
])('%s', (_what, fields, templateEnvFrom, blame) => {
  expect(blameRefusal(fields, templateEnvFrom)).toEqual(blame);
});
