/**
 * Stragglers: inputs (or running calls) pending far longer than the tasks that settled, named live
 * under the bar while the rest of the job moves.
 *
 * The rule: a pending input is slow once it has waited longer than
 *
 *     max(slowAfter, SLOW_FACTOR × the SLOW_PERCENTILE of the settle times so far)
 *
 * that is, by default, more than 10 s and more than 4 times as long as 95 % of the tasks that settled
 * took. Nothing is slow before the first settlement (until then the stall rule speaks: `stalled 42s`).
 * Settle times go into a log-bucket histogram (core/settle-times.ts): O(1) per settlement, fixed memory.
 * An input's wait runs from when it started: `gather`, `asCompleted` and promise arrays take (and so
 * start) every input at once; a call of `progress.map` starts when the pump calls `fn`. Since a settle
 * time below the rule's floor can never make an input slow, a job whose tasks take seconds each is judged
 * by them (4 × 30 s: slow after 2 minutes), and a job of quick tasks by the floor.
 *
 * Finding the slow ones never scans every input: inputs taken together started together, so the oldest
 * pending is the lowest pending index (inputs.ts keeps a skip list over settled indexes), and the calls of
 * `map` are kept in start order (map.ts). Each frame costs O(lines shown), plus O(slow calls) for `map`.
 */
import { formatStall } from '../format/line.js';
import { sanitize } from '../format/sanitize.js';
import { displayWidth, truncate } from '../format/width.js';
import type { PendingEntry } from './pending.js';

/** How many times the percentile an input must have waited to be slow. */
export const SLOW_FACTOR = 4;
/** Which percentile of the settle times the rule compares with. */
export const SLOW_PERCENTILE = 0.95;
/** Fewer columns than this for the label: the line names the input by its index only. */
const MIN_LABEL = 8;
/** The most pending inputs named live under a bar. */
export const LIVE_LIST = 3;

/**
 * One line of the live list: `  #17 https://example.org/a  waiting 42s`, at most `width` columns. The
 * label (sanitised: colour codes kept only with `colors`) is cut first, so the wait stays in view.
 */
export function formatWaitingLine(entry: PendingEntry, now: number, width: number, colors: boolean): string {
  const head = `  #${entry.index}`;
  const tail = `  waiting ${formatStall((now - entry.since) / 1000)}`;
  const label = entry.label === undefined ? '' : sanitize(entry.label, colors);
  if (label === '') return truncate(head + tail, width);
  const room = width - displayWidth(head) - 1 - displayWidth(tail);
  if (room < MIN_LABEL) return truncate(head + tail, width);
  return `${head} ${truncate(label, room)}${tail}`;
}
