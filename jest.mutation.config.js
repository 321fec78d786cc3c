// Jest configuration for mutation testing (`npm run test:mutation`): the same setup as jest.config.js,
// narrowed to the test files that exercise the pure modules Stryker mutates (core/, format/,
// options/checks.ts). Stryker starts whole test files for every mutant, so leaving the terminal and
// promise suites out is the biggest saving.
import { fileURLToPath } from 'node:url';
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  // A file stops at its first failing test (an absolute path: Stryker loads the environment itself).
  testEnvironment: fileURLToPath(new URL('./test-support/fail-fast-environment.cjs', import.meta.url)),
  setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), '<rootDir>/test-support/mutation-setup.ts'],
  testMatch: [
    '**/__tests__/estimator.test.ts',
    '**/__tests__/format.test.ts',
    '**/__tests__/sanitize.test.ts',
    '**/__tests__/stall.test.ts',
    '**/__tests__/errors.test.ts',
  ],
};
