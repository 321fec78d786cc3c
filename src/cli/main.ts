/**
 * `taqaddum`: standard input to standard output byte for byte, a bar on standard error.
 *
 * The main thread copies: a blocking read/write loop (`copy.ts`) that starts before any of the library is
 * loaded, which keeps it close to `cat`. The bar lives on a worker thread (`bar-thread.ts`), started once
 * the input has lasted `BAR_THREAD_DELAY` ms, that boots and loads the library meanwhile, reads the
 * running count from shared memory a few times per frame and keeps the bar's clock moving while the
 * input is silent. Ctrl-C ends the process at once (nothing in
 * JavaScript stands in the way of the signal); the last frame stays on screen, the cursor was never hidden.
 *
 * Exit status: 0 when the input was copied (or the reader of the output went away first, as with
 * `| head -1`: quietly, as `cat` ends there); 1 when standard input or output failed (one line says
 * which and why); 2 for a bad flag or value (one line names it).
 */
import { readFileSync } from 'node:fs';
import { envDisabled, threadPoolSize } from '../env.js';
import { HELP, parseArgs, type CliOptions } from './args.js';
import type { BarThreadEnd, BarThreadInput } from './bar-thread.js';
import { copy, type CopyInput, type CopyResult } from './copy.js';

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

/**
 * How long the input must last before the bar's thread starts (tqdm's `delay`). Booting a thread costs
 * more CPU than the rest of the command together (~100 ms here, against ~20 ms): an input that is over
 * sooner (`echo hi | taqaddum`) gets its final line from the main thread, which loads the bar only then.
 * A terminal would not see the bar sooner anyway: the thread takes longer than this to boot.
 */
const BAR_THREAD_DELAY = 50;

const BAR_THREAD = new URL('./bar-thread.js', import.meta.url);

async function run(options: CliOptions, io: CliIo): Promise<number> {
  const startedAt = performance.timeOrigin + performance.now();
  const shared = new SharedArrayBuffer(8);
  const count = new Float64Array(shared);
  const copyInput: CopyInput = { mode: options.mode, delimiter: options.delimiter, discard: options.discard, bufferSize: BUFFER_SIZE };
  if (envDisabled()) return report(copy(copyInput, count), io);

  const input: BarThreadInput = {
    shared,
    desc: options.desc,
    total: options.total,
    unit: options.unit,
    minInterval: options.minInterval,
    startedAt,
  };
  let thread: BarThread | undefined;
  let result: CopyResult;
  if (threadPoolSize() < 2) {
    // The early reads would hold the pool's only thread while the input is silent, and the bar's thread
    // needs one to read its modules: it would not show before the input comes. Start it at once.
    thread = startBarThread(input);
    result = copy(copyInput, count);
  } else {
    result = await copy(copyInput, count, {
      deadline: BAR_THREAD_DELAY,
      expired: () => {
        thread = startBarThread(input);
      },
    });
  }

  const end: BarThreadEnd = {
    n: result.n,
    outcome: result.kind === 'end' ? 'done' : result.kind === 'reader-gone' ? 'stopped' : 'failed',
  };
  let barFailure: unknown;
  if (thread === undefined) {
    try {
      const { showBar } = (await import(BAR_THREAD.href)) as typeof import('./bar-thread.js');
      showBar(input).close(end);
    } catch (error) {
      barFailure = error;
    }
  } else barFailure = await thread.close(end);
  if (barFailure !== undefined) io.stderr.write(`taqaddum: the progress bar failed: ${(barFailure as Error).message}\n`);
  return report(result, io);
}

interface BarThread {
  /** Sends the end of the copy; resolves once the thread is gone, to its failure if it failed. */
  close(end: BarThreadEnd): Promise<unknown>;
}

function startBarThread(input: BarThreadInput): BarThread {
  // Fetched here: an input over before the delay never needs it.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  // stdout/stderr: true keeps the worker's own (unused) console streams from being piped to this
  // thread's process.stdout, which would turn fd 1 non-blocking under the copy loop.
  const worker = new Worker(BAR_THREAD, { workerData: input, stdout: true, stderr: true });
  let failure: unknown;
  worker.once('error', (error) => {
    failure = error;
  });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  return {
    async close(end) {
      worker.postMessage(end);
      await exited;
      return failure;
    },
  };
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
