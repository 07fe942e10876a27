import { rejection } from '../../../src/jobs/template.js';

const rules = [{ source: 'hubspot', types: ['contacts', 'companies'] }, { source: 'salesforce', types: ['*'] }];

test.each([
  [undefined, 'hubspot', 'deals', undefined],
  [rules, 'hubspot', 'contacts', undefined],
  [rules, 'salesforce', 'anything', undefined],
  [rules, 'hubspot', 'deals', 'sync hubspot/deals is not allowed by WorkerPool crm; it allows: hubspot/{contacts,companies}, salesforce/*'],
  [rules, 'zendesk', 'tickets', 'sync zendesk/tickets is not allowed by WorkerPool crm; it allows: hubspot/{contacts,companies}, salesforce/*'],
])('rules %# allow %s/%s?', (r, source, type, expected) => {
  expect(rejection('crm', r, source, type)).toBe(expected);
});
