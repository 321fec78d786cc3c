/**
 * The terminal sink: draws a frame (a list of lines) in place with log-update, and writes each frame
 * with a single `write()` call. log-update is loaded the first time a frame is drawn.
 *
 * log-update 7 is given a stand-in stream that collects its output, so that the erase codes, the frame,
 * and any final lines printed above it leave in one write. It is told the terminal is very wide and tall:
 * lines are already fitted to the width here, and its own wrapping and clipping would only get in the way.
 * It mis-renders a frame whose line count changes in the middle (fixed in 8.x, which needs Node 22), so
 * whenever the count changes the old frame is cleared first.
 */
import { loadSync } from '../core/lazy.js';
import type { OutputStream } from '../options.js';

interface LogUpdate {
  (text: string): void;
  clear(): void;
  done(): void;
}
type CreateLogUpdate = (
  stream: object,
  options: { showCursor?: boolean; defaultWidth?: number; defaultHeight?: number },
) => LogUpdate;

let createLogUpdate: CreateLogUpdate | undefined;

export class TerminalSink {
  private buffer = '';
  private log: LogUpdate | undefined;
  private lineCount = 0;
  private lastColumns: number | undefined;

  constructor(private readonly stream: OutputStream) {}

  private logUpdate(): LogUpdate {
    if (this.log) return this.log;
    createLogUpdate ??= loadSync<{ createLogUpdate: CreateLogUpdate }>('log-update')
      .createLogUpdate;
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
   * text written by the user) above it. Writes nothing if nothing changed.
   */
  draw(lines: readonly string[], above: readonly string[] = []): void {
    const log = this.logUpdate();
    const columns = this.stream.columns;
    if (above.length > 0 || lines.length !== this.lineCount || columns !== this.lastColumns) log.clear();
    if (above.length > 0) this.buffer += `${above.join('\n')}\n`;
    if (lines.length > 0) log(lines.join('\n'));
    this.lineCount = lines.length;
    this.lastColumns = columns;
    this.flush();
  }

  private flush(): void {
    if (this.buffer === '') return;
    const out = this.buffer;
    this.buffer = '';
    this.stream.write(out);
  }
}

/** Plain output for logs, files and pipes: whole lines, no carriage returns, no escape codes. */
export class PlainSink {
  constructor(private readonly stream: OutputStream) {}

  write(lines: readonly string[]): void {
    if (lines.length > 0) this.stream.write(`${lines.join('\n')}\n`);
  }
}
