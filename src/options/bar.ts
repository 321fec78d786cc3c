/**
 * The options every bar takes (`BarOptions`, documented where they are declared), their table and
 * `resolveOptions()`: unknown keys, types, ranges, defaults, `TAQADDUM_DISABLE`.
 */
import type { Clock } from '../core/clock.js';
import { defaultClock } from '../core/clock.js';
import { envDisabled } from '../env.js';
import type { Bar, Postfix } from '../bar-api.js';
import {
  checkBoolean,
  checkFunction,
  checkNonNegative,
  checkNonNegativeOrInfinity,
  checkNumber,
  checkOptionsRecord,
  checkString,
  typeError,
} from './checks.js';
import { formatPostfix } from './postfix.js';
import type { Option } from './table.js';
import { late, optionSet, resolveTable } from './table.js';

/** Where bars are drawn: any object with `write(text)`; `isTTY`, `columns` and `rows` are read when present. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  rows?: number | undefined;
}

/** Options shared by every kind of bar. */
export interface BarOptions {
  /**
   * A label shown before the bar.
   * @default ''
   * @example progress(rows, { desc: 'rows' }) // "rows:  42%|████▏     | 420/1000 …"
   */
  desc?: string;
  /**
   * The expected final count. Taken from the source's `length` or `size` when it has one, and with
   * `unit: 'B'` from the size of a file stream (`fs.createReadStream`) or the `content-length` of an
   * `http.IncomingMessage`; this option overrides it. Without a total the bar shows a count and a rate,
   * no percentage.
   * @default the source's length or size (bytes: the file's size, the content-length), else unknown
   * @example progress(readLines(file), { total: 120_000 })
   */
  total?: number | undefined;
  /**
   * The name of one unit of progress. `'B'` shows bytes with SI prefixes (`4.2 MB`, `1.3 MB/s`) and, for
   * iterables, counts each Buffer, Uint8Array or string by its length in bytes.
   * @default 'it'
   * @example progress(response.body, { unit: 'B', total: size })
   */
  unit?: string;
  /**
   * Show counts with SI prefixes (`1.23M`). `'auto'` does it once the count or total reaches 100,000.
   * Rates always use them. Bytes always use byte units.
   * @default 'auto'
   * @example progress(ids, { unitScale: true }) // "12.3k/50.0k"
   */
  unitScale?: boolean | 'auto';
  /**
   * `1024` shows sizes in binary units: bytes as `KiB`, `MiB`, `GiB` (counts and rate: `1.50 MiB/s`),
   * other units with binary prefixes wherever SI prefixes would appear (`unitScale` counts, rates:
   * `1.50Ki it/s`), as tqdm's `unit_divisor` applies to scaled counts. `1000`: SI (`kB`, `k`).
   * @default 1000
   * @example progress(response.body, { unit: 'B', unitDivisor: 1024 }) // "1.50 MiB/4.00 MiB … 512 KiB/s"
   */
  unitDivisor?: 1000 | 1024;
  /**
   * The count the bar starts from (e.g. when resuming a download).
   * @default 0
   * @example progress.bar({ total: size, initial: alreadyDownloaded, unit: 'B' })
   */
  initial?: number;
  /**
   * Where to draw. A TTY gets a bar redrawn in place; anything else gets plain lines.
   * @default process.stderr
   * @example progress(rows, { stream: process.stdout })
   */
  stream?: OutputStream;
  /**
   * The least time between two frames on a terminal, in milliseconds.
   * @default 100
   * @example progress(rows, { minInterval: 50 })
   */
  minInterval?: number;
  /**
   * When the output is not a terminal (CI log, file, pipe): milliseconds between two status lines of a
   * running bar. The final line is always written. `Infinity` writes only the final line.
   * @default 10000
   * @example progress(rows, { plainInterval: 60_000 })
   */
  plainInterval?: number;
  /**
   * Keep the bar's final line on screen when it closes; `false` erases it. By default a top-level bar
   * stays and a nested bar (one opened inside another bar's loop, or given a `parent`) disappears.
   * @default true for a top-level bar, false for a nested one
   * @example progress(chunk, { leave: false })
   */
  leave?: boolean | undefined;
  /**
   * The bar to draw this one under, or `null` for a top-level bar. By default a bar opened while another
   * bar's loop body is running nests under it; that is a guess, and with several loops running at once
   * (a bar opened by one while another is mid-item) it can be wrong: say which it is.
   * @default the bar whose loop body is running, if any
   * @example progress(rows, { parent: files.bar }) // or { parent: null } for a job running alongside
   */
  parent?: Bar | null | undefined;
  /**
   * While bars are live on a terminal, move everything else the program writes to `process.stdout` and
   * `process.stderr` (console.log, loggers) above the bars, so nothing tears. Never done when the output
   * is not a terminal.
   * @default true
   * @example progress(rows, { captureOutput: false })
   */
  captureOutput?: boolean;
  /**
   * Draw nothing (iteration and counting still happen). The `TAQADDUM_DISABLE` environment variable
   * (any value but `''`, `0` or `false`) turns every bar off.
   * @default false
   * @example progress(rows, { disable: !process.stderr.isTTY })
   */
  disable?: boolean;
  /**
   * How far back the rate estimate looks, in milliseconds (like every time option): a step this old
   * counts for 10% of a new one. `0` shows the latest step's rate; `Infinity` the average since the start.
   * @default 10000
   * @example progress(rows, { rateWindow: 30_000 }) // steadier ETA for bursty work
   */
  rateWindow?: number;
  /**
   * Fixed line width in columns, from 1 to `MAX_WIDTH` (1000). By default a terminal's current width
   * (read every frame); lines that do not go to a terminal (a log, a file) are not cut at all, and their
   * bar takes what 80 columns leave.
   * @default the terminal's width; unlimited when the output is not a terminal
   * @example progress(rows, { width: 60 })
   */
  width?: number | undefined;
  /**
   * Fields shown after the rate; can be changed later with `bar.set({ postfix })`.
   * @default none
   * @example progress.bar({ postfix: { retries: 0 } })
   */
  postfix?: Postfix;
  /**
   * Milliseconds clock, for tests. Must never go backwards.
   * @default performance.now
   * @example progress.bar({ clock: () => fakeNow })
   */
  clock?: Clock;
}

/** Options after validation, with defaults filled in. */
export interface Resolved {
  desc: string;
  total: number | undefined;
  unit: string;
  bytes: boolean;
  unitScale: boolean | 'auto';
  unitDivisor: 1000 | 1024;
  initial: number;
  stream: OutputStream;
  minInterval: number;
  plainInterval: number;
  leave: boolean | undefined;
  parent: Bar | null | undefined;
  captureOutput: boolean;
  disable: boolean;
  rateWindow: number;
  width: number | undefined;
  postfix: string;
  clock: Clock;
}

/** The widest `width` accepted, in columns: wider than any terminal, and every frame stays small. */
export const MAX_WIDTH = 1000;

/** The `stream` option of a bar and of `progress.write()`: anything with a `write` method. */
export function checkStream(name: string, value: unknown): OutputStream {
  if (value === null || typeof value !== 'object' || typeof (value as OutputStream).write !== 'function') {
    throw typeError(name, 'a writable stream (an object with a `write` method)', value);
  }
  return value as OutputStream;
}

/** `total` as an option, or as `bar.set({ total })`, where `undefined` makes it unknown. */
export function checkTotal(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return checkNonNegative('total', value);
}

function checkUnit(name: string, value: unknown): string {
  const unit = checkString(name, value);
  if (unit === '') throw typeError(name, 'a non-empty string', unit);
  return unit;
}

function checkUnitScale(name: string, value: unknown): boolean | 'auto' {
  if (value !== 'auto' && typeof value !== 'boolean') throw typeError(name, "a boolean or 'auto'", value);
  return value;
}

function checkUnitDivisor(name: string, value: unknown): 1000 | 1024 {
  return checkNumber(name, value, '1000 or 1024', (d) => d === 1000 || d === 1024) as 1000 | 1024;
}

function checkWidth(name: string, value: unknown): number {
  const width = checkNonNegative(name, value);
  checkNumber(name, width, 'a positive integer', (w) => Number.isInteger(w) && w >= 1);
  // A line of 1e8 columns ran the process out of memory while drawing.
  return checkNumber(name, width, `an integer from 1 to ${MAX_WIDTH}`, (w) => w <= MAX_WIDTH);
}

function checkParent(name: string, value: unknown): Bar | null {
  if (value === null) return null;
  if (typeof value !== 'object' || typeof (value as { line?: unknown }).line !== 'function') {
    throw typeError(name, 'a bar (from progress.bar(), or an iterator\'s .bar) or null', value);
  }
  return value as Bar;
}

/**
 * The bar's options, checked in this order. `total`'s default is the source's (`resolveOptions` fills it
 * in), and `TAQADDUM_DISABLE` turns `disable` on whatever it says.
 */
const BAR_OPTIONS = optionSet({
  unit: { check: checkUnit, default: 'it' },
  stream: { check: checkStream, default: late(() => process.stderr) },
  unitScale: { check: checkUnitScale, default: 'auto' },
  unitDivisor: { check: checkUnitDivisor, default: 1000 },
  width: { check: checkWidth, default: undefined },
  rateWindow: { check: checkNonNegativeOrInfinity, default: 10_000 },
  desc: { check: checkString, default: '' },
  total: { check: checkNonNegative, default: undefined },
  initial: { check: checkNonNegative, default: 0 },
  minInterval: { check: checkNonNegative, default: 100 },
  plainInterval: { check: checkNonNegativeOrInfinity, default: 10_000 },
  leave: { check: checkBoolean, default: undefined },
  parent: { check: checkParent, default: undefined },
  captureOutput: { check: checkBoolean, default: true },
  disable: { check: checkBoolean, default: false },
  postfix: { check: (_name: string, value: unknown) => formatPostfix(value), default: '' },
  clock: { check: checkFunction<Clock>, default: defaultClock },
} satisfies { readonly [K in keyof BarOptions]-?: Option<Resolved[K]> }, { bytes: false });

/**
 * Validates the options shared by every bar and fills in defaults.
 * @param sourceTotal the total the source declares (its length or size), used when `total` is not given.
 * @param extraKeys options the caller handles itself (e.g. `weight`), accepted here without checks.
 */
export function resolveOptions(raw: unknown, sourceTotal?: number, extraKeys: readonly string[] = []): Resolved {
  const o = checkOptionsRecord(raw);
  const resolved = resolveTable(BAR_OPTIONS, o, extraKeys) as Omit<Resolved, 'bytes'> as Resolved;
  resolved.bytes = resolved.unit === 'B';
  if (o.total === undefined) resolved.total = sourceTotal;
  resolved.disable ||= envDisabled();
  return resolved;
}
