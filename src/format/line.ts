/**
 * Pure formatting: a snapshot and a width in, one line out. The line never exceeds the width:
 * the bar takes what is left; a narrow width drops the bar, then the postfix, the timings and the
 * percentage, then shortens the desc, and finally truncates, so a line never wraps (see `formatLine`).
 */
import type { Snapshot } from '../core/state.js';
import { formatBytes, formatCount, formatDuration, formatRate } from './units.js';
import { sanitize } from './sanitize.js';
import { displayWidth, truncate } from './width.js';

const PARTIALS = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
/** Below this many columns the bar is not worth drawing. */
const MIN_BAR = 4;
/** Columns a cut desc keeps at the least (with its "…") before it is dropped. */
const MIN_DESC = 4;
/** The desc is cut before the bar shrinks below this. */
const COMFORTABLE_BAR = 10;

/** The bar body: `width` cells filled to `fraction` in eighths. */
export function renderBar(fraction: number, width: number): string {
  const f = fraction > 1 ? 1 : fraction > 0 ? fraction : 0;
  const eighths = Math.floor(f * width * 8);
  const full = Math.floor(eighths / 8);
  if (full >= width) return FULL.repeat(width);
  return FULL.repeat(full) + PARTIALS[eighths % 8] + ' '.repeat(width - full - 1);
}

function amount(s: Snapshot, value: number): string {
  const divisor = s.unitDivisor ?? 1000;
  return s.bytes ? formatBytes(value, divisor === 1024) : formatCount(value, s.unitScale, divisor);
}

/** The parts of a line, before fitting. */
interface Parts {
  desc: string;
  percent: string | undefined; // "42%"
  counts: string; // "420/1000" or "420 it"
  /** Columns the counts can take at most while the bar runs ("1000/1000"): room kept for them when fitting. */
  countsWidth: number;
  timing: string; // "00:03<00:04, 123 it/s" or "00:03, 123 it/s"
  postfix: string;
  /** Task bars: "8 running, 3 failed, stalled 42s" (kept longer than the timing when space is short). */
  status: string;
  fraction: number | undefined;
}

/** How long a stall has lasted, short: "<1s", "42s", "3m05s", "2h07m". */
export function formatStall(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) return '<1s';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** The task fields of a snapshot (task bars only): what runs, what failed, whether it is stuck. */
export function taskStatus(s: Snapshot): string {
  const t = s.tasks;
  if (t === undefined) return '';
  const running = s.outcome === 'running';
  const out: string[] = [];
  if (running && t.running !== undefined) out.push(`${t.running} running`);
  if (t.failed > 0) out.push(`${t.failed} failed`);
  if (running && t.stalled !== undefined) {
    if (t.running === undefined) out.push(`${t.pending} pending`);
    out.push(`stalled ${formatStall(t.stalled)}`);
  }
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
 * The parts of a line. User text (desc, unit, postfix) is sanitised here: with `colors` (a terminal) its
 * SGR colour codes are kept, without them every escape sequence is removed.
 */
export function parts(s: Snapshot, colors = false): Parts {
  const failed = s.outcome === 'failed' || s.outcome === 'aborted' ? '✗ ' : '';
  const unit = sanitize(s.unit, colors);
  const rate = formatRate(s.rate, unit, s.bytes, s.unitDivisor);
  const desc = sanitize(s.desc, colors);
  const postfix = sanitize(s.postfix, colors);
  const status = taskStatus(s);
  if (s.total !== undefined && s.total > 0) {
    const ratio = s.n / s.total;
    const pct = Math.floor(ratio * 100);
    const final = amount(s, s.total);
    const counts = `${failed}${amount(s, s.n)}/${final}`;
    return {
      desc,
      percent: `${String(Number.isFinite(pct) ? pct : 0).padStart(3)}%`,
      counts,
      countsWidth: Math.max(displayWidth(counts), 2 * displayWidth(final) + 1),
      timing: `${formatDuration(s.elapsed)}<${remaining(s)}, ${rate}`,
      postfix,
      status,
      fraction: ratio,
    };
  }
  const counts = s.bytes ? `${failed}${amount(s, s.n)}` : `${failed}${amount(s, s.n)} ${unit}`;
  return {
    desc,
    percent: undefined,
    counts,
    countsWidth: displayWidth(counts),
    timing: `${formatDuration(s.elapsed)}, ${rate}`,
    postfix,
    status,
    fraction: undefined,
  };
}

/** What a line keeps of its parts (the desc and the bar are given apart). */
interface Keep {
  postfix: boolean;
  timing: boolean;
  percent: boolean;
  status: boolean;
}

const ALL: Keep = { postfix: true, timing: true, percent: true, status: true };

/** Colour codes at the end of a desc (`chalk.bold('rows:')` ends in one): not what it ends with. */
// eslint-disable-next-line no-control-regex
const TRAILING_SGR = /(?:\u001B\[[0-9;:]*m)+$/;

/** What follows a desc: `: `, or a space after a desc that ends in a colon of its own (`rows:`). */
function separator(desc: string): string {
  const text = desc.includes('\u001B') ? desc.replace(TRAILING_SGR, '') : desc;
  return text.endsWith(':') ? ' ' : ': ';
}

/** Columns a desc takes with its separator (0 for none). */
function descColumns(desc: string): number {
  return desc ? displayWidth(desc) + separator(desc).length : 0;
}

function assemble(p: Parts, desc: string, barWidth: number, keep: Keep): string {
  let line = desc ? desc + separator(desc) : '';
  if (p.percent !== undefined && keep.percent) {
    line += p.percent;
    line += barWidth > 0 ? `|${renderBar(p.fraction ?? 0, barWidth)}| ` : ' ';
  }
  line += p.counts;
  const status = keep.status && p.status ? `, ${p.status}` : '';
  if (keep.timing) line += ` [${p.timing}${status}${keep.postfix && p.postfix ? `, ${p.postfix}` : ''}]`;
  else if (status) line += ` [${status.slice(2)}]`;
  return line;
}

/**
 * Without a bar, what a line gives up as the width shrinks, in order: the postfix, the timings, the
 * percentage (the counts say as much), the status last. The desc is shortened, then dropped, before the
 * status goes (see `formatLine`).
 */
const NARROWER: readonly Keep[] = [
  ALL,
  { postfix: false, timing: true, percent: true, status: true },
  { postfix: false, timing: false, percent: true, status: true },
  { postfix: false, timing: false, percent: false, status: true },
  { postfix: false, timing: false, percent: false, status: false },
];

/** A line with no width limit (plain output): the bar takes what an 80-column line leaves, at least 10 cells. */
const UNBOUNDED_BAR_LINE = 80;

/**
 * Formats one bar as one line of at most `width` columns (`Infinity`: nothing is dropped or cut, for plain
 * output). When the width is short the line gives up, in this order: the bar, the postfix, the timings,
 * the percentage; then the desc is shortened (to a few columns) and dropped; then a task bar's status
 * (`8 running, stalled 42s`), which so outlives the timings; the counts go last (cut). Room is kept for
 * the counts at their widest (`1000/1000`), so that what is shown does not come and go as they grow.
 * @param colors the line goes to a terminal: user text keeps its SGR colour codes (see sanitize.ts).
 * @example formatLine(snapshot, 60) // "rows:  42%|█████▏       | 420/1000 [00:03<00:04, 123 it/s]"
 */
export function formatLine(s: Snapshot, width: number, colors = false): string {
  if (!(width > 0)) return '';
  const p = parts(s, colors);
  const hasBar = p.percent !== undefined;
  const descWidth = descColumns(p.desc); // "desc: "
  if (width === Infinity) {
    if (!hasBar) return assemble(p, p.desc, 0, ALL);
    const rest = descWidth + displayWidth(assemble(p, '', 0, ALL));
    return assemble(p, p.desc, Math.max(UNBOUNDED_BAR_LINE - rest - 2, COMFORTABLE_BAR), ALL);
  }
  // Columns the counts may still grow by: every fit below is judged as if they had.
  const growth = p.countsWidth - displayWidth(p.counts);
  if (hasBar) {
    const rest = displayWidth(assemble(p, '', 0, ALL)) + growth;
    // A long desc is cut before it squeezes the bar below a comfortable size (but keeps a third of the width).
    let desc = p.desc;
    if (desc && descWidth + rest + COMFORTABLE_BAR + 2 > width) {
      const room = Math.max(width - rest - COMFORTABLE_BAR - 2, Math.floor(width / 3)) - 2;
      desc = room >= MIN_DESC ? truncate(desc, room) : '';
    }
    const barWidth = width - descColumns(desc) - rest - 2; // "|" + bar + "|" replaces a space
    if (barWidth >= MIN_BAR) return assemble(p, desc, barWidth + growth, ALL);
  }
  for (const keep of NARROWER) {
    if (keep.status && !keep.percent && !p.status) continue; // the same as the next one
    const rest = displayWidth(assemble(p, '', 0, keep)) + growth;
    if (p.desc && descWidth + rest <= width) return assemble(p, p.desc, 0, keep);
    // The desc is shortened only once the timings and the percentage are gone; it keeps a few columns, so
    // that several bars stay told apart, or goes.
    if (keep.percent && p.desc) continue;
    const room = width - rest - 2;
    if (p.desc && room >= MIN_DESC) return assemble(p, truncate(p.desc, room), 0, keep);
    if (rest <= width) return assemble(p, '', 0, keep);
  }
  const bare = assemble(p, '', 0, NARROWER[NARROWER.length - 1] as Keep);
  return displayWidth(bare) <= width ? bare : truncate(bare, width);
}
