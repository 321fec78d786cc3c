/**
 * The copy loop of `taqaddum`: blocking reads of fd 0 into one reused buffer, blocking writes of the same
 * bytes to fd 1, the running count published in shared memory after every chunk. Nothing else happens per
 * chunk: no allocation, no event, no promise, no clock. It runs on the main thread, started before any
 * of the library is loaded; the bar lives on another thread (`bar-thread.ts`) that reads the count.
 *
 * It never touches `process.stdin`/`process.stdout`: Node would put a pipe in non-blocking mode under
 * it. If fd 0 or fd 1 is non-blocking anyway (inherited that way), EAGAIN is met by a short sleep and a
 * retry. SIGPIPE is ignored by Node, so a reader that went away shows up as EPIPE.
 */
import { readSync, writeSync } from 'node:fs';
import { createCounter, UpdateCounter, type CountMode } from './count.js';
import { createSimdCounter } from './simd.js';

export interface CopyInput {
  mode: CountMode;
  delimiter: Buffer;
  /** Count without writing to stdout. */
  discard: boolean;
  bufferSize: number;
}

export type CopyResult =
  | { kind: 'end'; n: number; invalid: number; firstInvalid: { record: number; text: string } | undefined }
  /** The reader of stdout went away (EPIPE): stop quietly, as `cat` does under `head`. */
  | { kind: 'reader-gone'; n: number }
  | { kind: 'read-error' | 'write-error'; n: number; message: string };

const STDIN = 0;
const STDOUT = 1;
const nap = new Int32Array(new SharedArrayBuffer(4));

function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

/** Copies stdin to stdout (unless `discard`), keeping `count[0]` up to date. */
export function copy(input: CopyInput, count: Float64Array): CopyResult {
  // Lines ended by one byte: read straight into the SIMD counter's memory and count them in place.
  const simd = input.mode === 'lines' && input.delimiter.length === 1 ? createSimdCounter() : undefined;
  const counter = createCounter(input.mode, input.delimiter, simd);
  const buf =
    simd === undefined
      ? Buffer.allocUnsafe(input.bufferSize)
      : Buffer.from(simd.memory.buffer, 0, Math.min(input.bufferSize, simd.memory.length / 2));
  const size = buf.length;
  const discard = input.discard;
  let n = 0;
  for (;;) {
    let k: number;
    try {
      k = readSync(STDIN, buf, 0, size, null);
    } catch (error) {
      if (retryable(error)) {
        Atomics.wait(nap, 0, 0, 2);
        continue;
      }
      return { kind: 'read-error', n, message: (error as Error).message };
    }
    if (k === 0) break;
    if (!discard) {
      let off = 0;
      while (off < k) {
        try {
          off += writeSync(STDOUT, buf, off, k - off);
        } catch (error) {
          if (retryable(error)) {
            Atomics.wait(nap, 0, 0, 2);
            continue;
          }
          if ((error as { code?: unknown }).code === 'EPIPE') return { kind: 'reader-gone', n };
          return { kind: 'write-error', n, message: (error as Error).message };
        }
      }
    }
    n += counter.feed(k === size ? buf : buf.subarray(0, k));
    count[0] = n;
  }
  n += counter.end();
  count[0] = n;
  const update = counter instanceof UpdateCounter ? counter : undefined;
  return { kind: 'end', n, invalid: update?.invalid ?? 0, firstInvalid: update?.firstInvalid };
}
