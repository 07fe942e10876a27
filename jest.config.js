// Jest runs in ESM mode (node --experimental-vm-modules) because @kubernetes/client-node
// 1.x is an ES module that Jest's CommonJS mode cannot load. ts-jest only transpiles;
// `npm run typecheck` is the type gate.
const esm = {
  extensionsToTreatAsEsm: ['.ts'],
  // Sources import './x.js' (NodeNext); map to the .ts file Jest transforms.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...esm,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...esm,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // One control plane per run, shared by every integration test file.
      globalSetup: '<rootDir>/test/integration/support/globalSetup.mjs',
      globalTeardown: '<rootDir>/test/integration/support/globalTeardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/integration/support/timeouts.ts'],
      slowTestThreshold: 30,
    },
    {
      ...esm,
      displayName: 'faults',
      // Drains under injected faults (npm run test:faults). Short by default, for CI;
      // SYNCPOOL_FAULTS=long runs the long mode by hand. Same shared control plane as
      // the integration tests; scenarios that restart control-plane components start
      // their own.
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/support/globalSetup.mjs',
      globalTeardown: '<rootDir>/test/integration/support/globalTeardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/integration/support/timeouts.ts'],
      slowTestThreshold: 60,
    },
  ],
};
