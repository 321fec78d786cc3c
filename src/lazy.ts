/**
 * Heavy dependencies load on first use, not at import: log-update (~70 ms to import here) only when a
 * terminal frame is drawn, string-width (~50 ms: it compiles large Unicode regexes) only when text is not
 * plain ASCII, pretty-bytes only when bytes are shown. A sync loop cannot await, so they load with
 * Node's synchronous `require()` of ES modules (Node ≥ 20.19).
 *
 * An async job need not wait for them: `loadSoon` loads one in parts, each on a later turn of the event
 * loop. Not with `import()`: on Node 20 a `require()` of a module that an `import()` has not finished
 * loading throws, and a sync loop (or text that needs string-width, which log-update loads too) may need
 * one at any moment. A part loaded with `require()` is loaded whole, so `loadSync` always works.
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

/** The module if it is loaded, else `undefined`. */
export function ifLoaded<T>(name: LazyName): T | undefined {
  return cache.get(name) as T | undefined;
}

/**
 * What a module loads that is worth a turn of its own: string-width is about two thirds of log-update's
 * load time (it comes with wrap-ansi, and is ours too).
 */
const PARTS: Partial<Record<LazyName, readonly LazyName[]>> = { 'log-update': ['string-width'] };
const soon = new Map<LazyName, Promise<void>>();
let partLoadedAt = -Infinity;

/**
 * When `loadSoon` last loaded a part (`performance.now()`): the event loop turns right after, whatever the
 * part cost. A timer late by that much was not starved by the program.
 */
export function lastPartLoadedAt(): number {
  return partLoadedAt;
}

/**
 * Loads `name` without holding the event loop for all of it at once: its heavy part, then the rest, each
 * on a later turn (a timer that is due, a promise that settled, runs in between). Resolves once it is
 * loaded; rejects if it cannot be.
 */
export function loadSoon(name: LazyName): Promise<void> {
  let loading = soon.get(name);
  if (loading === undefined) {
    loading = (async () => {
      for (const part of [...(PARTS[name] ?? []), name]) {
        if (cache.has(part)) continue;
        await new Promise<void>((resolve) => setImmediate(resolve));
        loadSync(part);
        partLoadedAt = performance.now();
      }
    })();
    soon.set(name, loading);
  }
  return loading;
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
