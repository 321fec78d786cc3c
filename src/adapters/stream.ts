/**
 * `progress.stream(options)`: a Node `Transform` that hands every chunk on unchanged (the same object,
 * never copied) and counts it: its bytes by default (`unit: 'B'`), or one per chunk in object mode
 * (any other unit), or `weight(chunk)`.
 *
 * Backpressure is Node's own: the transform calls back at once, so it holds no more than a PassThrough
 * would (its two `highWaterMark` buffers) and a slow reader slows the writer. The hot path is the bar's:
 * add to the count, decrement a countdown, read the clock only when it runs out.
 *
 * How the bar ends:
 * - done, when the stream has ended and the next stream (or reader) has taken its last chunk;
 * - failed (`✗`), when the stream is destroyed with an error: an error on either side of a `pipeline`
 *   destroys every stream in it, and the error is what `pipeline` rejects with;
 * - aborted (`✗`), when the `signal` aborts (the stream is destroyed with an `AbortError`);
 * - stopped, when it is destroyed without an error before its end.
 */
import type { Transform, TransformCallback } from 'node:stream';
import { type Bar, ProgressBar } from '../bar.js';
import type { StreamOptions } from '../options/stream.js';
import { resolveStreamOptions } from '../options/stream.js';
import { byteSourceTotal } from './file-total.js';
import { byteWeight } from './weight.js';

/** The stream `progress.stream()` returns: a Transform with its bar. */
export interface ProgressStream extends Transform {
  /** The bar this stream drives: use it to `set({ postfix })`, or read `n` and `rate`. */
  readonly bar: Bar;
}

/** How a chunk is counted. */
const Count = {
  /** A Buffer's length (not object mode: Node hands `_transform` Buffers only). */
  Length: 0,
  /** The byte length of a Buffer, typed array or string; 1 for anything else. */
  Bytes: 1,
  One: 2,
  Weight: 3,
} as const;
type Count = (typeof Count)[keyof typeof Count];

type ProgressTransformClass = new (
  bar: ProgressBar,
  count: Count,
  weight: ((chunk: unknown) => number) | undefined,
  nodeOptions: { objectMode: boolean; highWaterMark?: number },
  totalGiven: boolean,
  signal: AbortSignal | undefined,
) => ProgressStream;

let progressTransformClass: ProgressTransformClass | undefined;

/**
 * The Transform subclass, defined on first use: `node:stream` is not loaded until a stream is made,
 * which keeps importing the package cheap.
 */
function progressTransform(): ProgressTransformClass {
  if (progressTransformClass !== undefined) return progressTransformClass;
  const { Transform, addAbortSignal } = process.getBuiltinModule('node:stream');
  class ProgressTransform extends Transform implements ProgressStream {
    readonly bar: ProgressBar;
    private readonly count: Count;
    private readonly weight: ((chunk: unknown) => number) | undefined;
    private ended = false;

    constructor(
      bar: ProgressBar,
      count: Count,
      weight: ((chunk: unknown) => number) | undefined,
      nodeOptions: { objectMode: boolean; highWaterMark?: number },
      totalGiven: boolean,
      signal: AbortSignal | undefined,
    ) {
      super(nodeOptions);
      this.bar = bar;
      this.count = count;
      this.weight = weight;
      this.once('end', () => {
        this.ended = true;
        this.bar.closeAs('done');
      });
      if (!totalGiven && bar.state.bytes) {
        // `file.pipe(stream)` and `pipeline(file, stream, …)`: the total is the file's size.
        this.on('pipe', (source: unknown) => {
          if (this.bar.total !== undefined) return;
          const total = byteSourceTotal(source);
          if (total !== undefined) this.bar.set({ total });
        });
      }
      // Not Node's `signal` option: an aborted one destroys the stream inside `super()`, before the bar
      // is set (`_destroy` failed with a TypeError and the bar never closed). Attached last instead.
      if (signal !== undefined) addAbortSignal(signal, this);
    }

    override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
      const bar = this.bar;
      const count = this.count;
      let k: number;
      if (count === Count.Length) k = (chunk as Buffer).length;
      else if (count === Count.One) k = 1;
      else {
        try {
          k = count === Count.Bytes ? byteWeight(chunk) : (this.weight as (chunk: unknown) => number)(chunk);
        } catch (error) {
          callback(error as Error);
          return;
        }
      }
      bar.add(k);
      callback(null, chunk);
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      if (!this.ended) {
        this.ended = true;
        if (error === null || error === undefined) this.bar.closeAs(this.writableFinished ? 'done' : 'stopped');
        else this.bar.closeAs(error.name === 'AbortError' ? 'aborted' : 'failed');
      }
      callback(error);
    }
  }
  progressTransformClass = ProgressTransform;
  return ProgressTransform;
}

/**
 * A pass-through stream that draws a progress bar of what flows through it. Put it in a `pipeline`.
 * @example await pipeline(response.body, progress.stream({ desc: 'iso', total: size }), createWriteStream('big.iso'))
 * @example await pipeline(createReadStream('big.log'), progress.stream(), createGzip(), createWriteStream('big.log.gz')) // total: the file's size
 * @example await pipeline(rows, progress.stream({ unit: 'rows', total: rowCount }), toCsv, out)
 */
export function createProgressStream<T = Buffer>(options?: StreamOptions<T>): ProgressStream {
  const { bar: resolved, objectMode, highWaterMark, signal, weight, totalGiven } = resolveStreamOptions(options);
  const nodeOptions: { objectMode: boolean; highWaterMark?: number } = { objectMode };
  if (highWaterMark !== undefined) nodeOptions.highWaterMark = highWaterMark;
  let count: Count;
  if (weight !== undefined) count = Count.Weight;
  else if (!resolved.bytes) count = Count.One;
  else count = objectMode ? Count.Bytes : Count.Length;
  const bar = new ProgressBar(resolved).start();
  const ProgressTransform = progressTransform();
  return new ProgressTransform(bar, count, weight, nodeOptions, totalGiven, signal);
}
