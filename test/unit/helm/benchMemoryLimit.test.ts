// The bench runs the operator under the chart's memory limit (bench/memoryLimit.ts): the
// limit it reads must be the one values.yaml ships, in bytes as the kernel takes them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { chartMemoryLimitBytes, quantityBytes } from '../../../bench/memoryLimit.js';

const VALUES = fileURLToPath(new URL('../../../deploy/helm/syncpool/values.yaml', import.meta.url));

describe('the memory limit the bench gives its operator', () => {
  it('reads Kubernetes memory quantities in binary and decimal units', () => {
    expect(quantityBytes('512Mi')).toBe(512 * 2 ** 20);
    expect(quantityBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityBytes('200M')).toBe(200e6);
    expect(quantityBytes(268435456)).toBe(268435456);
    expect(() => quantityBytes('512MB')).toThrow(/not a memory quantity: "512MB"/);
  });

  it("is the chart's resources.limits.memory", () => {
    const shipped = (parse(readFileSync(VALUES, 'utf8')) as { resources: { limits: { memory: string } } }).resources.limits.memory;
    expect(chartMemoryLimitBytes()).toBe(quantityBytes(shipped));
    expect(chartMemoryLimitBytes('resources:\n  limits:\n    memory: 300Mi\n')).toBe(300 * 2 ** 20);
    expect(() => chartMemoryLimitBytes('resources: {}\n')).toThrow(/no resources.limits.memory/);
  });
});
