// Jest's ESM loader cannot require() ES modules; load the library's lazy dependencies with import() first.
import { preloadDependencies } from '../src/lazy.js';

await preloadDependencies();
