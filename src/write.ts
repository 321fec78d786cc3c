/**
 * `progress.write(text)`: prints a line above the live bars of a stream, which are redrawn below it.
 * Without live bars (or when the output is not a terminal) it is a plain line: it never swallows text.
 */
import { checkString, typeError } from './core/errors.js';
import type { OutputStream } from './options.js';
import { liveRendererOf } from './render/renderer.js';

export interface WriteOptions {
  /**
   * The stream to print to (the one the bars are drawn on).
   * @default process.stderr
   */
  stream?: OutputStream;
}

/**
 * Prints `text` and a newline above the bars.
 * @example progress.write(`checkpoint saved after ${n} rows`);
 */
export function write(text: string, options: WriteOptions = {}): void {
  checkString('text', text);
  const stream = options.stream ?? process.stderr;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw typeError('stream', 'a writable stream (an object with a `write` method)', stream);
  }
  const renderer = liveRendererOf(stream);
  if (renderer !== undefined) renderer.printAbove(`${text}\n`, stream);
  else stream.write(`${text}\n`);
}
