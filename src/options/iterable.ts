/**
 * The options of `progress(iterable)` besides the bar's: `weight` and `signal`.
 */
import type { BarOptions } from './bar.js';
import { checkFunction, checkSignal, typeError } from './checks.js';
import type { Option } from './table.js';
import { optionSet } from './table.js';

/** Options of `progress(iterable)`. */
export interface IterableOptions<T> extends BarOptions {
  /**
   * How much one item advances the bar. With `unit: 'B'`, Buffers, Uint8Arrays and strings count their
   * byte length by default; otherwise each item counts 1.
   * @default () => 1 (bytes: the item's byte length)
   * @example progress(batches, { weight: (batch) => batch.length, total: rowCount })
   */
  weight?: ((item: T) => number) | undefined;
  /**
   * Stops the loop when aborted: the bar closes at once as aborted (`✗`), the source is told to stop
   * (a generator's `finally` runs), and the loop's next step throws `signal.reason` (an async loop's
   * pending step rejects with it right away).
   * @default none
   * @example for await (const row of progress(rows, { signal: AbortSignal.timeout(60_000) })) { … }
   */
  signal?: AbortSignal | undefined;
}


/**
 * The `weight` option, checked: it must be a function, and each of its results a finite number (a bad
 * weight must fail loudly, not turn the count into NaN).
 */
export function checkWeight<T>(name: string, value: unknown): (item: T) => number {
  const weight = checkFunction<(item: T) => number>(name, value);
  return (item) => {
    const w = weight(item);
    if (typeof w !== 'number' || !Number.isFinite(w)) throw typeError('weight(item)', 'a finite number', w);
    return w;
  };
}

/**
 * The options `progress(source)` handles itself, besides the bar's. Without `weight` an item counts 1,
 * or with `unit: 'B'` its byte length (the adapter picks which).
 */
export const ITERABLE_TABLE = {
  weight: { check: checkWeight, default: undefined },
  signal: { check: checkSignal, default: undefined },
} satisfies { readonly [K in Exclude<keyof IterableOptions<unknown>, keyof BarOptions>]-?: Option<unknown> };

export const ITERABLE_KEYS = optionSet(ITERABLE_TABLE).names;
