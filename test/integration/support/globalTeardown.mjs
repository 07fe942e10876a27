import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  if (!globalThis.syncpoolTestbedDir) return;
  const { stop } = await tsImport('../../../src/testbed/launcher.ts', import.meta.url);
  await stop(globalThis.syncpoolTestbedDir);
}
