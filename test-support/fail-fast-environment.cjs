// Mutation testing only (jest.mutation.config.js): once a test of a file has failed, the file's other tests
// are skipped. One failure is all Stryker needs to call a mutant killed, and it starts every test that
// covers a mutant, so a killed mutant no longer pays for the slow property tests that come after.
// Stryker's own environment wraps this one and still sees every event.
const { TestEnvironment } = require('jest-environment-node');

module.exports = class FailFastEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') this.failed = true;
    else if (event.name === 'test_start' && this.failed) event.test.mode = 'skip';
  }
};
