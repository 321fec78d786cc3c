/**
 * `taqaddum`: standard input to standard output byte for byte, a bar on standard error.
 *
 * The main thread copies: a blocking read/write loop (`copy.ts`) that starts before any of the library is
 * loaded, which keeps it close to `cat`. The bar lives on a worker thread (`bar-thread.ts`) that boots
 * and loads the library meanwhile, reads the running count from shared memory a few times per frame and
 * keeps the bar's clock moving while the input is silent. Ctrl-C ends the process at once (nothing in
 * JavaScript stands in the way of the signal); the last frame stays on screen, the cursor was never hidden.
 *
 * Exit status: 0 when the input was copied (or the reader of the output went away first, as with
 * `| head -1`: quietly, as `cat` ends there); 1 when standard input or output failed (one line says
 * which and why); 2 for a bad flag or value (one line names it).
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { envDisabled } from '../env.js';
import { HELP, parseArgs, type CliOptions } from './args.js';
import type { BarThreadEnd, BarThreadInput } from './bar-thread.js';
import { copy, type CopyResult } from './copy.js';

/**
 * Bytes per read. A pipe holds 64 KiB, so a read from one returns at most that; 128 KiB halves the calls
 * for a regular file. Measured here: 64 KiB and 128 KiB buffers cost the same per GiB through a pipe, but
 * any buffer of 160 KiB or more costs about 1.5× the CPU (1 MiB: 1.7×), whatever the read size asked for.
 */
const BUFFER_SIZE = 128 * 1024;

/** Where the command writes its own messages (help, version, errors). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  const parsed = parseArgs(argv);
  switch (parsed.kind) {
    case 'help':
      io.stdout.write(HELP);
      return 0;
    case 'version':
      io.stdout.write(`${version()}\n`);
      return 0;
    case 'error':
      io.stderr.write(`taqaddum: ${parsed.message} (see taqaddum --help)\n`);
      return 2;
    case 'run':
      return run(parsed.options, io);
  }
}

async function run(options: CliOptions, io: CliIo): Promise<number> {
  const startedAt = performance.timeOrigin + performance.now();
  const shared = new SharedArrayBuffer(8);
  let worker: Worker | undefined;
  let barFailure: Error | undefined;
  let barClosed: Promise<unknown> = Promise.resolve();
  if (!envDisabled()) {
    const input: BarThreadInput = {
      shared,
      desc: options.desc,
      total: options.total,
      unit: options.unit,
      minInterval: options.minInterval,
      startedAt,
    };
    // stdout/stderr: true keeps the worker's own (unused) console streams from being piped to this
    // thread's process.stdout, which would turn fd 1 non-blocking under the copy loop.
    worker = new Worker(new URL('./bar-thread.js', import.meta.url), { workerData: input, stdout: true, stderr: true });
    const w = worker;
    w.once('error', (error) => {
      barFailure = error;
    });
    barClosed = new Promise((resolve) => w.once('exit', resolve));
  }

  const result = copy(
    { mode: options.mode, delimiter: options.delimiter, discard: options.discard, bufferSize: BUFFER_SIZE },
    new Float64Array(shared),
  );

  const end: BarThreadEnd = {
    n: result.n,
    outcome: result.kind === 'end' ? 'done' : result.kind === 'reader-gone' ? 'stopped' : 'failed',
  };
  worker?.postMessage(end);
  await barClosed;
  if (barFailure !== undefined) io.stderr.write(`taqaddum: the progress bar failed: ${barFailure.message}\n`);
  return report(result, io);
}

function report(result: CopyResult, io: CliIo): number {
  switch (result.kind) {
    case 'end':
      if (result.invalid > 0) {
        const first = result.firstInvalid;
        const lines = result.invalid === 1 ? '1 line was' : `${result.invalid} lines were`;
        const where = first === undefined ? '' : ` (the first, line ${first.record}: ${JSON.stringify(first.text)})`;
        io.stderr.write(`taqaddum: --update: ${lines} not a number and added nothing${where}\n`);
      }
      return 0;
    case 'reader-gone':
      return 0;
    case 'read-error':
      io.stderr.write(`taqaddum: cannot read standard input: ${result.message}\n`);
      return 1;
    case 'write-error':
      io.stderr.write(`taqaddum: cannot write standard output: ${result.message}\n`);
      return 1;
  }
}
