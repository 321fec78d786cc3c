import { checkFunction, typeError } from '../core/errors.js';

/** Default weight with `unit: 'B'`: byte length of Buffers, typed arrays, ArrayBuffers and strings; else 1. */
export function byteWeight(item: unknown): number {
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (ArrayBuffer.isView(item)) return item.byteLength;
  if (item instanceof ArrayBuffer) return item.byteLength;
  return 1;
}

/**
 * The `weight` option, checked: it must be a function, and each of its results a finite number (a bad
 * weight must fail loudly, not turn the count into NaN).
 */
export function checkedWeight<T>(option: unknown): (item: T) => number {
  const weight = checkFunction<(item: T) => number>('weight', option);
  return (item) => {
    const w = weight(item);
    if (typeof w !== 'number' || !Number.isFinite(w)) throw typeError('weight(item)', 'a finite number', w);
    return w;
  };
}
