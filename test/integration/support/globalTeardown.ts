import { stop } from '../../../src/testbed/launcher.js';

export default async function globalTeardown(): Promise<void> {
  const dir = (globalThis as { syncpoolTestbedDir?: string }).syncpoolTestbedDir;
  if (dir) await stop(dir);
}
