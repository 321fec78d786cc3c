import { typeError } from '../core/errors.js';

/** Default weight with `unit: 'B'`: byte length of Buffers, typed arrays, ArrayBuffers and strings; else 1. */
export function byteWeight(item: unknown): number {
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (ArrayBuffer.isView(item)) return item.byteLength;
  if (item instanceof ArrayBuffer) return item.byteLength;
  return 1;
}

/** Checks a weight's result: a bad weight function must fail loudly, not turn the count into NaN. */
export function checkedWeight<T>(weight: (item: T) => number): (item: T) => number {
  return (item) => {
    const w = weight(item);
    if (typeof w !== 'number' || !Number.isFinite(w)) throw typeError('weight(item)', 'a finite number', w);
    return w;
  };
}
