/**
 * The copy loop of `taqaddum`: blocking reads of fd 0 into one reused buffer, blocking writes of the same
 * bytes to fd 1, the running count published in shared memory after every chunk. Nothing else happens per
 * chunk: no allocation, no event, no promise, no clock. It runs on the main thread, started before any
 * of the library is loaded; the bar lives on another thread (`bar-thread.ts`) that reads the count.
 *
 * It never touches `process.stdin`/`process.stdout`: Node would put a pipe in non-blocking mode under
 * it. (The first reads of `EarlyCopy` are made on libuv's thread pool: blocking reads all the same.) If
 * fd 0 or fd 1 is non-blocking anyway (inherited that way), EAGAIN is met by a short sleep and a retry.
 * SIGPIPE is ignored by Node, so a reader that went away shows up as EPIPE.
 */
import { read, readSync, writeSync } from 'node:fs';
import { createCounter, UpdateCounter, type Counter, type CountMode } from './count.js';
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

/**
 * Copies stdin to stdout (unless `discard`), keeping `count[0]` up to date. With `early`, the first reads
 * do not block the event loop (`early.deadline` ms at most; see `EarlyCopy`): `early.expired()` is called
 * when that time is up and input is still coming, and blocking reads take over from there.
 */
export function copy(input: CopyInput, count: Float64Array): CopyResult;
export function copy(input: CopyInput, count: Float64Array, early: EarlyCopy): Promise<CopyResult>;
export function copy(input: CopyInput, count: Float64Array, early?: EarlyCopy): CopyResult | Promise<CopyResult> {
  const copier = new Copier(input, count);
  return early === undefined ? copier.rest() : copier.early(early);
}

/**
 * The first moments of a copy, with the event loop free: most inputs of a command run by hand or by a
 * script are tiny (`echo hi | taqaddum`), and booting the bar's thread costs more than all the rest of
 * the command, so it starts only when the input lasts `deadline` ms (as tqdm's `delay`). Meanwhile each
 * read is made on libuv's thread pool, so the timer can fire while one is pending. (A pending read holds
 * one of the pool's threads, 4 unless UV_THREADPOOL_SIZE says otherwise, until input comes: the worker
 * reads its modules with the others.)
 */
export interface EarlyCopy {
  deadline: number;
  /** The input is still coming after `deadline` ms (called at most once, before blocking reads start). */
  expired(): void;
}

class Copier {
  private readonly buf: Buffer;
  private readonly size: number;
  private readonly counter: Counter;
  private n = 0;

  constructor(
    private readonly input: CopyInput,
    private readonly count: Float64Array,
  ) {
    // Lines ended by one byte: read straight into the SIMD counter's memory and count them in place.
    const simd = input.mode === 'lines' && input.delimiter.length === 1 ? createSimdCounter() : undefined;
    this.counter = createCounter(input.mode, input.delimiter, simd);
    this.buf =
      simd === undefined
        ? Buffer.allocUnsafe(input.bufferSize)
        : Buffer.from(simd.memory.buffer, 0, Math.min(input.bufferSize, simd.memory.length / 2));
    this.size = this.buf.length;
  }

  /** Blocking reads to the end. */
  rest(): CopyResult {
    const { buf, size } = this;
    for (;;) {
      let k: number;
      try {
        k = readSync(STDIN, buf, 0, size, null);
      } catch (error) {
        if (retryable(error)) {
          Atomics.wait(nap, 0, 0, 2);
          continue;
        }
        return { kind: 'read-error', n: this.n, message: (error as Error).message };
      }
      if (k === 0) return this.end();
      const failed = this.take(k);
      if (failed !== undefined) return failed;
    }
  }

  /** Reads on the thread pool until the end or the deadline, then `rest()`. */
  early(early: EarlyCopy): Promise<CopyResult> {
    return new Promise((resolve) => {
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        early.expired();
      }, early.deadline);
      const done = (result: CopyResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      const next = (): void => {
        read(STDIN, this.buf, 0, this.size, null, (error, k) => {
          if (error !== null) {
            if (retryable(error)) setTimeout(next, 2);
            else done({ kind: 'read-error', n: this.n, message: error.message });
            return;
          }
          if (k === 0) return done(this.end());
          const failed = this.take(k);
          if (failed !== undefined) return done(failed);
          if (expired) done(this.rest());
          else next();
        });
      };
      next();
    });
  }

  /** Writes and counts the `k` bytes just read; a result if the copy must stop. */
  private take(k: number): CopyResult | undefined {
    const { buf } = this;
    if (!this.input.discard) {
      let off = 0;
      while (off < k) {
        try {
          off += writeSync(STDOUT, buf, off, k - off);
        } catch (error) {
          if (retryable(error)) {
            Atomics.wait(nap, 0, 0, 2);
            continue;
          }
          if ((error as { code?: unknown }).code === 'EPIPE') return { kind: 'reader-gone', n: this.n };
          return { kind: 'write-error', n: this.n, message: (error as Error).message };
        }
      }
    }
    this.n += this.counter.feed(k === this.size ? buf : buf.subarray(0, k));
    this.count[0] = this.n;
    return undefined;
  }

  private end(): CopyResult {
    this.n += this.counter.end();
    this.count[0] = this.n;
    const update = this.counter instanceof UpdateCounter ? this.counter : undefined;
    return { kind: 'end', n: this.n, invalid: update?.invalid ?? 0, firstInvalid: update?.firstInvalid };
  }
}
