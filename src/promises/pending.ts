/**
 * What is still pending: the tracker interface task bars read, and the report printed under a bar that
 * closes unfinished (failure, abort, `break`, process exit):
 *
 *       3 still pending, oldest first:
 *         #17    52s  https://example.org/a
 *         #230   52s  https://example.org/b
 *         … and 1 more
 */
import { formatStall } from '../format/line.js';
import { sanitize } from '../format/sanitize.js';
import { truncate } from '../format/width.js';

/** At most this many pending inputs are named in a report. */
export const REPORTED = 5;

export interface PendingEntry {
  /** The input's position. */
  readonly index: number;
  /** Clock time (ms) at which it was taken from the source or its call started. */
  readonly since: number;
  /** `label(item, index)`, when a label function was given, as it returned it (sanitised where it is shown). */
  readonly label: string | undefined;
}

/** What a task bar needs to know about the work it tracks. */
export interface TaskTracker {
  /** Inputs or calls not settled yet. */
  pendingCount(): number;
  /** Calls running now (shown as `8 running`), or `undefined` when the bar should not show it. */
  runningCount(): number | undefined;
  /**
   * The oldest pending inputs (by start time, then index), at most `max`: O(max) amortised, never a scan
   * of every input (a frame asks for it while there are stragglers).
   */
  oldestPending(max: number): PendingEntry[];
  /** How many pending inputs started before `cutoff` (clock ms): the slow ones, for the straggler rule. */
  slowCount(cutoff: number): number;
  /**
   * The clock time every input started at, when they all started together (`gather`, `asCompleted`,
   * promise arrays): the bar then times settlements itself, to its laps. `undefined` (map): the tracker
   * tells the bar each settle time (`TaskProgressBar.settledAfter`).
   */
  startedTogetherAt(): number | undefined;
}

/**
 * Calls a user's `label(item, index)`; a label that throws is ignored, a non-string one is made a string.
 * The text is returned as it is: `nameOf` and the pending report sanitise it for where it is shown.
 */
export function safeLabel<T>(
  label: ((item: T, index: number) => string) | undefined,
  item: T,
  index: number,
): string | undefined {
  if (label === undefined) return undefined;
  try {
    const text = label(item, index);
    return typeof text === 'string' ? text : text === undefined || text === null ? undefined : String(text);
  } catch {
    return undefined;
  }
}

/** `#17` or `#17 (https://…)`, for error messages (plain text: the label's escape codes removed). */
export function nameOf(index: number, label: string | undefined): string {
  const shown = label === undefined ? '' : sanitize(label, false);
  return shown === '' ? `#${index}` : `#${index} (${shown})`;
}

/**
 * The report lines, each at most `width` columns (`Infinity`: not cut).
 * @param colors the report goes to a terminal: labels keep their SGR colour codes (see format/sanitize.ts).
 */
export function formatPendingReport(
  entries: readonly PendingEntry[],
  pending: number,
  now: number,
  width: number,
  colors = false,
): string[] {
  if (pending <= 0 || entries.length === 0) return [];
  const head = pending === 1 ? '  1 still pending:' : `  ${pending} still pending, oldest first:`;
  const ids = entries.map((e) => `#${e.index}`);
  const ages = entries.map((e) => formatStall((now - e.since) / 1000));
  const idWidth = Math.max(...ids.map((s) => s.length));
  const ageWidth = Math.max(...ages.map((s) => s.length));
  const lines = [head];
  entries.forEach((e, i) => {
    let line = `    ${(ids[i] ?? '').padEnd(idWidth)}  ${(ages[i] ?? '').padStart(ageWidth)}`;
    const label = e.label === undefined ? '' : sanitize(e.label, colors);
    if (label) line += `  ${label}`;
    lines.push(line);
  });
  if (pending > entries.length) lines.push(`    … and ${pending - entries.length} more`);
  return lines.map((l) => truncate(l, width));
}
