import { durationFlag, helpText, intFlag, keyValues, parseFlags, type VerbSpec } from '../../../src/cli/flags.js';
import { phasesOf } from '../../../src/cli/list.js';
import { UsageError } from '../../../src/cli/failures.js';

const status: VerbSpec = { name: 'status', args: ['pool?'], summary: 'pools', allNamespaces: true, output: true };
const submit: VerbSpec = {
  name: 'submit', args: ['pool', 'source', 'syncType'], summary: 'create',
  flags: { param: { type: 'string', multiple: true, help: 'p' }, priority: { type: 'string', help: 'n' }, wait: { type: 'boolean', help: 'w' } },
};

test("kubectl's flags, in any order, long or short, with = or a space", () => {
  const p = parseFlags(status, ['crm', '-n', 'data', '--kubeconfig=/k', '--context', 'prod', '-o', 'json']);
  expect(p.positionals).toEqual(['crm']);
  expect(p.common).toEqual({ kubeconfig: '/k', context: 'prod', namespace: 'data', allNamespaces: false, output: 'json' });
  expect(parseFlags(status, ['-A']).common).toMatchObject({ allNamespaces: true, output: 'table', namespace: undefined });
  expect(parseFlags(status, ['--all-namespaces', '--output=yaml']).common).toMatchObject({ allNamespaces: true, output: 'yaml' });
});

test.each<[string, VerbSpec, string[], RegExp]>([
  ['an unknown output format', status, ['-o', 'wide'], /^status: -o must be one of table, json, yaml, got "wide"$/],
  ['-A with -n', status, ['-A', '-n', 'x'], /-A and -n exclude each other/],
  ['a flag the verb does not take', submit, ['a', 'b', 'c', '-A'], /^submit: Unknown option '-A'/],
  ['too many arguments', status, ['a', 'b'], /^status takes \[pool\]; got "a" "b"$/],
  ['missing arguments', submit, ['crm'], /^submit takes <pool> <source> <syncType>; got "crm"$/],
  ['a flag without its value', submit, ['a', 'b', 'c', '--priority'], /^submit: Option '--priority <value>' argument missing$/],
])('%s is a usage error that says what is wrong', (_what, spec, args, message) => {
  const err = (() => { try { parseFlags(spec, args); } catch (e) { return e; } return undefined; })();
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
});

test('--help wins over missing arguments', () => {
  expect(parseFlags(submit, ['--help']).help).toBe(true);
  const help = helpText(submit);
  expect(help).toMatch(/^usage: kubectl syncpool submit <pool> <source> <syncType> \[flags\]/);
  expect(help).toMatch(/--param \S* ?\(repeatable\)/);
  expect(help).toContain('-n, --namespace NS');
});

test('integers within bounds, key=value pairs, durations', () => {
  const { values } = parseFlags(submit, ['a', 'b', 'c', '--priority=-5', '--param', 'since=2026-01-01', '--param', 'q=a=b']);
  expect(intFlag(submit, values, 'priority', -10, 10)).toBe(-5);
  expect(keyValues(submit, values, 'param')).toEqual({ since: '2026-01-01', q: 'a=b' });
  expect(() => intFlag(submit, { priority: '1.5' }, 'priority', -10, 10)).toThrow('--priority must be an integer from -10 to 10, got "1.5"');
  expect(() => intFlag(submit, { priority: '11' }, 'priority', -10, 10)).toThrow(UsageError);
  expect(() => keyValues(submit, { param: ['novalue'] }, 'param')).toThrow('--param takes key=value');
  expect(() => keyValues(submit, { param: ['a=1', 'a=2'] }, 'param')).toThrow('--param a given twice');
  expect(durationFlag(submit, { timeout: '1m30s' }, 'timeout')).toBe(90_000);
  expect(() => durationFlag(submit, { timeout: '5 minutes' }, 'timeout')).toThrow(UsageError);
});

test('--phase takes the API\'s phases in any case, several at once', () => {
  expect(phasesOf('failed,Cancelled')).toEqual(new Set(['Failed', 'Cancelled']));
  expect(phasesOf(undefined)).toBeUndefined();
  expect(() => phasesOf('Done')).toThrow(/--phase takes Pending, Scheduled, Queued, Running, Succeeded, Failed, Cancelled, Rejected; got "Done"/);
});
