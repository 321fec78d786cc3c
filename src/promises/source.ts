/** Checks on the sources of task functions. */
import { describeValue } from '../core/errors.js';

/**
 * The length or size a source declares, if any (not a function's: its `length` is its arity). A `length`
 * or `size` getter that throws means no total: a bare loop never reads them, so they must not break one.
 */
export function declaredTotal(source: unknown): number | undefined {
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

/** A sync iterable of values and promise-likes. */
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
    throw new TypeError(
      `Expected \`${name}\` to be an iterable of values or promises (an array, a Set, a generator), got ${describeValue(items)}${hint}`,
    );
  }
}

/** A sync or async iterable. */
export function checkSource(source: unknown): asserts source is Iterable<unknown> | AsyncIterable<unknown> {
  if (
    source === null ||
    (typeof source !== 'object' && typeof source !== 'function') ||
    (typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
      typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
  ) {
    throw new TypeError(`Expected \`source\` to be an iterable or an async iterable, got ${describeValue(source)}`);
  }
}
