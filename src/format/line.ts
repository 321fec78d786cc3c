/**
 * Pure formatting: a snapshot and a width in, one line out. The line never exceeds the width: the bar takes
 * what is left; a narrow width drops the bar, then the postfix, the timings and the percentage, then
 * shortens the desc, and finally truncates, so a line never wraps (see `formatLine`). The default layout is
 * a template (`DEFAULT_TEMPLATE`; `DEFAULT_UNKNOWN_TEMPLATE` without a total), laid out by template.ts like
 * any `format` template the user gives.
 */
import type { Snapshot } from '../core/state.js';
import { formatBytes, formatCount, formatDuration, formatRate } from './units.js';
import { sanitize } from './sanitize.js';
import { colorCode } from './style.js';
import type { Fields, Template } from './template.js';
import {
  COUNTS,
  DESC,
  ELAPSED,
  ETA,
  fitTemplate,
  N,
  parseTemplate,
  PERCENTAGE,
  POSTFIX,
  RATE,
  SPINNER,
  STATUS,
  TOTAL,
  UNIT,
} from './template.js';
import { displayWidth } from './width.js';

const PARTIALS = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
/** `ascii: true`: tqdm's ASCII bar: `#` for a full cell, a digit for the tenths of the cell being filled. */
const ASCII_PARTIALS = ' 123456789';
const ASCII_FULL = '#';

/** The bar body: `width` cells filled to `fraction` in eighths (`ascii`: in tenths, with `#` and digits). */
export function renderBar(fraction: number, width: number, ascii = false): string {
  const f = fraction > 1 ? 1 : fraction > 0 ? fraction : 0;
  const steps = ascii ? 10 : 8;
  const parts = Math.floor(f * width * steps);
  const full = Math.floor(parts / steps);
  const fullCell = ascii ? ASCII_FULL : FULL;
  if (full >= width) return fullCell.repeat(width);
  const partial = ascii ? (ASCII_PARTIALS[parts % 10] as string) : (PARTIALS[parts % 8] as string);
  return fullCell.repeat(full) + partial + ' '.repeat(width - full - 1);
}

function renderAsciiBar(fraction: number, width: number): string {
  return renderBar(fraction, width, true);
}

/** The spinner's frames (a running bar on a terminal): the next one every 100 ms of the bar's time. */
export const SPINNER_FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
/** The spinner's frames with `ascii: true`. */
export const ASCII_SPINNER_FRAMES = '|/-\\';
/** Milliseconds per spinner frame. */
const SPINNER_STEP = 100;

/** The spinner's frame at `elapsed` seconds: pure (derived from the bar's time, not from a frame count). */
export function spinnerFrame(elapsed: number, ascii = false): string {
  const frames = ascii ? ASCII_SPINNER_FRAMES : SPINNER_FRAMES;
  const i = Math.floor((elapsed * 1000) / SPINNER_STEP) % frames.length;
  return frames[i > 0 ? i : 0] as string;
}

/**
 * The default layout with a known total: `rows:  42%|████▍     | 420/1000 [00:03<00:04, 123 it/s]`, a task
 * bar's status and the postfix inside the brackets.
 */
export const DEFAULT_TEMPLATE =
  '{[{desc}: ]}{[{percentage}{[|{bar}|]} ]}{counts}{[ [{[{elapsed}<{eta}, {rate}]}, {status}, {postfix}]]}';
/** The default layout without a total: `⠹ lines: 4200 it [00:03, 1.31k it/s]` (the spinner on a terminal only). */
export const DEFAULT_UNKNOWN_TEMPLATE = '{[{spinner} ]}{[{desc}: ]}{counts}{[ [{[{elapsed}, {rate}]}, {status}, {postfix}]]}';

let defaults: readonly [Template, Template] | undefined;

/** The two default templates (known total, unknown total), parsed on first use. */
function defaultTemplates(): readonly [Template, Template] {
  defaults ??= [parseTemplate(DEFAULT_TEMPLATE), parseTemplate(DEFAULT_UNKNOWN_TEMPLATE)];
  return defaults;
}

/** How a bar's lines look: its template (or the default layout), bar colour, ASCII. Worked out once per bar. */
export interface Look {
  /** The `format` template; `undefined`: the default layout. */
  readonly template: Template | undefined;
  /** The bar's colour code (the `color` option), if any. */
  readonly color: number | undefined;
  /** Draw the bar and the spinner with ASCII only. */
  readonly ascii: boolean;
  /** Colours are on (the stream is a terminal with colours, or FORCE_COLOR; see env.ts), when the line goes to a terminal. */
  readonly paint: boolean;
}

export const DEFAULT_LOOK: Look = { template: undefined, color: undefined, ascii: false, paint: false };

const RED = colorCode('red');
const GREEN = colorCode('green');

function amount(s: Snapshot, value: number): string {
  const divisor = s.unitDivisor ?? 1000;
  return s.bytes ? formatBytes(value, divisor === 1024) : formatCount(value, s.unitScale, divisor);
}

/** How long a stall has lasted, short: "<1s", "42s", "3m05s", "2h07m". */
export function formatStall(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) return '<1s';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/**
 * The task fields of a snapshot (task bars only): what runs, what failed, what is slow (stragglers), whether
 * it is stuck: `8 running, 1 failed, 2 slow`, `3 pending, 3 slow, stalled 42s`.
 */
export function taskStatus(s: Snapshot): string {
  const t = s.tasks;
  if (t === undefined) return '';
  const running = s.outcome === 'running';
  const out: string[] = [];
  if (running && t.running !== undefined) out.push(`${t.running} running`);
  if (t.failed > 0) out.push(`${t.failed} failed`);
  const stalled = running && t.stalled !== undefined;
  if (stalled && t.running === undefined) out.push(`${t.pending} pending`);
  if (running && t.slow !== undefined && t.slow > 0) out.push(`${t.slow} slow`);
  if (stalled) out.push(`stalled ${formatStall(t.stalled as number)}`);
  return out.join(', ');
}

/**
 * Time left, rounded up to whole seconds: `00:00` only once nothing is left. A bar that says it is
 * stalled makes no claim of time left (`?`): its rate is falling and no estimate would hold.
 */
function remaining(s: Snapshot): string {
  if (s.eta === undefined) return '?';
  if (s.total === undefined || s.n >= s.total) return formatDuration(Math.ceil(s.eta));
  return s.tasks?.stalled !== undefined ? '?' : formatDuration(Math.max(1, Math.ceil(s.eta)));
}

/**
 * The field values of a line, for `template`. User text (desc, unit, postfix) is sanitised here: with
 * `colors` (a terminal) its SGR colour codes are kept, without them every escape sequence is removed.
 * Fields that do not apply are '': no total (`percentage`, `total`, `eta`), no postfix, no task status, the
 * spinner in plain output or once the bar has ended.
 */
export function fieldValues(s: Snapshot, template: Template, colors = false, look: Look = DEFAULT_LOOK): Fields {
  const values = new Array<string>(13).fill('');
  const failed = s.outcome === 'failed' || s.outcome === 'aborted';
  const mark = failed ? '✗ ' : '';
  const unit = sanitize(s.unit, colors);
  const uses = template.uses;
  values[DESC] = sanitize(s.desc, colors);
  values[UNIT] = s.bytes ? 'B' : unit;
  values[RATE] = formatRate(s.rate, unit, s.bytes, s.unitDivisor);
  values[POSTFIX] = sanitize(s.postfix, colors);
  values[STATUS] = taskStatus(s);
  values[ELAPSED] = formatDuration(s.elapsed);
  values[N] = amount(s, s.n);
  const paint = colors && look.paint;
  let fraction: number | undefined;
  let growth = 0;
  if (s.total !== undefined && s.total > 0) {
    fraction = s.n / s.total;
    const pct = Math.floor(fraction * 100);
    const final = amount(s, s.total);
    values[PERCENTAGE] = `${String(Number.isFinite(pct) ? pct : 0).padStart(3)}%`;
    values[TOTAL] = final;
    values[ETA] = remaining(s);
    values[COUNTS] = `${mark}${values[N]}/${final}`;
    // Room kept for the counts at their widest ("1000/1000"), so that what is shown does not come and go
    // as they grow.
    const finalWidth = displayWidth(final);
    if (uses[COUNTS] === true) growth += Math.max(0, 2 * finalWidth + 1 - displayWidth(values[COUNTS]));
    if (uses[N] === true) growth += Math.max(0, finalWidth - displayWidth(values[N]));
  } else {
    if (s.total !== undefined) values[TOTAL] = amount(s, s.total);
    values[COUNTS] = s.bytes ? `${mark}${values[N]}` : `${mark}${values[N]} ${unit}`;
  }
  if (colors && s.outcome === 'running' && uses[SPINNER] === true) values[SPINNER] = spinnerFrame(s.elapsed, look.ascii);
  return {
    values,
    fraction,
    drawBar: look.ascii ? renderAsciiBar : renderBar,
    paint,
    // A failed bar turns red; a coloured bar (`color`, or a colour on `{bar:…}`) turns green when done.
    barColor: look.color,
    outcomeColor: !paint ? undefined : failed ? RED : s.outcome === 'done' && (look.color !== undefined || template.barColored) ? GREEN : undefined,
    growth,
  };
}

/**
 * Formats one bar as one line of at most `width` columns (`Infinity`: nothing is dropped or cut, for plain
 * output), with the bar's template (`look.template`, else the default layout). When the width is short the
 * line gives up, in this order: the bar, the postfix, the timings, the percentage; then the desc is
 * shortened (to a few columns) and dropped; then a task bar's status (`8 running, stalled 42s`), which so
 * outlives the timings; then the spinner; the counts go last (cut). Room is kept for the counts at their
 * widest (`1000/1000`), so that what is shown does not come and go as they grow.
 * @param colors the line goes to a terminal: user text keeps its SGR colour codes (see sanitize.ts), the
 *   spinner turns, and styles apply if `look.paint` says the terminal has colours.
 * @example formatLine(snapshot, 60) // "rows:  42%|█████▏       | 420/1000 [00:03<00:04, 123 it/s]"
 */
export function formatLine(s: Snapshot, width: number, colors = false, look: Look = DEFAULT_LOOK): string {
  if (!(width > 0)) return '';
  const known = s.total !== undefined && s.total > 0;
  const template = look.template ?? (defaultTemplates()[known ? 0 : 1] as Template);
  return fitTemplate(template, fieldValues(s, template, colors, look), width);
}
