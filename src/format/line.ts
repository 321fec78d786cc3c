/**
 * Pure formatting: a snapshot and a width in, one line out. The line never exceeds the width:
 * the bar takes what is left; a narrow width drops the bar, then the postfix, then the timings,
 * and finally truncates, so a line never wraps.
 */
import type { Snapshot } from '../core/state.js';
import { formatBytes, formatCount, formatDuration, formatRate } from './units.js';
import { displayWidth, sanitize, truncate } from './width.js';

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
  return s.bytes ? formatBytes(value) : formatCount(value, s.unitScale);
}

/** The parts of a line, before fitting. */
interface Parts {
  desc: string;
  percent: string | undefined; // "42%"
  counts: string; // "420/1000" or "420 it"
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

export function parts(s: Snapshot): Parts {
  const failed = s.outcome === 'failed' || s.outcome === 'aborted' ? '✗ ' : '';
  const rate = formatRate(s.rate, s.unit, s.bytes);
  if (s.total !== undefined && s.total > 0) {
    const ratio = s.n / s.total;
    const pct = Math.floor(ratio * 100);
    return {
      desc: sanitize(s.desc),
      percent: `${String(Number.isFinite(pct) ? pct : 0).padStart(3)}%`,
      counts: `${failed}${amount(s, s.n)}/${amount(s, s.total)}`,
      timing: `${formatDuration(s.elapsed)}<${formatDuration(s.eta)}, ${rate}`,
      postfix: sanitize(s.postfix),
      status: taskStatus(s),
      fraction: ratio,
    };
  }
  return {
    desc: sanitize(s.desc),
    percent: undefined,
    counts: s.bytes ? `${failed}${formatBytes(s.n)}` : `${failed}${formatCount(s.n, s.unitScale)} ${s.unit}`,
    timing: `${formatDuration(s.elapsed)}, ${rate}`,
    postfix: sanitize(s.postfix),
    status: taskStatus(s),
    fraction: undefined,
  };
}

function assemble(
  p: Parts,
  desc: string,
  barWidth: number,
  withPostfix: boolean,
  withTiming: boolean,
  withStatus = withTiming,
): string {
  let line = desc ? `${desc}: ` : '';
  if (p.percent !== undefined) {
    line += p.percent;
    line += barWidth > 0 ? `|${renderBar(p.fraction ?? 0, barWidth)}| ` : ' ';
  }
  line += p.counts;
  const status = withStatus && p.status ? `, ${p.status}` : '';
  if (withTiming) line += ` [${p.timing}${status}${withPostfix && p.postfix ? `, ${p.postfix}` : ''}]`;
  else if (status) line += ` [${status.slice(2)}]`;
  else if (withPostfix && p.postfix) line += ` ${p.postfix}`;
  return line;
}

/**
 * Formats one bar as one line of at most `width` columns.
 * @example formatLine(snapshot, 60) // "rows:  42%|█████▏       | 420/1000 [00:03<00:04, 123 it/s]"
 */
export function formatLine(s: Snapshot, width: number): string {
  const p = parts(s);
  if (width <= 0) return '';
  let desc = p.desc;
  const withoutBar = displayWidth(assemble(p, '', 0, true, true));
  const hasBar = p.percent !== undefined;
  const descWidth = desc ? displayWidth(desc) + 2 : 0; // "desc: "
  // A long desc is cut before it squeezes the bar below a comfortable size (but keeps a third of the width).
  const barBudget = hasBar ? COMFORTABLE_BAR + 2 : 0; // "|" + bar + "|" replaces one space
  if (desc && descWidth + withoutBar + barBudget > width) {
    const room = Math.max(width - withoutBar - barBudget, Math.floor(width / 3)) - 2;
    desc = room > 0 ? truncate(desc, room) : '';
  }
  const used = (desc ? displayWidth(desc) + 2 : 0) + withoutBar;
  if (hasBar) {
    const barWidth = width - used - 2;
    if (barWidth >= MIN_BAR) return assemble(p, desc, barWidth, true, true);
  }
  // No room for a bar: drop the postfix, then the timings; the desc may shrink but keeps a few columns
  // so that several bars stay told apart; the counts are never cut while the desc can still give way.
  // A task bar's status ("3 failed, stalled 42s") outlives the timings.
  for (const [withPostfix, withTiming, withStatus] of [
    [true, true, true],
    [false, true, true],
    [false, false, true],
    [false, false, false],
  ] as const) {
    if (withStatus && !withTiming && !p.status) continue;
    const rest = displayWidth(assemble(p, '', 0, withPostfix, withTiming, withStatus));
    if (!desc) {
      if (rest <= width) return assemble(p, '', 0, withPostfix, withTiming, withStatus);
      continue;
    }
    const room = width - rest - 2;
    if (room >= Math.min(displayWidth(desc), MIN_DESC)) {
      return assemble(p, truncate(desc, room), 0, withPostfix, withTiming, withStatus);
    }
  }
  const bare = assemble(p, '', 0, false, false);
  return displayWidth(bare) <= width ? bare : truncate(bare, width);
}
