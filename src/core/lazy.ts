/**
 * Heavy dependencies load on first use, not at import: log-update (~70 ms to import here) only when a
 * terminal frame is drawn, string-width (~50 ms: it compiles large Unicode regexes) only when text is not
 * plain ASCII, pretty-bytes only when bytes are shown. A sync loop cannot await, so they load with
 * Node's synchronous `require()` of ES modules (Node ≥ 20.19).
 */
import { createRequire } from 'node:module';

export type LazyName = 'log-update' | 'string-width' | 'pretty-bytes';

const cache = new Map<LazyName, unknown>();

export function loadSync<T>(name: LazyName): T {
  let mod = cache.get(name);
  if (mod === undefined) {
    mod = createRequire(import.meta.url)(name);
    cache.set(name, mod);
  }
  return mod as T;
}

/**
 * Loads them ahead of time with `import()`. For module loaders that cannot `require()` ES modules
 * (Jest's): its setup file awaits this.
 */
export async function preloadDependencies(): Promise<void> {
  for (const name of ['log-update', 'string-width', 'pretty-bytes'] as const) {
    if (!cache.has(name)) cache.set(name, await import(name));
  }
}
