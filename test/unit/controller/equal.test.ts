import { sameContent } from '../../../src/controller/equal.js';

test('key order and undefined fields are not changes; values are', () => {
  expect(sameContent({ phase: 'Queued', conditions: [{ type: 'A', status: 'True' }], startedAt: undefined },
    { conditions: [{ status: 'True', type: 'A' }], phase: 'Queued' })).toBe(true);
  expect(sameContent({ phase: 'Queued' }, { phase: 'Running' })).toBe(false);
  expect(sameContent({ conditions: [{ type: 'A' }, { type: 'B' }] }, { conditions: [{ type: 'B' }, { type: 'A' }] })).toBe(false);
  expect(sameContent(undefined, {})).toBe(true);
});
