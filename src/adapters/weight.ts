/** Default weight with `unit: 'B'`: byte length of Buffers, typed arrays, ArrayBuffers and strings; else 1. */
export function byteWeight(item: unknown): number {
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (ArrayBuffer.isView(item)) return item.byteLength;
  if (item instanceof ArrayBuffer) return item.byteLength;
  return 1;
}
