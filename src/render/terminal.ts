/**
 * The terminal sink: draws a frame (a list of lines) in place with log-update, and writes each frame
 * with a single `write()` call. log-update is loaded the first time a frame is drawn.
 *
 * log-update 7 is given a stand-in stream that collects its output, so that the erase codes, the frame,
 * the lines printed above it and the cursor codes leave in one write. It is told the terminal is very
 * wide and tall: lines are already fitted to the width and the frame to the height here, and its own
 * wrapping and clipping would only get in the way. It mis-renders a frame whose line count changes in the
 * middle (fixed in 8.x, which needs Node 22), so whenever the count changes the old frame is cleared first.
 */
import { loadSync } from '../core/lazy.js';
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

export class TerminalSink {
  private buffer = '';
  private log: LogUpdate | undefined;
  private drawn: readonly string[] = [];
  private drawnColumns: number | undefined;
  private cursorHidden = false;

  /**
   * @param write sends one chunk to the terminal
   * @param columns reads the terminal's current width
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: () => number | undefined,
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

  /**
   * Draws `lines` in place of the previous frame, after printing `above` (final lines of closed bars,
   * text written by the program) above it. Writes nothing if nothing changed.
   * @param hideCursor whether the cursor should be hidden while the frame is up
   */
  draw(lines: readonly string[], above: readonly string[], hideCursor: boolean): void {
    const log = this.logUpdate();
    const columns = this.columns();
    if (columns !== this.drawnColumns && this.drawn.length > 0) this.eraseAfterResize(columns);
    else if (above.length > 0 || lines.length !== this.drawn.length) log.clear();
    if (above.length > 0) this.buffer += `${above.join('\n')}\n`;
    if (lines.length > 0) log(lines.join('\n'));
    this.drawn = lines;
    this.drawnColumns = columns;
    const hide = hideCursor && lines.length > 0;
    if (hide !== this.cursorHidden && (this.buffer !== '' || !hide)) {
      this.buffer = hide ? HIDE_CURSOR + this.buffer : this.buffer + SHOW_CURSOR;
      this.cursorHidden = hide;
    }
    this.flush();
  }

  /** Erases the frame (e.g. before another stream writes to the same terminal). */
  clear(): void {
    if (this.drawn.length === 0) return;
    this.logUpdate().clear();
    this.drawn = [];
    this.flush();
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

  /**
   * After a resize, the old frame's lines may have been re-wrapped by the terminal (most terminals reflow
   * long lines when they get narrower), so they can take more rows than they were drawn on: erase as many
   * rows as they take now, from the top of the frame to the end of the screen.
   */
  private eraseAfterResize(columns: number | undefined): void {
    const cols = columns !== undefined && columns > 0 ? columns : Infinity;
    let rows = 0;
    for (const line of this.drawn) rows += Math.max(1, Math.ceil(displayWidth(line) / cols));
    this.buffer += `\u001B[${rows}A\r\u001B[J`;
    this.logUpdate().done(); // forget the old frame: the next one is drawn afresh
  }

  private flush(): void {
    if (this.buffer === '') return;
    const out = this.buffer;
    this.buffer = '';
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
