/**
 * The bar of `taqaddum`, on a worker thread. The main thread copies the bytes in a blocking loop and
 * publishes its count in shared memory; this thread reads the count a few times per frame and calls
 * `bar.update(delta)`. Its event loop is never blocked, so the bar's clock, rate and ETA keep moving while
 * the input is silent (a blocking read on the main thread could not draw then).
 *
 * It writes to fd 2 directly with blocking writes: a worker's `process.stderr` is relayed through the
 * main thread, which is busy copying. A `tty.WriteStream` on fd 2 (when it is a terminal) only answers
 * the terminal's current size, read at every frame, so a resize is followed.
 */
import { writeSync } from 'node:fs';
import { isatty, WriteStream } from 'node:tty';
import { parentPort, workerData } from 'node:worker_threads';
import { openBar } from '../bar.js';
import { formatBytes } from '../format/units.js';
import type { BarOptions, OutputStream } from '../options/bar.js';

export interface BarThreadInput {
  /** Float64Array view: [0] the count so far. */
  shared: SharedArrayBuffer;
  desc: string;
  total: number | undefined;
  unit: string;
  minInterval: number | undefined;
  /** When the copy started: `performance.timeOrigin + performance.now()` on the main thread. */
  startedAt: number;
}

/** What the main thread sends once the copy is over. */
export interface BarThreadEnd {
  n: number;
  outcome: 'done' | 'stopped' | 'failed';
}

const STDERR = 2;
const nap = new Int32Array(new SharedArrayBuffer(4));

function writeAll(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let off = 0; off < bytes.length; ) {
    try {
      off += writeSync(STDERR, bytes, off, bytes.length - off);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'EAGAIN' && code !== 'EINTR') return; // stderr is gone: nothing more can be shown
      Atomics.wait(nap, 0, 0, 2);
    }
  }
}

function stderrStream(): { stream: OutputStream; release(): void } {
  if (!isatty(STDERR)) return { stream: { write: writeAll, isTTY: false }, release() {} };
  const tty = new WriteStream(STDERR);
  const size = (): [number, number] | undefined => {
    try {
      return tty.getWindowSize();
    } catch {
      return undefined;
    }
  };
  const stream: OutputStream = {
    write: writeAll,
    isTTY: true,
    get columns() {
      return size()?.[0];
    },
    get rows() {
      return size()?.[1];
    },
  };
  return { stream, release: () => tty.destroy() };
}

/**
 * Opens the command's bar on fd 2. `sync(n)` shows the count `n`; `close(end)` draws the final line and
 * lets go of the terminal. The bar thread uses it; so does the main thread, for an input that ended before
 * the bar thread was worth starting (see main.ts): the same bar, the same lines.
 */
export function showBar(input: BarThreadInput): { sync(n: number): void; close(end: BarThreadEnd): void; readonly minInterval: number } {
  const out = stderrStream();
  let first = true;
  // The bar starts when the copy started, not when this thread got going.
  const clock = (): number => {
    if (!first) return performance.timeOrigin + performance.now();
    first = false;
    return input.startedAt;
  };
  const options: BarOptions = { desc: input.desc, total: input.total, unit: input.unit, stream: out.stream, clock };
  if (input.minInterval !== undefined) options.minInterval = input.minInterval;
  const bar = openBar(options);
  let shown = 0;
  const sync = (n: number): void => {
    if (n !== shown) {
      bar.update(n - shown);
      shown = n;
    }
  };
  return {
    sync,
    // The bar's own (`--min-interval`, else TAQADDUM_MIN_INTERVAL, else the default): the poll follows it.
    minInterval: bar.minInterval,
    close(end) {
      sync(end.n);
      bar.closeAs(end.outcome);
      out.release();
    },
  };
}

function run(input: BarThreadInput, port: NonNullable<typeof parentPort>): void {
  const count = new Float64Array(input.shared);
  const shown = showBar(input);
  // Byte sizes load pretty-bytes and ICU's number formatting (~20 ms) the first time: do it while the
  // copy runs, not when the final line is due (a non-terminal gets no line before that).
  if (input.unit === 'B') setTimeout(() => formatBytes(1), 0);
  const poll = setInterval(() => shown.sync(count[0] as number), Math.min(Math.max(shown.minInterval / 2, 10), 500));
  port.once('message', (end: BarThreadEnd) => {
    clearInterval(poll);
    shown.close(end);
    port.postMessage('closed');
    port.close();
  });
}

if (parentPort !== null) run(workerData as BarThreadInput, parentPort);
