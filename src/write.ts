/**
 * `progress.write(text)`: prints a line above the live bars of a stream, which are redrawn below it.
 * Without live bars (or when the output is not a terminal) it is a plain line: it never swallows text.
 */
import type { OutputStream } from './options/bar.js';
import { checkStream } from './options/bar.js';
import { checkString } from './options/checks.js';
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
  const stream = checkStream('stream', options.stream ?? process.stderr);
  const renderer = liveRendererOf(stream);
  if (renderer !== undefined) renderer.printAbove(`${text}\n`, stream);
  else stream.write(`${text}\n`);
}
