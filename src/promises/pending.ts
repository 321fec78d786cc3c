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
import { sanitize, truncate } from '../format/width.js';

/** At most this many pending inputs are named in a report. */
export const REPORTED = 5;

export interface PendingEntry {
  /** The input's position. */
  readonly index: number;
  /** Clock time (ms) at which it was taken from the source or its call started. */
  readonly since: number;
  /** `label(item, index)`, when a label function was given. */
  readonly label: string | undefined;
}

/** What a task bar needs to know about the work it tracks. */
export interface TaskTracker {
  /** Inputs or calls not settled yet. */
  pendingCount(): number;
  /** Calls running now (shown as `8 running`), or `undefined` when the bar should not show it. */
  runningCount(): number | undefined;
  /** The oldest pending inputs (by start time, then index), at most `max`. */
  oldestPending(max: number): PendingEntry[];
}

/** Calls a user's `label(item, index)`; a label that throws or returns a non-string is ignored. */
export function safeLabel<T>(
  label: ((item: T, index: number) => string) | undefined,
  item: T,
  index: number,
): string | undefined {
  if (label === undefined) return undefined;
  try {
    const text = label(item, index);
    return typeof text === 'string' ? sanitize(text) : text === undefined || text === null ? undefined : sanitize(String(text));
  } catch {
    return undefined;
  }
}

/** `#17` or `#17 (https://…)`, for error messages. */
export function nameOf(index: number, label: string | undefined): string {
  return label === undefined || label === '' ? `#${index}` : `#${index} (${label})`;
}

/** The report lines, each at most `width` columns. */
export function formatPendingReport(
  entries: readonly PendingEntry[],
  pending: number,
  now: number,
  width: number,
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
    if (e.label) line += `  ${e.label}`;
    lines.push(line);
  });
  if (pending > entries.length) lines.push(`    … and ${pending - entries.length} more`);
  return lines.map((l) => truncate(l, width));
}
