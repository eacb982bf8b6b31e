/** Two projects: fast unit/template tests in parallel, and real-audit tests that must run one at a time
 * because the kernel's audit subsystem is one per machine. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '\\.audit\\.test\\.ts$'] },
    { ...common, displayName: 'audit', testMatch: ['<rootDir>/test/**/*.audit.test.ts'] },
  ],
};
