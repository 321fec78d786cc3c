/**
 * The failed tasks of a task bar: kept for `bar.failures()` (the first `KEPT_FAILURES`, so that a job
 * where everything fails does not keep every error object), and the report printed under a bar that
 * closes with failures in settle mode:
 *
 *       3 failed:
 *         #17   https://example.org/a  TypeError: fetch failed
 *         #230  https://example.org/b  Error: HTTP 503
 *         … and 1 more
 */
import type { FailedTask } from '../bar-api.js';
import { sanitize } from '../format/sanitize.js';
import { truncate } from '../format/width.js';

/** At most this many failures are kept for `bar.failures()`; the bar's `failed` count goes on. */
export const KEPT_FAILURES = 1000;
/** At most this many failures are named under a closing bar. */
export const REPORTED_FAILURES = 5;
/** An error message in the report is cut to this many columns, even in plain output (one line each). */
const MESSAGE_WIDTH = 200;

/** The failures kept so far, in the order they came. */
export class FailureLog {
  private readonly kept: FailedTask[] = [];

  /** Whether the next failure would be kept (worth asking its label for). */
  get keepsNext(): boolean {
    return this.kept.length < KEPT_FAILURES;
  }

  add(index: number, error: unknown, label: string | undefined): void {
    if (this.kept.length < KEPT_FAILURES) this.kept.push({ index, label, error });
  }

  /** A copy: the caller may keep or change it. */
  list(): FailedTask[] {
    return this.kept.slice();
  }

  first(max: number): readonly FailedTask[] {
    return this.kept.slice(0, max);
  }

  get size(): number {
    return this.kept.length;
  }
}

/**
 * One line of text for what a task failed with: `TypeError: fetch failed` (an error's name and the first
 * line of its message), or the value itself as text. Never throws (a hostile `toString` gives its type).
 */
export function errorText(error: unknown): string {
  let text: string;
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
      const { name, message } = error as { name?: unknown; message?: unknown };
      const n = typeof name === 'string' && name !== '' ? name : 'Error';
      text = typeof message === 'string' && message !== '' ? `${n}: ${message}` : n;
    } else text = String(error);
  } catch {
    text = Object.prototype.toString.call(error);
  }
  const line = text.split(/\r\n|[\n\r]/, 1)[0] ?? '';
  return line.trim();
}

/**
 * The report lines, each at most `width` columns (`Infinity`: not cut, but each message is cut at
 * `MESSAGE_WIDTH`). `failed`: the bar's failure count (more than `entries` when some were not kept).
 * @param colors the report goes to a terminal: labels and messages keep their SGR colour codes.
 */
export function formatFailureReport(entries: readonly FailedTask[], failed: number, width: number, colors = false): string[] {
  if (failed <= 0 || entries.length === 0) return [];
  const lines = [`  ${failed} failed:`];
  const ids = entries.map((e) => `#${e.index}`);
  const idWidth = Math.max(...ids.map((s) => s.length));
  entries.forEach((e, i) => {
    let line = `    ${(ids[i] ?? '').padEnd(idWidth)}`;
    const label = e.label === undefined ? '' : sanitize(e.label, colors);
    if (label !== '') line += `  ${label}`;
    const message = truncate(sanitize(errorText(e.error), colors), MESSAGE_WIDTH);
    if (message !== '') line += `  ${message}`;
    lines.push(line);
  });
  if (failed > entries.length) lines.push(`    … and ${failed - entries.length} more`);
  return lines.map((l) => truncate(l, width));
}
