/**
 * Taskbar progress: what the terminal's tab or taskbar shows (the OSC 9;4 sequence that ConEmu started and
 * Windows Terminal, Ghostty, WezTerm and iTerm2 3.6.6+ read), worked out from the live bars. Pure: the
 * renderer gives the bars in opening order and sends the sequence in a frame's write when it changes.
 *
 * The terminal has one indicator and a program may have many bars, so a rule picks what it shows (which
 * bar should drive it is an open question elsewhere, e.g. indicatif #596):
 * 1. Only bars with the `taskbar` option on count (on by default on the terminals above).
 * 2. The oldest live top-level bar with a total drives it: its whole percent, rounded down (0–100). A
 *    nested bar never does (it is the inner loop of one item), nor a bar opened later (a job's first
 *    bar is its main one; a later one is often a side task that would make the indicator jump around).
 * 3. No such bar, but a live top-level bar: "busy" (indeterminate).
 * 4. A bar (nested or not) that closed as failed while others stay live turns it red ("error", with the
 *    driving bar's percent, else the failed bar's), until the last bar of the stream closes: a failure is
 *    not forgotten because another bar moves on.
 * 5. No live bar: cleared. So it is cleared when the last bar closes, and at exit, on an uncaught
 *    exception and on Ctrl-C, which close the bars still open.
 */

/** ESC ] 9 ; 4 ; st ; pr BEL: st 0 clears, 1 sets a percentage, 2 is an error, 3 indeterminate. */
export type TaskbarState =
  | { readonly state: 'clear' }
  | { readonly state: 'progress'; readonly percent: number }
  | { readonly state: 'error'; readonly percent: number }
  | { readonly state: 'busy' };

/** A live bar, as the rule sees it. */
export interface TaskbarBar {
  /** Its `taskbar` option, the default applied. */
  readonly on: boolean;
  /** Drawn under no other bar. */
  readonly topLevel: boolean;
  /** Its percent now (see `wholePercent`), or `undefined` without a total. Only read for the driving bar. */
  percent(): number | undefined;
}

export const CLEAR: TaskbarState = { state: 'clear' };

/**
 * The state for the live bars (in opening order). `failedPercent`: a bar with the option on closed as
 * failed since the first bar opened (the percent it had, 100 without a total), else `undefined`.
 */
export function taskbarState(live: readonly TaskbarBar[], failedPercent: number | undefined): TaskbarState {
  let topLevel = false;
  for (const bar of live) {
    if (!bar.on || !bar.topLevel) continue;
    const percent = bar.percent();
    if (percent !== undefined) {
      return failedPercent === undefined ? { state: 'progress', percent } : { state: 'error', percent };
    }
    topLevel = true;
  }
  if (failedPercent !== undefined && live.some((bar) => bar.on)) return { state: 'error', percent: failedPercent };
  return topLevel ? { state: 'busy' } : CLEAR;
}

/** n of total as a whole percent, rounded down, 0–100 (a total of 0 is complete). */
export function wholePercent(n: number, total: number): number {
  if (!(total > 0)) return 100;
  const p = Math.floor((n / total) * 100);
  return p < 0 ? 0 : p > 100 ? 100 : p;
}

const CODES = { clear: 0, progress: 1, error: 2, busy: 3 } as const;

/** The sequence that puts `s` on the taskbar (BEL-terminated, as in Windows Terminal's documentation). */
export function taskbarSequence(s: TaskbarState): string {
  const code = CODES[s.state];
  return s.state === 'progress' || s.state === 'error' ? `\u001B]9;4;${code};${s.percent}\u0007` : `\u001B]9;4;${code};0\u0007`;
}
