/**
 * The shared memory of a shared bar (`bar.share()`), as both sides read it, and the check of a handle.
 *
 * One counter per thread that attaches, not one for all: a counter has one writer, so a worker counts with
 * a plain store of a `Float64Array` element (no atomic read-modify-write, and no cache line fought over by
 * the threads: each counter has a 64-byte line of its own). The bar adds the counters up when it samples.
 * A thread claims its counter once per shared bar (`Atomics.add` on the claim count), so a pool thread that
 * runs a thousand tasks, each attaching and closing, uses one counter.
 *
 * A float64 element is written and read whole on the 64-bit platforms Node runs on (one aligned 8-byte
 * move; the command's copy loop publishes its count the same way); the memory model would allow a read
 * that races a write to see a mix of two writes, so the reader reads each counter until two reads agree.
 * Past `SLOTS` threads, counting goes to one overflow counter under a lock (slower, still exact).
 *
 *   Int32 [0]   counters claimed (may exceed SLOTS: the rest use the overflow counter)
 *   Int32 [1]   the overflow counter's lock (0 free, 1 held)
 *   Int32 [2]   bumped by a remote's close(): a write the bar's next read of [0] is ordered after
 *   Int32 [3]   1 once the bar has closed: threads forget their counter (nothing reads it any more)
 *   Float64 [8] the overflow counter (byte 64)
 *   Float64 [16 + 8 i]  counter i (byte 128 + 64 i)
 */
import type { BarHandle } from '../bar-api.js';
import { typeError } from '../options/checks.js';

export const SLOTS = 256;
export const CLAIMED = 0;
export const LOCK = 1;
export const CLOSES = 2;
export const RELEASED = 3;
export const OVERFLOW = 8;
export const FIRST_SLOT = 16;
/** Float64 elements per counter: 64 bytes, a cache line. */
export const SLOT_STRIDE = 8;
export const BUFFER_BYTES = 8 * (FIRST_SLOT + SLOTS * SLOT_STRIDE);
export const HANDLE_KIND = 'taqaddum.bar';

/** The Float64 index of counter `slot`. */
export function slotIndex(slot: number): number {
  return FIRST_SLOT + slot * SLOT_STRIDE;
}

/** Runs `fn` holding the overflow counter's lock (held for an addition or a read: a short spin at worst). */
export function withLock<T>(i32: Int32Array, fn: () => T): T {
  while (Atomics.compareExchange(i32, LOCK, 0, 1) !== 0);
  try {
    return fn();
  } finally {
    Atomics.store(i32, LOCK, 0);
  }
}

/** What a handle is once checked: the buffer when it came with one (same process), else `undefined`. */
export interface CheckedHandle {
  id: string;
  buffer: SharedArrayBuffer | undefined;
  socket: string;
  key: string;
}

const SHAPE = 'what `bar.share()` returned';

/** The `handle` argument of `progress.attach()`: a TypeError naming it unless it is a bar's handle. */
export function checkHandle(handle: unknown): CheckedHandle {
  if (handle === null || typeof handle !== 'object') throw typeError('handle', SHAPE, handle);
  const h = handle as Partial<Record<keyof BarHandle, unknown>>;
  if (h.kind !== HANDLE_KIND || typeof h.id !== 'string' || typeof h.socket !== 'string' || typeof h.key !== 'string') {
    throw typeError('handle', SHAPE, handle, ' (an object with `kind`, `id`, `buffer`, `socket` and `key`)');
  }
  const buffer = h.buffer instanceof SharedArrayBuffer && h.buffer.byteLength === BUFFER_BYTES ? h.buffer : undefined;
  return { id: h.id, buffer, socket: h.socket, key: h.key };
}
