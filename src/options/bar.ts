/**
 * The options every bar takes (`BarOptions`, documented where they are declared), their table and
 * `resolveOptions()`: unknown keys, types, ranges, defaults, `TAQADDUM_DISABLE`, and the defaults the
 * environment sets (env-defaults.ts).
 */
import type { Clock } from '../core/clock.js';
import { defaultClock } from '../core/clock.js';
import { envDisabled } from '../env.js';
import { colorCode } from '../format/style.js';
import type { Template } from '../format/template.js';
import { parseTemplate } from '../format/template.js';
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
import type { OutputMode } from './env-defaults.js';
import { envMinInterval, envMode, envPlainInterval, envWidth, OUTPUT_MODES } from './env-defaults.js';
import { formatPostfix } from './postfix.js';
import type { Option } from './table.js';
import { late, optionSet, resolveTable } from './table.js';

/** Where bars are drawn: any object with `write(text)`; `isTTY`, `columns` and `rows` are read when present. */
export type { OutputMode };

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  rows?: number | undefined;
  /** Whether the terminal shows colours (Node's `tty.WriteStream` has it); read once when a bar is created. */
  hasColors?: (() => boolean) | undefined;
}

/**
 * What a `format` function is given: a fresh, frozen object per line. Times are in seconds, like the
 * bar's `elapsed`.
 */
export interface FormatState {
  /** The count so far (including `initial`). */
  readonly n: number;
  /** The expected final count, or `undefined` when unknown. */
  readonly total: number | undefined;
  /** The label, as given (colour codes included: the line is sanitised after). */
  readonly desc: string;
  /** The unit (`'it'`, `'B'`…). */
  readonly unit: string;
  /** Seconds since the bar started. */
  readonly elapsed: number;
  /** Units per second, or `undefined` before the first measure. */
  readonly rate: number | undefined;
  /** Seconds left, or `undefined` when unknown. */
  readonly eta: number | undefined;
  /** 0 to 100 (not rounded), or `undefined` without a total. */
  readonly percentage: number | undefined;
  /** Task bars: failures so far; 0 for other bars. */
  readonly failed: number;
  /** `progress.map`: calls running now; `undefined` otherwise. */
  readonly running: number | undefined;
  /** Task bars: seconds since anything settled, once that is `stallAfter` or more; else `undefined`. */
  readonly stalled: number | undefined;
  /** Whether the bar has ended (see `outcome` for how). */
  readonly done: boolean;
  /** How the bar stands: `'running'`, or how it ended: `'done'`, `'failed'`, `'aborted'`, `'stopped'`. */
  readonly outcome: 'running' | 'done' | 'failed' | 'aborted' | 'stopped';
  /** The postfix as shown (`k=v, k2=v2`), or `''`. */
  readonly postfix: string;
}

/** A `format` function: the whole line for a state, given the columns it may take. */
export type FormatFunction = (state: FormatState, width: number) => string;

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
   * @default 100, or `TAQADDUM_MIN_INTERVAL`
   * @example progress(rows, { minInterval: 50 })
   */
  minInterval?: number;
  /**
   * When the output is not a terminal (CI log, file, pipe): milliseconds between two status lines of a
   * running bar (a JSON line each with `mode: 'json'`). The final line is always written. `Infinity` writes
   * only the final line.
   * @default 10000, or `TAQADDUM_PLAIN_INTERVAL`
   * @example progress(rows, { plainInterval: 60_000 })
   */
  plainInterval?: number;
  /**
   * How the bars are written:
   * - `'auto'`: on a terminal, bars redrawn in place; plain lines when the output is not a terminal, when
   *   `TERM=dumb`, and in a CI job (`CI` set to anything but `''`, `0` or `false`), even with a terminal.
   * - `'live'`: bars redrawn in place with cursor codes, even when the stream does not say it is a
   *   terminal (a pseudo-terminal that is misjudged, a log viewer that replays cursor codes); 80 columns
   *   when the stream has no `columns`.
   * - `'plain'`: plain lines, even on a terminal: a status line per top-level bar every `plainInterval`,
   *   then the final line; no ``, no escape codes.
   * - `'json'`: the plain lines' schedule, but each line one JSON object (for log pipelines: Loki,
   *   CloudWatch, Datadog): `{"desc","n","total","unit","elapsed","rate","eta","percentage","failed",
   *   "running","stalled","done","outcome","postfix","timestamp"}`, plus `"report"` (lines) when the
   *   plain output would print lines under the bar. Times in seconds, `rate` per second, `timestamp` ISO 8601
   *   UTC; `null` for what is unknown (`total`, `rate`, `eta`, `percentage`) or does not apply (`running`
   *   outside `progress.map`, `stalled` unless a task bar is stalled); `failed` is 0 for a bar that is not
   *   a task bar. The last line of a bar has `"done": true` and its `outcome` (`done`, `failed`, `aborted`,
   *   `stopped`). Nested bars write nothing, as in plain output. See README: "Log pipelines".
   *
   * One stream has one mode at a time: the first bar opened on a stream sets it for every bar drawn
   * there until the last of them closes (the next bar starts afresh).
   * @default 'auto', or `TAQADDUM_MODE`
   * @example progress(rows, { mode: 'json' }) // {"desc":"rows","n":420,"total":1000,"unit":"it",…}
   */
  mode?: OutputMode;
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
   * Show progress in the terminal's tab or taskbar (the OSC 9;4 sequence), on a terminal only: Windows
   * Terminal, ConEmu, Ghostty, WezTerm, iTerm2 3.6.6+. The oldest live top-level bar with a total drives
   * it (its whole percent); without one, a live top-level bar shows "busy"; a bar that fails turns it red
   * until the last bar closes; it is cleared when the last bar closes, at exit and on Ctrl-C. `true` sends
   * it to any terminal (one that does not know it ignores it, except older iTerm2, which shows a
   * notification), `false` never.
   * @default true on the terminals above when they say so in the environment (not under tmux or screen), else false
   * @example progress(files, { taskbar: true }) // a terminal that does not say who it is
   */
  taskbar?: boolean | undefined;
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
   * @default the terminal's width (or `TAQADDUM_WIDTH`); unlimited when the output is not a terminal
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
   * The line's layout: a template of fields and text, or a function of the bar's state. A template names
   * fields in braces (`{desc}`, `{percentage}`, `{bar}`, `{n}`, `{total}`, `{unit}`, `{counts}`,
   * `{elapsed}`, `{eta}`, `{rate}`, `{postfix}`, `{status}`, `{spinner}`), styled with a suffix
   * (`{bar:green}`, `{desc:bold.cyan}`); text in `{[ … ]}` shows only when a field in it shows; `{{` and
   * `}}` are braces. `{bar}` takes the room left, and a narrow window drops fields in a fixed order (README:
   * "Templates"). A function gets a frozen `FormatState` and the width (80 for plain output, which is not
   * cut); its line is cut to the width and sanitised. If it throws, the bar shows its default line and
   * the error is reported once, as a process warning. An unknown field or style is a TypeError here.
   * @default the default layout: `'{[{desc}: ]}{[{percentage}{[|{bar}|]} ]}{counts}{[ [{[{elapsed}<{eta}, {rate}]}, {status}, {postfix}]]}'`
   *   (with a total), `'{[{spinner} ]}{[{desc}: ]}{counts}{[ [{[{elapsed}, {rate}]}, {status}, {postfix}]]}'` (without)
   * @example progress(files, { format: '{desc} {bar} {n}/{total} {eta}' })
   */
  format?: string | FormatFunction | undefined;
  /**
   * The bar's colour, as chalk names it: `black`, `red`, `green`, `yellow`, `blue`, `magenta`, `cyan`,
   * `white`, `gray`, or a bright variant (`cyanBright`). Shown only on a terminal with colours (not in
   * plain output; off with `NO_COLOR`, on with `FORCE_COLOR`). A coloured bar turns green when it
   * completes; any bar turns red when it fails. A colour in the template (`{bar:magenta}`) comes first.
   * @default none (the terminal's colour)
   * @example progress(rows, { color: 'cyan' })
   */
  color?: string | undefined;
  /**
   * Draw the bar with ASCII only, for terminals and fonts without block characters: `#` for a full cell
   * and a digit (1–9) for the tenths of the cell being filled (`45%|####5     |`), and `|/-\` for the spinner.
   * @default false
   * @example progress(rows, { ascii: true })
   */
  ascii?: boolean;
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
  mode: OutputMode;
  leave: boolean | undefined;
  parent: Bar | null | undefined;
  captureOutput: boolean;
  taskbar: boolean | undefined;
  disable: boolean;
  rateWindow: number;
  width: number | undefined;
  postfix: string;
  format: Template | FormatFunction | undefined;
  color: number | undefined;
  ascii: boolean;
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

/** `format`: a template, parsed now (an unknown field or style is a TypeError naming it), or a function. */
function checkFormat(name: string, value: unknown): Template | FormatFunction {
  if (typeof value === 'function') return value as FormatFunction;
  if (typeof value !== 'string') throw typeError(name, 'a template string or a function (state, width) => string', value);
  return parseTemplate(value, name);
}

function checkMode(name: string, value: unknown): OutputMode {
  if (!OUTPUT_MODES.includes(value as OutputMode)) throw typeError(name, "'auto', 'live', 'plain' or 'json'", value);
  return value as OutputMode;
}

/** `color`: a colour name, as its SGR code. */
function checkColor(name: string, value: unknown): number {
  const code = typeof value === 'string' ? colorCode(value) : undefined;
  if (code === undefined) {
    throw typeError(name, 'a colour name (black, red, green, yellow, blue, magenta, cyan, white, gray, or e.g. cyanBright)', value);
  }
  return code;
}

/**
 * The bar's options, checked in this order. `total`'s default is the source's (`resolveOptions` fills it
 * in), and `TAQADDUM_DISABLE` turns `disable` on whatever it says. The late defaults of `width`,
 * `minInterval`, `plainInterval` and `mode` are read from the environment (env-defaults.ts) only for a
 * bar that does not give the option.
 */
const BAR_OPTIONS = optionSet({
  unit: { check: checkUnit, default: 'it' },
  stream: { check: checkStream, default: late(() => process.stderr) },
  unitScale: { check: checkUnitScale, default: 'auto' },
  unitDivisor: { check: checkUnitDivisor, default: 1000 },
  width: { check: checkWidth, default: late(() => envWidth(MAX_WIDTH)) },
  rateWindow: { check: checkNonNegativeOrInfinity, default: 10_000 },
  desc: { check: checkString, default: '' },
  total: { check: checkNonNegative, default: undefined },
  initial: { check: checkNonNegative, default: 0 },
  minInterval: { check: checkNonNegative, default: late(envMinInterval) },
  plainInterval: { check: checkNonNegativeOrInfinity, default: late(envPlainInterval) },
  mode: { check: checkMode, default: late(envMode) },
  leave: { check: checkBoolean, default: undefined },
  parent: { check: checkParent, default: undefined },
  captureOutput: { check: checkBoolean, default: true },
  taskbar: { check: checkBoolean, default: undefined },
  disable: { check: checkBoolean, default: false },
  postfix: { check: (_name: string, value: unknown) => formatPostfix(value), default: '' },
  format: { check: checkFormat, default: undefined },
  color: { check: checkColor, default: undefined },
  ascii: { check: checkBoolean, default: false },
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
