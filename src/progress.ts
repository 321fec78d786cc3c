/**
 * `progress(source, options)`: picks the adapter for the source and builds its bar.
 */
import { createBar, ProgressBar } from './bar.js';
import { AsyncProgressIterator, type ProgressAsyncIterator } from './adapters/async.js';
import {
  ArrayProgressIterator,
  RangeProgressIterator,
  SyncProgressIterator,
  type ProgressIterator,
} from './adapters/sync.js';
import { byteWeight } from './adapters/weight.js';
import { byteSourceTotal } from './adapters/file-total.js';
import { createProgressStream } from './adapters/stream.js';
import { resolveOptions } from './options/bar.js';
import { checkNonNegativeInteger, notApplicable } from './options/checks.js';
import type { IterableOptions } from './options/iterable.js';
import { checkWeight, ITERABLE_KEYS } from './options/iterable.js';
import { badSource, declaredTotal } from './options/source.js';
import { observe } from './observe.js';
import { write } from './write.js';
import { withSignal } from './adapters/signal.js';
import { attach } from './share/attach.js';
import { asCompleted } from './promises/as-completed.js';
import { gather } from './promises/gather.js';
import { map } from './promises/map.js';
import type { PromiseArrayIterator, PromiseArrayOptions } from './promises/promise-array.js';
import { isPromiseArray, promiseArray } from './promises/promise-array.js';

function resolveWeight<T>(options: IterableOptions<T> | undefined, bytes: boolean): ((item: T) => number) | undefined {
  const w = options?.weight;
  if (w === undefined) return bytes ? byteWeight : undefined;
  return checkWeight('weight', w);
}

/**
 * The total a source declares: its length or size, or, for an iterator of this package
 * (`progress(progress(rows))`), the number of items its bar expects when it counts one per item.
 */
function sourceTotal(source: object | string): number | undefined {
  const declared = declaredTotal(source);
  if (declared !== undefined || typeof source === 'string') return declared;
  let bar: unknown;
  try {
    bar = (source as { bar?: unknown }).bar;
  } catch {
    return undefined; // a `bar` getter that throws: no total, as for `length`
  }
  return bar instanceof ProgressBar ? bar.itemTotal : undefined;
}

function isArrayWithOwnIterator(source: unknown): source is readonly unknown[] {
  return Array.isArray(source) && source[Symbol.iterator] === Array.prototype[Symbol.iterator];
}

/**
 * Wraps a source so that iterating it draws a progress bar. Yields exactly what the source yields.
 *
 * @param source a sync iterable (array, Set, Map, generator…), an async iterable (async generator, Node
 *   Readable, web ReadableStream), or a non-negative integer `n` for the range 0…n − 1. An array of
 *   promises under `for await` yields their values in order while the bar counts them as they settle;
 *   thenables that are not native promises (lazy query builders) are awaited only when the loop
 *   reaches them, as a bare `for await` does.
 * @example for (const row of progress(rows, { desc: 'rows' })) { … }
 * @example for await (const chunk of progress(response.body, { unit: 'B', total: size })) { … }
 * @example for (const i of progress(1000)) { … }
 */
export function progress(n: number, options?: IterableOptions<number>): ProgressIterator<number>;
export function progress<P>(
  source: readonly (P & PromiseLike<unknown>)[],
  options?: PromiseArrayOptions<P>,
): PromiseArrayIterator<P>;
export function progress<T>(source: AsyncIterable<T>, options?: IterableOptions<T>): ProgressAsyncIterator<T>;
export function progress<T>(source: Iterable<T>, options?: IterableOptions<T>): ProgressIterator<T>;
export function progress<T>(
  source: number | Iterable<T> | AsyncIterable<T>,
  options?: IterableOptions<T>,
): ProgressIterator<T> | ProgressIterator<number> | ProgressAsyncIterator<T> {
  if (typeof source === 'number') {
    const end = checkNonNegativeInteger('n', source);
    const resolved = resolveOptions(options, end, ITERABLE_KEYS);
    if (options?.weight !== undefined) throw notApplicable('weight', 'a range');
    return withSignal(new RangeProgressIterator(end, new ProgressBar(resolved)), options);
  }
  if (source === null || (typeof source !== 'object' && typeof source !== 'function' && typeof source !== 'string')) {
    throw badSource(source);
  }
  if (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
    const resolved = resolveOptions(options, sourceTotal(source), ITERABLE_KEYS);
    const weight = resolveWeight(options, resolved.bytes);
    if (weight !== undefined && options?.total === undefined) resolved.total = undefined; // length counts items, not units
    // A file stream or an HTTP message: its size in bytes (adapters/file-total.ts says when it is unknown).
    if (resolved.bytes && options?.total === undefined && options?.weight === undefined) resolved.total = byteSourceTotal(source);
    return withSignal(new AsyncProgressIterator(source as AsyncIterable<T>, new ProgressBar(resolved), weight), options);
  }
  if (typeof (source as Iterable<T>)[Symbol.iterator] === 'function') {
    // An array of promises: `for await` gets their values while the bar counts them as they settle.
    if (options?.weight === undefined && isArrayWithOwnIterator(source) && isPromiseArray(source)) {
      return promiseArray(source as readonly T[], options);
    }
    const resolved = resolveOptions(options, sourceTotal(source), ITERABLE_KEYS);
    const weight = resolveWeight(options, resolved.bytes);
    if (weight !== undefined && options?.total === undefined) resolved.total = undefined; // length counts items, not units
    if (weight === undefined && isArrayWithOwnIterator(source)) {
      return withSignal(new ArrayProgressIterator(source as readonly T[], new ProgressBar(resolved)), options);
    }
    return withSignal(new SyncProgressIterator(source as Iterable<T>, new ProgressBar(resolved), weight), options);
  }
  throw badSource(source);
}

progress.bar = createBar;
progress.stream = createProgressStream;
progress.gather = gather;
progress.asCompleted = asCompleted;
progress.map = map;
progress.write = write;
progress.observe = observe;
progress.attach = attach;
