/**
 * Public options of a bar, documented where they are declared, and their validation.
 */
import type { Clock } from './core/clock.js';
import { defaultClock } from './core/clock.js';
import {
  checkBoolean,
  checkFunction,
  checkNonNegative,
  checkNonNegativeOrInfinity,
  checkString,
  rangeError,
  typeError,
} from './core/errors.js';
import { envDisabled } from './env.js';
import type { Bar, Postfix } from './bar-api.js';

/** Where bars are drawn: any object with `write(text)`; `isTTY`, `columns` and `rows` are read when present. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  rows?: number | undefined;
}

export type { Postfix };

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
   * How far back the rate estimate looks, in seconds: a step this old counts for 10% of a new one.
   * `0` shows the latest step's rate; `Infinity` the average since the start.
   * @default 10
   * @example progress(rows, { rateWindow: 30 }) // steadier ETA for bursty work
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

/** Options of `progress(iterable)`. */
export interface IterableOptions<T> extends BarOptions {
  /**
   * How much one item advances the bar. With `unit: 'B'`, Buffers, Uint8Arrays and strings count their
   * byte length by default; otherwise each item counts 1.
   * @default () => 1 (bytes: the item's byte length)
   * @example progress(batches, { weight: (batch) => batch.length, total: rowCount })
   */
  weight?: ((item: T) => number) | undefined;
  /**
   * Stops the loop when aborted: the bar closes at once as aborted (`✗`), the source is told to stop
   * (a generator's `finally` runs), and the loop's next step throws `signal.reason` (an async loop's
   * pending step rejects with it right away).
   * @default none
   * @example for await (const row of progress(rows, { signal: AbortSignal.timeout(60_000) })) { … }
   */
  signal?: AbortSignal | undefined;
}

/** Options after validation, with defaults filled in. */
export interface Resolved {
  desc: string;
  total: number | undefined;
  unit: string;
  bytes: boolean;
  unitScale: boolean | 'auto';
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

const KNOWN = new Set([
  'desc', 'total', 'unit', 'unitScale', 'initial', 'stream', 'minInterval', 'plainInterval', 'leave',
  'disable', 'rateWindow', 'width', 'postfix', 'clock', 'parent', 'captureOutput',
]);

export function checkOptionsObject(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw typeError('options', 'an object', options);
  }
  return options as Record<string, unknown>;
}

type Inspect = (value: unknown, options: object) => string;
let inspect: Inspect | undefined;

/**
 * A postfix value: a fractional number with 3 significant digits (`0.25`, `12.3`, and exponent form
 * outside 1e-4 … 1e3: `1.23e+08`, `1.00e-05`); objects, arrays and functions one line as Node's
 * `util.inspect` shows them (`[ 1, 2 ]`, `{ a: 1 }`), node:util being loaded the first time one is shown;
 * anything else as `String()` makes it. Escape codes are dealt with when the line is drawn.
 */
function formatPostfixValue(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    const exp = v.toExponential(2); // rounded first: 999.7 is "1.00e+3", shown in exponent form
    const e = Number(exp.slice(exp.indexOf('e') + 1));
    if (e >= -4 && e < 3) return String(Number(v.toPrecision(3)));
    const mark = exp.indexOf('e') + 2; // after the exponent's sign: two digits at least, "1.00e-05"
    return exp.length - mark < 2 ? `${exp.slice(0, mark)}0${exp.slice(mark)}` : exp;
  }
  if ((typeof v === 'object' && v !== null) || typeof v === 'function' || typeof v === 'symbol') {
    inspect ??= process.getBuiltinModule('node:util').inspect as Inspect;
    return inspect(v, { breakLength: Infinity, depth: 2, maxArrayLength: 20, maxStringLength: 100, colors: false });
  }
  return String(v);
}

/** Renders a postfix: strings as they are, records as `key=value` pairs (values: see `formatPostfixValue`). */
export function formatPostfix(postfix: unknown): string {
  if (postfix === undefined || postfix === null) return '';
  if (typeof postfix === 'string') return postfix;
  if (typeof postfix !== 'object' || Array.isArray(postfix)) throw typeError('postfix', 'a string or an object', postfix);
  return Object.entries(postfix as Record<string, unknown>)
    .map(([k, v]) => `${k}=${formatPostfixValue(v)}`)
    .join(', ');
}

function checkParent(value: unknown): Bar | null | undefined {
  if (value === undefined || value === null) return value;
  if (value === null || typeof value !== 'object' || typeof (value as { line?: unknown }).line !== 'function') {
    throw typeError('parent', 'a bar (from progress.bar(), or an iterator\'s .bar) or null', value);
  }
  return value as Bar;
}

export function checkTotal(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return checkNonNegative('total', value);
}

/**
 * Validates the options shared by every bar and fills in defaults.
 * @param extraKeys options the caller handles itself (e.g. `weight`), accepted here without checks.
 */
export function resolveOptions(raw: unknown, sourceTotal?: number, extraKeys: readonly string[] = []): Resolved {
  const o = checkOptionsObject(raw);
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key) && !extraKeys.includes(key)) throw new TypeError(`Unknown option \`${key}\``);
  }
  const unit = o.unit === undefined ? 'it' : checkString('unit', o.unit);
  if (unit === '') throw typeError('unit', 'a non-empty string', unit);
  const stream = o.stream === undefined ? process.stderr : o.stream;
  if (stream === null || typeof stream !== 'object' || typeof (stream as OutputStream).write !== 'function') {
    throw typeError('stream', 'a writable stream (an object with a `write` method)', stream);
  }
  const unitScale = o.unitScale === undefined ? 'auto' : o.unitScale;
  if (unitScale !== 'auto' && typeof unitScale !== 'boolean') throw typeError('unitScale', "a boolean or 'auto'", unitScale);
  let width: number | undefined;
  if (o.width !== undefined) {
    width = checkNonNegative('width', o.width);
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`Expected \`width\` to be a positive integer, got \`${width}\` (number)`);
    // A line of 1e8 columns ran the process out of memory while drawing.
    if (width > MAX_WIDTH) throw rangeError('width', `an integer from 1 to ${MAX_WIDTH}`, width);
  }
  const rateWindow = o.rateWindow === undefined ? 10 : checkNonNegativeOrInfinity('rateWindow', o.rateWindow);
  return {
    desc: o.desc === undefined ? '' : checkString('desc', o.desc),
    total: o.total === undefined ? sourceTotal : checkTotal(o.total),
    unit,
    bytes: unit === 'B',
    unitScale,
    initial: o.initial === undefined ? 0 : checkNonNegative('initial', o.initial),
    stream: stream as OutputStream,
    minInterval: o.minInterval === undefined ? 100 : checkNonNegative('minInterval', o.minInterval),
    plainInterval: o.plainInterval === undefined ? 10_000 : checkNonNegativeOrInfinity('plainInterval', o.plainInterval),
    leave: o.leave === undefined ? undefined : checkBoolean('leave', o.leave),
    parent: checkParent(o.parent),
    captureOutput: o.captureOutput === undefined ? true : checkBoolean('captureOutput', o.captureOutput),
    disable: (o.disable === undefined ? false : checkBoolean('disable', o.disable)) || envDisabled(),
    rateWindow,
    width,
    postfix: formatPostfix(o.postfix),
    clock: o.clock === undefined ? defaultClock : checkFunction<Clock>('clock', o.clock),
  };
}
