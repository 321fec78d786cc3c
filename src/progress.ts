/**
 * `progress(source, options)`: picks the adapter for the source and builds its bar.
 */
import { Bar, createBar } from './bar.js';
import { describeValue } from './core/errors.js';
import { checkNonNegativeInteger } from './core/errors.js';
import { AsyncProgressIterator, type ProgressAsyncIterator } from './adapters/async.js';
import {
  ArrayProgressIterator,
  RangeProgressIterator,
  SyncProgressIterator,
  type ProgressIterator,
} from './adapters/sync.js';
import { byteWeight, checkedWeight } from './adapters/weight.js';
import type { IterableOptions } from './options.js';
import { resolveOptions } from './options.js';
import { write } from './write.js';

/** The length or size a source declares, if any. */
function declaredTotal(source: object): number | undefined {
  const s = source as { length?: unknown; size?: unknown };
  const v = typeof s.length === 'number' ? s.length : typeof s.size === 'number' ? s.size : undefined;
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function resolveWeight<T>(options: IterableOptions<T> | undefined, bytes: boolean): ((item: T) => number) | undefined {
  const w = options?.weight;
  if (w === undefined) return bytes ? byteWeight : undefined;
  if (typeof w !== 'function') {
    throw new TypeError(`Expected \`weight\` to be a function, got ${describeValue(w)}`);
  }
  return checkedWeight(w);
}

function isArrayWithOwnIterator(source: unknown): source is readonly unknown[] {
  return Array.isArray(source) && source[Symbol.iterator] === Array.prototype[Symbol.iterator];
}

/**
 * Wraps a source so that iterating it draws a progress bar. Yields exactly what the source yields.
 *
 * @param source a sync iterable (array, Set, Map, generator…), an async iterable (async generator, Node
 *   Readable, web ReadableStream), or a non-negative integer `n` for the range 0…n − 1.
 * @example for (const row of progress(rows, { desc: 'rows' })) { … }
 * @example for await (const chunk of progress(response.body, { unit: 'B', total: size })) { … }
 * @example for (const i of progress(1000)) { … }
 */
export function progress(n: number, options?: IterableOptions<number>): ProgressIterator<number>;
export function progress<T>(source: AsyncIterable<T>, options?: IterableOptions<T>): ProgressAsyncIterator<T>;
export function progress<T>(source: Iterable<T>, options?: IterableOptions<T>): ProgressIterator<T>;
export function progress<T>(
  source: number | Iterable<T> | AsyncIterable<T>,
  options?: IterableOptions<T>,
): ProgressIterator<T> | ProgressIterator<number> | ProgressAsyncIterator<T> {
  if (typeof source === 'number') {
    const end = checkNonNegativeInteger('n', source);
    const resolved = resolveOptions(options, end, ['weight']);
    if (options?.weight !== undefined) throw new TypeError('The `weight` option does not apply to a range');
    return new RangeProgressIterator(end, new Bar(resolved));
  }
  if (source === null || (typeof source !== 'object' && typeof source !== 'function')) {
    throw new TypeError(
      `Expected \`source\` to be an iterable, an async iterable or a non-negative integer, got ${describeValue(source)}`,
    );
  }
  if (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
    const resolved = resolveOptions(options, declaredTotal(source), ['weight']);
    const weight = resolveWeight(options, resolved.bytes);
    return new AsyncProgressIterator(source as AsyncIterable<T>, new Bar(resolved), weight);
  }
  if (typeof (source as Iterable<T>)[Symbol.iterator] === 'function') {
    const resolved = resolveOptions(options, declaredTotal(source), ['weight']);
    const weight = resolveWeight(options, resolved.bytes);
    if (weight === undefined && isArrayWithOwnIterator(source)) {
      return new ArrayProgressIterator(source as readonly T[], new Bar(resolved));
    }
    return new SyncProgressIterator(source as Iterable<T>, new Bar(resolved), weight);
  }
  throw new TypeError(
    `Expected \`source\` to be an iterable, an async iterable or a non-negative integer, got ${describeValue(source)}`,
  );
}

progress.bar = createBar;
progress.write = write;
