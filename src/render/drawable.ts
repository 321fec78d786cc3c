/**
 * What the renderer needs from a bar. Bars implement it; the renderer knows nothing else of them, and
 * writes nothing onto them: where a bar sits in the frame (its parent) and when it last printed a plain
 * status line are the renderer's own records (renderer.ts). Drawing is `sample(now)` (the one call that
 * writes the bar's state: it feeds the estimator) then `line()` or `finalLines()`, which only read.
 */
import type { Snapshot } from '../core/state.js';
import type { FormatState } from '../options/bar.js';

export interface Drawable {
  /** Least milliseconds between terminal frames that this bar asks for. */
  readonly minInterval: number;
  /** Milliseconds between plain status lines when the output is not a terminal. */
  readonly plainInterval: number;
  /** A fixed width, or undefined to follow the terminal. */
  readonly fixedWidth: number | undefined;
  /** Whether this bar wants writes to stdout/stderr moved above the bars while it is live on a terminal. */
  readonly captureOutput: boolean;
  /** The bar asked for with the `parent` option (`null`: top-level), if any; matched by identity with the live bars. */
  readonly requestedParent: object | null | undefined;
  /** The `taskbar` option: `undefined` leaves it to the terminal (render/taskbar.ts). */
  readonly taskbar: boolean | undefined;
  /** Whether the bar's loop is in the middle of an item (its body is running): new bars nest under it. */
  readonly inItem: boolean;
  /** Samples the clock: brings the bar's progress up to `now` (feeds its estimator). Call before a line. */
  sample(now: number): void;
  /** The bar's state at `now` as last sampled (a pure read, like `line`). */
  view(now: number): Snapshot;
  /**
   * The bar's line at `now` as last sampled, at most `width` columns (`Infinity`: plain output, never cut).
   * `colors`: the line goes to a terminal, so user text keeps its SGR colour codes.
   */
  line(now: number, width: number, colors?: boolean): string;
  /** What the bar's `format` function would be given at `now` as last sampled (for observers): only reads. */
  formatState(now: number): FormatState;
  /**
   * Lines drawn under the bar's line while it is live, each at most `width` columns (a task bar names its
   * stragglers there); they count as the bar's lines in the frame. Usually none. Read after `line()`.
   */
  belowLines(now: number, width: number, colors: boolean): readonly string[];
  /**
   * What stays on screen when the bar closes: its final line (unless it asked not to stay: by default a
   * `nested` bar does not) and any report lines (e.g. which inputs were still pending).
   */
  finalLines(now: number, width: number, colors: boolean, nested: boolean): string[];
  /**
   * What follows the bar's line in a report on demand (a signal, signals.ts), e.g. which inputs are still
   * pending; the bar stays open. Only reads (sample first).
   */
  demandLines(now: number, width: number, colors: boolean): string[];
  /**
   * The bar as one JSON line (`mode: 'json'`, format/json.ts) at `now` as last sampled, stamped with the
   * wall-clock time, with `report` (lines plain output would print under it) in its `report` field.
   */
  jsonLine(now: number, report: readonly string[]): string;
  /**
   * The JSON lines written when the bar closes: its last line (`done: true`) with the report lines in it,
   * for a top-level bar always (a log query waits for it, whatever `leave` says about a screen), for a
   * nested one only if it asked to stay (`leave: true`) or has something to report; else none.
   */
  finalJson(now: number, nested: boolean): string[];
  /** The process is exiting (or was interrupted) with the bar still open: close it as it stands. */
  closeAtExit(): void;
}
