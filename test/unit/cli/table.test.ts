import { table } from '../../../src/cli/table.js';

test('columns line up three spaces apart under upper-case headers, with no trailing spaces', () => {
  const out = table(['name', 'max', 'state'], [['crm', '3', 'Overloaded'], ['exports-nightly', '10', 'Available']]);
  expect(out.split('\n')).toEqual([
    'NAME              MAX   STATE',
    'crm               3     Overloaded',
    'exports-nightly   10    Available',
  ]);
});

test('an empty last cell leaves no trailing space', () => {
  expect(table(['a', 'b'], [['x', '']]).split('\n')[1]).toBe('x');
});
