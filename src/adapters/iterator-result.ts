/**
 * The iterator protocol as a bare loop enforces it: what stepping a source by hand (the adapters, and
 * `progress.map` reading its source) must throw where `for…of` or `for await` would. Not an option check.
 */

/**
 * What a bare `for…of` or `for await` throws when an iterator's `next()` gives (or resolves to) a value
 * that is not an object: "Iterator result 5 is not an object" (V8's words, so that wrapping a loop does
 * not change its error).
 */
export function notAnIteratorResult(result: unknown): TypeError {
  return new TypeError(`Iterator result ${String(result)} is not an object`);
}

/** Whether `x` may be an iterator result (an object or a function, as the language accepts). */
export function isObjectLike(x: unknown): x is object {
  return (typeof x === 'object' && x !== null) || typeof x === 'function';
}
