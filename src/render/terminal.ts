/**
 * The terminal sink: draws a frame (a list of lines) in place with log-update, and writes each frame
 * with a single `write()` call. log-update is loaded the first time a frame is drawn, if the renderer did
 * not load it before.
 *
 * log-update 7 is given a stand-in stream that collects its output, so that the erase codes, the frame,
 * the lines printed above it and the cursor codes leave in one write. It is told the terminal is very
 * wide and tall: lines are already fitted to the width and the frame to the height here, and its own
 * wrapping and clipping would only get in the way. It mis-renders a frame whose line count changes in the
 * middle (fixed in 8.x, which needs Node 22), so whenever the count changes the old frame is cleared first.
 *
 * A frame ends with a newline: between frames the cursor sits at the start of the row below the last bar,
 * where the program's own output would go.
 *
 * Printing lines with no frame on screen needs nothing from log-update: the renderer does that while it
 * is loading (see renderer.ts).
 */
import { loadSync } from '../lazy.js';
import { displayWidth } from '../format/width.js';

interface LogUpdate {
  (text: string): void;
  clear(): void;
  done(): void;
}
type CreateLogUpdate = (
  stream: object,
  options: { showCursor?: boolean; defaultWidth?: number; defaultHeight?: number },
) => LogUpdate;

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';

let createLogUpdate: CreateLogUpdate | undefined;

/** SGR (colour) codes: they take no cell. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;:]*m/g;
let segmenter: Intl.Segmenter | undefined;

/**
 * The rows a line takes once a terminal has re-wrapped it to `columns` (drawn on one row of a wider
 * window, it is cut into rows of `columns` cells). A wide character (CJK, most emoji) never straddles two
 * rows: when only the last cell of a row is left, it starts the next row, as when it was typed there.
 */
export function rowsAfterReflow(line: string, columns: number): number {
  if (!(columns >= 1)) return 1;
  const text = line.includes('\u001B') ? line.replace(SGR, '') : line;
  const width = displayWidth(text);
  if (width <= columns) return 1;
  if (width === text.length) return Math.ceil(width / columns); // one cell per code unit: no wide character
  segmenter ??= new Intl.Segmenter();
  let rows = 1;
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = displayWidth(segment);
    if (w === 0) continue;
    if (used > 0 && used + w > columns) {
      rows++;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/**
 * Environment variables, besides TERM, that say which terminal the program talks to (see
 * `terminalReflows`). Exported for the tests, which set them for the programs they run in a pty.
 */
export const TERMINAL_ENV = ['TMUX', 'STY', 'XTERM_VERSION', 'TERM_PROGRAM', 'VTE_VERSION', 'KITTY_WINDOW_ID', 'ALACRITTY_WINDOW_ID'] as const;

const REFLOWING_PROGRAMS = new Set(['vscode', 'iTerm.app', 'Apple_Terminal', 'WezTerm', 'ghostty', 'Hyper', 'tmux']);

/**
 * Whether the terminal re-wraps the lines already on screen when its window gets narrower. Most do (tmux,
 * VTE-based ones such as GNOME Terminal, iTerm2, Terminal.app, kitty, Alacritty, WezTerm, xterm.js in
 * VS Code); xterm, st, GNU screen and the Linux console do not: they cut the lines instead. After a
 * resize, the old frame is erased from as many rows up as it takes now, so a wrong guess either way
 * costs something: guessing "re-wraps" on a terminal that does not would erase rows above the bars, lines
 * of the program's own output; guessing "does not" on one that does leaves the top rows of the old frame
 * on screen. The first loses what the program printed, the second only leaves a stale picture, so only
 * terminals known to re-wrap are taken to: those that say who they are in the environment. An inner one
 * (tmux, screen) is the one the program talks to, whatever the outer one said.
 */
export function terminalReflows(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TMUX) return true;
  if (env.STY || env.XTERM_VERSION || env.TERM === 'linux' || env.TERM?.startsWith('st-') === true) return false;
  if (env.TERM_PROGRAM !== undefined && REFLOWING_PROGRAMS.has(env.TERM_PROGRAM)) return true;
  if (Number(env.VTE_VERSION) >= 4000) return true; // VTE re-wraps since 0.40
  return Boolean(env.KITTY_WINDOW_ID || env.ALACRITTY_WINDOW_ID || env.TERM === 'xterm-kitty' || env.TERM === 'alacritty');
}

export class TerminalSink {
  private buffer = '';
  private log: LogUpdate | undefined;
  private drawn: readonly string[] = [];
  private drawnColumns: number | undefined;
  /** The frame `print()` took off the screen, to put back as it was. */
  private hidden: readonly string[] | undefined;
  private cursorHidden = false;
  /** Whether anything was written yet (see `flush`). */
  private wrote = false;

  /**
   * @param write sends one chunk to the terminal
   * @param columns reads the terminal's current width
   * @param reflows whether the terminal re-wraps what is on screen when it gets narrower
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: () => number | undefined,
    private readonly reflows = terminalReflows(),
  ) {}

  private logUpdate(): LogUpdate {
    if (this.log) return this.log;
    createLogUpdate ??= loadSync<{ createLogUpdate: CreateLogUpdate }>('log-update').createLogUpdate;
    const collector = {
      isTTY: true,
      columns: 1_000_000,
      rows: 1_000_000,
      write: (chunk: string) => {
        this.buffer += chunk;
        return true;
      },
    };
    this.log = createLogUpdate(collector, { showCursor: true });
    return this.log;
  }

  /** Whether a frame is on screen. */
  get isDrawn(): boolean {
    return this.drawn.length > 0;
  }

  /**
   * Draws `lines` in place of the previous frame, after printing `above` (final lines of closed bars,
   * text written by the program) above it. Writes nothing if nothing changed.
   * @param hideCursor whether the cursor should be hidden while the frame is up
   * @param taskbar a taskbar sequence (OSC 9;4) to send with the frame, or ''; it moves nothing on screen
   */
  draw(lines: readonly string[], above: readonly string[], hideCursor: boolean, taskbar = ''): void {
    const log = this.logUpdate();
    const columns = this.columns();
    if (columns !== this.drawnColumns || above.length > 0 || lines.length !== this.drawn.length) this.erase(columns);
    if (above.length > 0) this.buffer += `${above.join('\n')}\n`;
    if (lines.length > 0) log(lines.join('\n'));
    this.drawn = lines;
    this.drawnColumns = columns;
    this.hidden = undefined;
    const hide = hideCursor && lines.length > 0;
    if (hide !== this.cursorHidden && (this.buffer !== '' || !hide)) {
      this.buffer = hide ? HIDE_CURSOR + this.buffer : this.buffer + SHOW_CURSOR;
      this.cursorHidden = hide;
    }
    this.buffer = taskbar + this.buffer;
    this.flush(true);
  }

  /**
   * Prints `above` where the frame is. With `again`, the frame is drawn again below them as it was;
   * without, the bars are off the screen until `restore()` or the next `draw()`. The cursor is left as it
   * is: the bars are coming back. With `inPlaceOfFrame`, the renderer prints them where a frame would be,
   * while it cannot draw one yet (the first would have been drawn as the bars opened): they start at the
   * start of a row, as a frame does (see `flush`).
   */
  print(above: readonly string[], again: boolean, inPlaceOfFrame = false): void {
    if (this.drawn.length === 0 && above.length === 0) return;
    const columns = this.columns();
    if (this.drawn.length > 0) this.hidden = columns === this.drawnColumns ? this.drawn : undefined;
    this.erase(columns);
    if (above.length > 0) this.buffer += `${above.join('\n')}\n`;
    if (again) this.redrawHidden(columns);
    if (inPlaceOfFrame) this.wrote = true;
    this.flush(inPlaceOfFrame);
  }

  /** Whether `restore()` would draw: a frame taken off by `print()`, and the window as wide as it was. */
  get canRestore(): boolean {
    return this.drawn.length === 0 && this.hidden !== undefined && this.columns() === this.drawnColumns;
  }

  /** Draws the frame that `print()` took off the screen again, as it was. Whether there was one to draw. */
  restore(): boolean {
    const drawn = this.redrawHidden(this.columns());
    this.flush();
    return drawn;
  }

  private redrawHidden(columns: number | undefined): boolean {
    const lines = this.hidden;
    if (this.drawn.length > 0 || lines === undefined || columns !== this.drawnColumns) return false;
    this.logUpdate()(lines.join('\n'));
    this.drawn = lines;
    this.hidden = undefined;
    return true;
  }

  /** Puts the cursor back if it was hidden (at exit, on a signal). */
  showCursor(): void {
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    this.buffer += SHOW_CURSOR;
    this.flush();
  }

  get isCursorHidden(): boolean {
    return this.cursorHidden;
  }

  /** Erases the frame on screen, if any, leaving the cursor where its first row was. */
  private erase(columns: number | undefined): void {
    if (this.drawn.length === 0) return;
    if (columns === this.drawnColumns) this.logUpdate().clear();
    else this.eraseAfterResize(columns);
    this.drawn = [];
  }

  /**
   * The window changed width since the frame was drawn. Every line was drawn on one row, narrower than the
   * window then, so a wider window leaves each on its row; a narrower one has cut it (a terminal that does
   * not re-wrap) or wrapped it onto as many rows as it now needs (one that does; see `terminalReflows`).
   * From the row below the frame, erase that many rows up and no more: the row above them holds the
   * program's output. When the terminal has scrolled the top of the old frame off the screen (its rows
   * grew past the top), moving up stops at the first row: what scrolled off is out of reach.
   *
   * Each row is erased on its own (EL), never with "erase below" from the top-left corner: tmux (and some
   * other terminals) keep a screen cleared from there in their scrollback, a stale copy of the frame.
   */
  private eraseAfterResize(columns: number | undefined): void {
    const cols = columns !== undefined && columns > 0 ? columns : Infinity;
    let rows = 0;
    for (const line of this.drawn) rows += this.reflows ? rowsAfterReflow(line, cols) : 1;
    this.buffer += `\r\u001B[J${'\u001B[A\u001B[2K'.repeat(rows)}`;
    this.logUpdate().done(); // forget the old frame: the next one is drawn afresh
  }

  /**
   * Every write of ours ends at the start of a row (a frame and the lines above end with a newline, an
   * erase with the cursor at the left). So from the second write on, a leading carriage return changes
   * nothing, unless something else wrote to the terminal meanwhile without a newline: the `^C` the
   * terminal echoes when Ctrl-C is pressed while the bars are off the screen, say; without it the bars'
   * next line would start after that text and wrap. Only frames get it (`lineStart`): text printed above
   * the bars goes where it would have gone without them.
   */
  private flush(lineStart = false): void {
    if (this.buffer === '') return;
    const out = lineStart && this.wrote ? `\r${this.buffer}` : this.buffer;
    this.buffer = '';
    this.wrote = true;
    this.write(out);
  }
}

/** Plain output for logs, files and pipes: whole lines, no carriage returns, no escape codes. */
export class PlainSink {
  constructor(private readonly write: (text: string) => void) {}

  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }
}
