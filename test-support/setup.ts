// Jest's ESM loader cannot require() ES modules; load the library's lazy dependencies with import() first.
import { preloadDependencies } from '../src/lazy.js';

await preloadDependencies();

// Colours on a terminal follow FORCE_COLOR / NO_COLOR (src/env.ts): a test run is the same whatever the
// shell that started it sets (tests that are about them set them).
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;
