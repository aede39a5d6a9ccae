/**
 * Jest runs every suite serially (`maxWorkers: 1`): the time-skipping server has one clock.
 * ts-jest transpiles file by file (`isolatedModules` is set in tsconfig.json); `npm run
 * typecheck` is the type check. The global setup bundles the workflow code once per run.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 60_000,
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
};
