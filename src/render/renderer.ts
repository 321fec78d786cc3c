/**
 * One renderer per output stream draws every live bar of that stream.
 *
 * - Throttled: a frame is drawn at most once per `minInterval` (the smallest asked for by a live bar),
 *   whether it is asked for by a bar's hot path, by the keep-alive timer or by a bar closing.
 * - The keep-alive timer (unref'd, so it never keeps the process running) draws frames while items are
 *   slow. A synchronous loop blocks timers, so bars also poke the renderer from their hot path.
 * - A terminal gets the bars redrawn in place; anything else (or TERM=dumb) gets plain lines: a status
 *   line per bar every `plainInterval`, and always the final line.
 */
import type { Clock } from '../core/clock.js';
import { dumbTerminal } from '../env.js';
import type { OutputStream } from '../options.js';
import type { Drawable } from './drawable.js';
import { PlainSink, TerminalSink } from './terminal.js';
import { watchExit } from './exit.js';

const DEFAULT_WIDTH = 80;

export class Renderer {
  readonly tty: boolean;
  private readonly live: Drawable[] = [];
  /** Final lines of closed bars, waiting for the next frame to print them above the live ones. */
  private above: string[] = [];
  private lastFrameAt = -Infinity;
  private interval = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private terminal: TerminalSink | undefined;
  private plain: PlainSink | undefined;
  /** Frames written since the renderer was created (for benchmarks and tests). */
  frames = 0;

  constructor(
    readonly stream: OutputStream,
    private readonly clock: Clock,
  ) {
    this.tty = stream.isTTY === true && !dumbTerminal();
  }

  get liveCount(): number {
    return this.live.length;
  }

  /** Width for lines: a bar's fixed width, else the terminal's (one column spare), else 80. */
  widthFor(bar: Drawable): number {
    if (bar.fixedWidth !== undefined) return bar.fixedWidth;
    const columns = this.tty ? this.stream.columns : undefined;
    return columns !== undefined && columns > 1 ? columns - 1 : DEFAULT_WIDTH;
  }

  open(bar: Drawable, now: number): void {
    this.live.push(bar);
    bar.lastPlainAt = now;
    this.interval = Math.min(this.interval, bar.minInterval);
    watchExit(this);
    this.startTimer();
    if (this.tty) this.poke(now);
  }

  /** Removes a bar; its final lines (computed now) are printed above the live bars. */
  close(bar: Drawable, now: number): void {
    const i = this.live.indexOf(bar);
    if (i < 0) return;
    this.live.splice(i, 1);
    this.above.push(...bar.finalLines(now, this.widthFor(bar)));
    this.interval = this.live.reduce((m, b) => Math.min(m, b.minInterval), Infinity);
    if (this.live.length === 0) {
      this.stopTimer();
      this.frame(now);
      renderers.delete(this.stream); // the next bar on this stream starts afresh
    } else if (!this.tty) {
      this.frame(now); // plain output: the final line goes out at once, the others keep their schedule
    } else this.poke(now);
  }

  /** Draws a frame if one is due. Called from bars' hot paths with a fresh clock reading. */
  poke(now: number): void {
    if (now - this.lastFrameAt >= this.interval || this.live.length === 0) this.frame(now);
  }

  /** Draws now, ignoring the throttle. */
  frame(now: number): void {
    this.lastFrameAt = now;
    const above = this.above;
    this.above = [];
    if (this.tty) {
      this.terminal ??= new TerminalSink(this.stream);
      const lines = this.live.map((b) => b.line(now, this.widthFor(b)));
      this.terminal.draw(lines, above);
    } else {
      this.plain ??= new PlainSink(this.stream);
      const lines = above;
      for (const bar of this.live) {
        if (now - bar.lastPlainAt >= bar.plainInterval) {
          bar.lastPlainAt = now;
          lines.push(bar.line(now, this.widthFor(bar)));
        }
      }
      this.plain.write(lines);
    }
    this.frames++;
  }

  private startTimer(): void {
    if (this.timer !== undefined || !Number.isFinite(this.interval)) return;
    const every = Math.max(this.tty ? this.interval : Math.min(this.interval * 10, 1000), 16);
    this.timer = setInterval(() => this.poke(this.clock()), every);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** At process exit: close what is still open with its current state, synchronously. */
  closeAllAtExit(): void {
    for (const bar of [...this.live]) bar.closeAtExit();
    if (this.above.length > 0) this.frame(this.clock());
  }
}

const renderers = new Map<OutputStream, Renderer>();

/** The renderer of `stream`, created on first use. */
export function rendererFor(stream: OutputStream, clock: Clock): Renderer {
  let r = renderers.get(stream);
  if (r === undefined) {
    r = new Renderer(stream, clock);
    renderers.set(stream, r);
  }
  return r;
}

/** Renderers that have live bars. */
export function liveRenderers(): Renderer[] {
  return [...renderers.values()].filter((r) => r.liveCount > 0);
}
