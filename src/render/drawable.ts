/** What the renderer needs from a bar. Bars implement it; the renderer knows nothing else of them. */
export interface Drawable {
  /** Least milliseconds between terminal frames that this bar asks for. */
  readonly minInterval: number;
  /** Milliseconds between plain status lines when the output is not a terminal. */
  readonly plainInterval: number;
  /** A fixed width, or undefined to follow the terminal. */
  readonly fixedWidth: number | undefined;
  /** Whether this bar wants writes to stdout/stderr moved above the bars while it is live on a terminal. */
  readonly captureOutput: boolean;
  /** The parent asked for with the `parent` option (`null`: top-level), if any. */
  readonly requestedParent: Drawable | null | undefined;
  /** Whether the bar's loop is in the middle of an item (its body is running): new bars nest under it. */
  readonly inItem: boolean;
  /** The bar this one is drawn under (set by the renderer when the bar opens). */
  parent: Drawable | undefined;
  /** Time of this bar's last plain status line (owned by the renderer). */
  lastPlainAt: number;
  /**
   * Samples the bar's progress at `now` and formats it to at most `width` columns (`Infinity`: plain output,
   * never cut). `colors`: the line goes to a terminal, so user text keeps its SGR colour codes.
   */
  line(now: number, width: number, colors?: boolean): string;
  /**
   * What stays on screen when the bar closes: its final line (unless it asked not to stay: by default a
   * nested bar does not) and any report lines (e.g. which inputs were still pending).
   */
  finalLines(now: number, width: number, colors?: boolean): string[];
  /** The process is exiting (or was interrupted) with the bar still open: end it as it stands. */
  closeAtExit(): void;
}
