/**
 * The sources given to `progress()` and the task functions: their checks, and the total they declare.
 */
import { typeError } from './checks.js';

/**
 * The length or size a source declares, if any: a string's code points (what it yields), an object's
 * `length` or `size` (not a function's: its `length` is its arity). A `length` or `size` getter that
 * throws means no total: a bare loop never reads them, so they must not break one.
 */
export function declaredTotal(source: unknown): number | undefined {
  if (typeof source === 'string') {
    let count = 0;
    for (const _ of source) count++;
    return count;
  }
  if (source === null || typeof source !== 'object') return undefined;
  const s = source as { length?: unknown; size?: unknown };
  let v: unknown;
  try {
    v = s.length;
    if (typeof v !== 'number') v = s.size;
  } catch {
    return undefined;
  }
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** `progress(source)`'s source, when it is none of the things it can be. */
export function badSource(source: unknown): TypeError {
  return typeError('source', 'an iterable, an async iterable or a non-negative integer', source);
}

/** A sync iterable of values and promise-likes (`gather`, `asCompleted`). */
export function checkItems(items: unknown, name: string): asserts items is Iterable<unknown> {
  if (
    items === null ||
    (typeof items !== 'object' && typeof items !== 'function') ||
    typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    const hint =
      items !== null && typeof items === 'object' && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
        ? ' (for an async iterable, use `progress.map(source, fn)`)'
        : '';
    throw typeError(name, 'an iterable of values or promises (an array, a Set, a generator)', items, hint);
  }
}

/** A sync or async iterable (`map`). */
export function checkSource(source: unknown): asserts source is Iterable<unknown> | AsyncIterable<unknown> {
  if (
    source === null ||
    (typeof source !== 'object' && typeof source !== 'function') ||
    (typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
      typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
  ) {
    throw typeError('source', 'an iterable or an async iterable', source);
  }
}
