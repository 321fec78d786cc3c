/**
 * The public `Bar` is an interface: what a program sees. Tests that look further in (how a bar ended, the
 * line a frame would draw) reach the class behind it through these.
 */
import type { ProgressBar } from '../src/bar.js';
import type { Outcome } from '../src/core/state.js';
import type { Bar } from '../src/index.js';

/** The class behind a public bar (every `Bar` the package hands out is one). */
export function internal(bar: Bar): ProgressBar {
  return bar as ProgressBar;
}

/** How the bar ended, or 'running'. */
export function outcomeOf(bar: Bar): Outcome {
  return internal(bar).state.outcome;
}

/** The line a frame would draw at `now`: the renderer samples the clock, then formats the view. */
export function drawnLine(bar: Bar, now: number, width: number): string {
  const b = internal(bar);
  b.sample(now);
  return b.line(now, width);
}
