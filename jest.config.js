// Two tiers. `unit`: pure folders, the app through supertest, CLI commands run in-process, the
// property tests and the security corpus; no Debian package, no child process, no TLS listener,
// about a minute. `system`: the built binary, real TLS sockets, kubectl, openssl, docker-registry,
// Prometheus, the deploy files and the reliability suites. `make test-unit`, `make test-system`.
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  // A guard against a hang in the unit tier; the system tier sets its own (tests/system/setup.ts).
  testTimeout: 30000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/tests/unit', '<rootDir>/tests/security'] },
    { ...shared, displayName: 'system', roots: ['<rootDir>/tests/system'], setupFilesAfterEnv: ['<rootDir>/tests/system/setup.ts'] },
  ],
};
