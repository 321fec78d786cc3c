// Mutation testing only (jest.mutation.config.js): a property that fails has killed its mutant, and
// nothing reads the smallest counterexample, so fast-check stops at the first failure instead of
// shrinking it (shrinking a failed property over long strings took most of a mutant's run).
import fc from 'fast-check';

fc.configureGlobal({ endOnFailure: true });
