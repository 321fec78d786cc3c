/**
 * One renderer per output stream draws every live bar of that stream, as one frame in one write.
 *
 * - Throttled: a frame is drawn at most once per `minInterval` (the smallest asked for by a live bar),
 *   whether asked for by a bar's hot path, by the keep-alive timer, by a bar closing or by text printed
 *   above the bars. That text (`progress.write`, captured console output) is written at once: it must
 *   never wait or be lost. The bars make room for it and come back with the next frame.
 * - The keep-alive timer (unref'd, so it never keeps the process running) draws frames while items are
 *   slow. A synchronous loop blocks timers, so bars also poke the renderer from their hot path.
 * - Layout: bars nest under the bar whose loop body opened them; top-level bars in opening order; the
 *   frame is cut to the terminal's height with a "… N more" line.
 * - A terminal gets the bars redrawn in place; anything else (or TERM=dumb, or a CI job) gets plain lines:
 *   a status line per top-level bar every `plainInterval`, and the final lines (a final line identical to
 *   the bar's last status line is not written again). That is the `mode` option's `'auto'`; `'live'`,
 *   `'plain'` and `'json'` (plain lines' schedule, each line a JSON object) choose for themselves. The
 *   first bar opened on a stream chooses for all the bars drawn there while it has any: one stream, one
 *   way of writing (a plain line in the middle of a frame would tear it, a text line in a JSON log would
 *   break its parser).
 * - A broken stream (EPIPE, closed) turns this renderer off; the job runs on. The error of a write of the
 *   bars' is kept from the program; the program's own write errors reach it as they would without the
 *   bars (stream-errors.ts).
 * - SIGINT/SIGTERM (signals.ts): armed from the timer, on a terminal and in plain output alike.
 * - Taskbar progress (OSC 9;4, taskbar.ts): on a terminal, sent in a frame's write when what it shows
 *   changes; cleared by the frame after the last bar closes (which exit, exceptions and signals lead to).
 * - A terminal's frames need log-update (~70 ms of CPU to load): a sync loop loads it at once, an async
 *   job a little later; until then only the lines above go out (frame-load.ts).
 *
 * Here: the live bars and the renderer's record of each, frames, printing above. The keep-alive timer and
 * the signal handlers it arms are in keep-alive.ts, the loading of log-update in frame-load.ts.
 */
import type { Clock } from '../core/clock.js';
import { ciEnvironment, dumbTerminal, taskbarSupported } from '../env.js';
import { MAX_WIDTH, type OutputMode, type OutputStream } from '../options/bar.js';
import type { CaptureTarget } from './capture.js';
import { releaseCapture, startCapture, writeRaw } from './capture.js';
import type { Drawable } from './drawable.js';
import { watchExit } from './exit.js';
import { FrameLoad } from './frame-load.js';
import { fitHeight, frameOrder } from './layout.js';
import { observeClose, observeFrame } from './observers.js';
import { KeepAlive, MAX_TIMER_DELAY } from './keep-alive.js';
import { writeCallback } from './stream-errors.js';
import { PlainSink, TerminalSink } from './terminal.js';
import { CLEAR, taskbarSequence, taskbarState, wholePercent, type TaskbarBar } from './taskbar.js';

const DEFAULT_WIDTH = 80;

/**
 * Bars that text printed above took off the screen are put back as they were at most once per
 * `minInterval`, and at least once a second when no frame is due sooner (a very long `minInterval`, such
 * as 1e10 for "never redraw", must not leave them off the screen after a line).
 */
const RESTORE_EVERY_MAX = 1000;

/**
 * What the renderer keeps of each live bar, the bar itself aside. Where a bar sits and when it last printed
 * are the renderer's business: it writes none of it onto the bar.
 */
interface Live {
  readonly bar: Drawable;
  /** The live bar this one is drawn under: set when it opens, moved up when that one closes. */
  parent: Live | undefined;
  /** Time of this bar's last plain status line (or of its opening). */
  lastPlainAt: number;
  /** That line: a final line identical to it is not written again. */
  lastStatus: string | undefined;
}

interface Listenable {
  on?: (event: string, listener: (...args: unknown[]) => void) => unknown;
  off?: (event: string, listener: (...args: unknown[]) => void) => unknown;
}

export class Renderer implements CaptureTarget {
  /** Frames redrawn in place (a terminal, or `mode: 'live'`); else lines, plain or JSON. */
  readonly tty: boolean;
  /** `mode: 'json'`: each status and final line is a JSON object. */
  readonly json: boolean;
  /** `mode: 'live'` on a stream that does not say it is a terminal: capture its writes all the same. */
  private readonly forcedLive: boolean;
  private readonly live: Live[] = [];
  /** Lines waiting for the next frame to print them above the live bars. */
  private above: string[] = [];
  /** Text written without a final newline, per target stream, held until the line is complete. */
  private readonly partials = new Map<OutputStream, string>();
  private lastFrameAt = -Infinity;
  /** When text printed above last put the bars back as they were (see `printAbove`). */
  private lastRestoreAt = -Infinity;
  /** The bars of the last terminal frame, in order. */
  private framed: Live[] = [];
  private interval = Infinity;
  /** Brings the bars back when text printed above them took them off the screen (see `printAbove`). */
  private redrawTimer: NodeJS.Timeout | undefined;
  /** The terminal's size, read afresh for every frame. */
  private columns: number | undefined;
  private rows: number | undefined;
  private broken = false;
  /** The program took over a signal: the cursor stays visible until the bars are done. */
  private cursorReleased = false;
  private terminal: TerminalSink | undefined;
  /** Whether frames can be drawn yet (a terminal's need log-update). */
  private readonly load: FrameLoad;
  private plain: PlainSink | undefined;
  private capturing = false;
  /** The callback of every write: a failed one turns the bars off, its error is kept from the program. */
  private readonly writeDone: ((error?: Error | null) => void) | undefined;
  /** The keep-alive timer, and whether the event loop turns (signal handlers armed, cursor hidden). */
  private readonly keepAlive = new KeepAlive(
    { release: () => this.releaseCursor(), closeAll: () => this.closeAllAtExit(), report: () => this.report() },
    () => this.live.length > 0,
    () => this.poke(this.clock()),
  );
  private readonly onResize = (): void => {
    if (this.live.length > 0) this.frame(this.clock());
  };
  /** The `taskbar` option's default here (the terminal's support), read at the first terminal frame. */
  private taskbarDefault: boolean | undefined;
  /** The percent of a bar that closed as failed (taskbar.ts: red until the last bar closes). */
  private taskbarFailed: number | undefined;
  /** The taskbar sequence last sent (cleared is what the terminal shows before we send anything). */
  private taskbarSent = CLEAR_SEQUENCE;
  /** Frames written since the renderer was created (for benchmarks and tests). */
  frames = 0;

  constructor(
    readonly stream: OutputStream,
    private readonly clock: Clock,
    mode: OutputMode = 'auto',
  ) {
    const terminal = stream.isTTY === true;
    this.tty = mode === 'live' || (mode === 'auto' && terminal && !dumbTerminal() && !ciEnvironment());
    this.json = mode === 'json';
    this.forcedLive = mode === 'live' && !terminal;
    this.load = new FrameLoad(this.tty);
    this.writeDone = writeCallback(stream, () => {
      this.broken = true;
    });
  }

  get liveCount(): number {
    return this.live.length;
  }

  /**
   * Width for lines: a bar's fixed width, else the terminal's (one column spare), else 80 on a terminal of
   * unknown size. Plain output (a log, a file) is not cut at all: its lines never wrap on screen, and
   * what the end of a line holds (the postfix, often a job's metrics) must not be lost.
   */
  widthFor(bar: Drawable): number {
    if (bar.fixedWidth !== undefined) return bar.fixedWidth;
    if (!this.tty) return Infinity;
    const columns = this.columns;
    // A stream may claim any size: never draw wider than a `width` option could ask for.
    return columns !== undefined && columns > 1 ? Math.min(columns - 1, MAX_WIDTH) : DEFAULT_WIDTH;
  }

  /**
   * Reads the terminal's size now. A tty stream's `columns` and `rows` are refreshed on SIGWINCH, which a
   * synchronous loop never lets Node handle; the handle's `getWindowSize()` asks the terminal itself
   * (Node's own refresh uses it). Other streams report what they have.
   */
  private refreshSize(): void {
    if (!this.tty) return;
    const handle = (this.stream as { _handle?: { getWindowSize?: (size: number[]) => unknown } })._handle;
    if (handle !== undefined && typeof handle.getWindowSize === 'function') {
      const size = [0, 0];
      if (!handle.getWindowSize(size) && size[0]! > 0) {
        this.columns = size[0];
        this.rows = size[1];
        return;
      }
    }
    this.columns = this.stream.columns;
    this.rows = this.stream.rows;
  }

  /** A bar starts (see `ProgressBar.start`): a sync loop (`blocking`) loads log-update now, before its clock. */
  prepare(blocking: boolean): void {
    this.load.prepare(blocking);
  }

  /**
   * A synchronous loop is starting: until the event loop turns again (the timer says so), a signal
   * handler could not run, and an armed one would hold Ctrl-C back (or lose it), so stand down and show
   * the cursor.
   */
  blockingLoopStarted(): void {
    this.keepAlive.standDown();
  }

  open(bar: Drawable, now: number): void {
    const parent = this.parentFor(bar);
    if (this.live.length === 0) this.attach();
    this.live.push({ bar, parent, lastPlainAt: now, lastStatus: undefined });
    this.interval = Math.min(this.interval, bar.minInterval);
    if (this.tty && bar.captureOutput && !this.capturing) {
      startCapture(this, this.forcedLive ? this.stream : undefined);
      this.capturing = true;
    }
    watchExit(closeAllAtExit);
    this.keepAlive.start(this.interval, this.tty);
    this.load.later(
      this.keepAlive.every,
      () => this.live.length > 0,
      () => this.frame(this.clock()),
    );
    if (this.tty) this.poke(now);
  }

  /** The explicit parent if it is live here, else the most recently opened bar whose loop body is running. */
  private parentFor(bar: Drawable): Live | undefined {
    const asked = bar.requestedParent;
    if (asked === null) return undefined;
    if (asked !== undefined) return this.live.find((l) => l.bar === asked);
    for (let i = this.live.length - 1; i >= 0; i--) {
      const candidate = this.live[i];
      if (candidate?.bar.inItem) return candidate;
    }
    return undefined;
  }

  /** Removes a bar; its final lines (computed now) are printed above the live bars. */
  close(bar: Drawable, now: number): void {
    // Nested bars close in the reverse order of opening: with thousands of them (a recursive program),
    // closing each must not cost a pass over all the others. A bar's children opened after it.
    let i = this.live.length - 1;
    while (i >= 0 && (this.live[i] as Live).bar !== bar) i--;
    if (i < 0) return;
    const closing = this.live[i] as Live;
    this.live.splice(i, 1);
    this.refreshSize();
    for (let j = i; j < this.live.length; j++) {
      const child = this.live[j] as Live;
      if (child.parent === closing) child.parent = closing.parent;
    }
    bar.sample(now);
    if (this.tty && this.taskbarOn(bar)) {
      const view = bar.view(now);
      if (view.outcome === 'failed') this.taskbarFailed = view.total === undefined ? 100 : wholePercent(view.n, view.total);
    }
    const nested = closing.parent !== undefined;
    const final = this.json ? bar.finalJson(now, nested) : bar.finalLines(now, this.widthFor(bar), this.tty, nested);
    // In a log, the status line just written may already say exactly this (the job ended right after it).
    if (!this.tty && final[0] !== undefined && final[0] === closing.lastStatus) final.shift();
    this.above.push(...final);
    if (bar.minInterval <= this.interval && !this.live.some((l) => l.bar.minInterval <= bar.minInterval)) {
      this.interval = this.live.reduce((m, l) => Math.min(m, l.bar.minInterval), Infinity);
    }
    if (this.live.length === 0) {
      this.clearTimer();
      this.frame(now);
      this.detach();
    } else if (!this.tty) this.frame(now);
    else this.poke(now);
    observeClose(bar, closing.parent?.bar, now);
  }

  /** Draws a frame if one is due. Called from bars' hot paths with a fresh clock reading. */
  poke(now: number): void {
    if (this.keepAlive.loopFree && this.keepAlive.late()) {
      // The timer is starved: something synchronous holds the event loop (a manual bar updated from a
      // sync loop). A handler could not run; stand down so Ctrl-C acts at once, as it would without us.
      // One missed tick is enough: a false alarm costs nothing (the next tick arms again), while a
      // Ctrl-C that comes before this point is dropped with the listener (Node cannot tell it is queued).
      this.blockingLoopStarted();
    }
    this.load.starved((after) => this.keepAlive.late(after));
    if (now - this.lastFrameAt >= this.interval || this.live.length === 0) this.frame(now);
  }

  /**
   * `bar.refresh()` and `bar.reset()`: on a terminal, a frame now (all the bars of this stream, one write);
   * in a log, with `plainLine`, the bar's status line now if it is top-level (nested bars write none there),
   * else whatever a frame is due to write.
   */
  redraw(bar: Drawable, now: number, plainLine: boolean): void {
    if (this.tty) {
      this.frame(now);
      return;
    }
    const live = this.live.find((l) => l.bar === bar);
    if (plainLine && live !== undefined && live.parent === undefined) {
      live.lastPlainAt = -Infinity;
      this.frame(now);
    } else this.poke(now);
  }

  /**
   * `bar.clear()`: takes the frame off a terminal until the next one (the lines of bars closed since the
   * last frame go out above, in the same write). Nothing in a log, nor while nothing is drawn.
   */
  clear(): void {
    if (!this.tty || this.broken || this.terminal === undefined || !this.terminal.isDrawn) return;
    this.terminal.print(this.takeAbove(), false);
  }

  /** Draws now, ignoring the throttle; then the observers hear of the bars (observers.ts). */
  frame(now: number): void {
    this.draw(now);
    observeFrame(this.live, now);
  }

  private draw(now: number): void {
    const above = this.above;
    this.above = [];
    if (this.broken) return;
    if (!this.load.ready) {
      // log-update is not loaded yet (see frame-load.ts): nothing of ours is on screen, so the lines above
      // need nothing erased and go out now, where a frame would go; the bars are drawn once it is there.
      this.sink().print(above, false, true);
      return;
    }
    if (this.tty) {
      this.refreshSize();
      const rows = this.rows;
      const maxLines = rows !== undefined && rows > 1 ? rows - 1 : Infinity;
      this.framed = frameOrder(this.live);
      const lines: string[] = [];
      for (const { bar } of this.framed) {
        bar.sample(now);
        const width = this.widthFor(bar);
        lines.push(bar.line(now, width, true));
        // A bar's own lines under it (a task bar's stragglers) come before the bars nested under it.
        for (const below of bar.belowLines(now, width, true)) lines.push(below);
      }
      this.sink().draw(fitHeight(lines, maxLines), above, this.keepAlive.loopFree && !this.cursorReleased, this.taskbarChange(now));
      this.clearRedraw();
    } else {
      this.plain ??= new PlainSink(this.writer);
      const lines = above;
      for (const live of this.live) {
        const bar = live.bar;
        if (live.parent === undefined && now - live.lastPlainAt >= bar.plainInterval) {
          live.lastPlainAt = now;
          bar.sample(now);
          if (this.json) {
            lines.push(bar.jsonLine(now, bar.belowLines(now, Infinity, false)));
            continue;
          }
          const line = bar.line(now, this.widthFor(bar), false);
          live.lastStatus = line;
          lines.push(line);
          for (const below of bar.belowLines(now, this.widthFor(bar), false)) lines.push(below);
        }
      }
      this.plain.lines(lines);
    }
    // Timed from the end of the frame: a slow one (the first loads log-update) is not followed too soon.
    this.lastFrameAt = Math.max(now, this.clock());
    this.frames++;
  }

  private taskbarOn(bar: Drawable): boolean {
    return bar.taskbar ?? (this.taskbarDefault ??= taskbarSupported());
  }

  /**
   * The taskbar sequence to send with this terminal frame: what the live bars make it show, if that is not
   * what was last sent ('' otherwise). One terminal, one indicator: while the bars of another stream (the
   * same terminal, maybe) show something there, this stream's leave it alone.
   */
  private taskbarChange(now: number): string {
    // Where it is off (most terminals) and nothing was sent, a frame pays one pass and no allocation.
    if (this.taskbarSent === CLEAR_SEQUENCE && !this.live.some((live) => this.taskbarOn(live.bar))) return '';
    const bars: TaskbarBar[] = this.live.map((live) => ({
      on: this.taskbarOn(live.bar),
      topLevel: live.parent === undefined,
      percent: () => {
        const view = live.bar.view(now);
        return view.total === undefined ? undefined : wholePercent(view.n, view.total);
      },
    }));
    const sequence = taskbarSequence(taskbarState(bars, this.taskbarFailed));
    if (sequence === this.taskbarSent || (taskbarOwner !== undefined && taskbarOwner !== this)) return '';
    this.taskbarSent = sequence;
    taskbarOwner = sequence === CLEAR_SEQUENCE ? undefined : this;
    return sequence;
  }

  private sink(): TerminalSink {
    this.terminal ??= new TerminalSink(this.writer, () => this.columns);
    return this.terminal;
  }

  /**
   * Prints `text` above the bars. Complete lines go out at once, never held back; a trailing partial line
   * waits for its end (or for the bars to finish). The bars are erased to make room and drawn again below
   * the lines, in the same write: as a new frame if one is due, else as they were (the same bars, at the
   * same width), unless they were already put back like that within the last `minInterval`. Then they stay
   * off until a timer set for the next frame (or the next time they may be put back) brings them back, or
   * the keep-alive timer or a bar's hot path draws a frame. So a line now and then (even just after a
   * frame) never makes the bars blink, and a program printing thousands of lines a second costs two
   * redraws per `minInterval`, not one per line.
   */
  printAbove(text: string, target: OutputStream): void {
    if (this.broken || !this.tty || this.live.length === 0) {
      this.writeTo(target, text);
      return;
    }
    const joined = (this.partials.get(target) ?? '') + text;
    const cut = joined.lastIndexOf('\n');
    if (cut < 0) {
      this.partials.set(target, joined);
      return;
    }
    this.partials.delete(target);
    if (cut < joined.length - 1) this.partials.set(target, joined.slice(cut + 1));
    const complete = joined.slice(0, cut);
    const now = this.clock();
    const terminal = this.sink();
    if (terminal.isDrawn) this.refreshSize(); // erasing the frame needs the width it has now
    const again = now - this.lastRestoreAt >= this.restoreEvery() && this.sameBarsAsFramed();
    if (target === this.stream) this.above.push(complete);
    else {
      // Another stream to the same screen: the frame goes first (and the lines of bars closed since the
      // last frame, which come before this text), then the text.
      terminal.print(this.takeAbove(), false);
      this.writeTo(target, `${complete}\n`);
    }
    if (now - this.lastFrameAt >= this.interval) this.frame(now);
    else {
      if (target === this.stream) terminal.print(this.takeAbove(), again);
      else if (again) terminal.restore();
      if (terminal.isDrawn) this.lastRestoreAt = now;
      else this.redrawWhenDue(now);
    }
  }

  private takeAbove(): string[] {
    const above = this.above;
    this.above = [];
    return this.broken ? [] : above;
  }

  private restoreEvery(): number {
    return Math.min(this.interval, RESTORE_EVERY_MAX);
  }

  /** Whether the live bars are those of the last frame: only then can it be put back as it was. */
  private sameBarsAsFramed(): boolean {
    const order = frameOrder(this.live);
    return order.length === this.framed.length && order.every((live, i) => live === this.framed[i]);
  }

  /**
   * Sets a timer to bring back bars that text took off the screen: when the next frame is due, or sooner
   * when they may be put back as they were (see RESTORE_EVERY_MAX).
   */
  private redrawWhenDue(now: number): void {
    const terminal = this.terminal;
    if (this.redrawTimer !== undefined || this.live.length === 0 || terminal === undefined || terminal.isDrawn) return;
    let at = this.lastFrameAt + this.interval;
    if (terminal.canRestore && this.sameBarsAsFramed()) at = Math.min(at, this.lastRestoreAt + this.restoreEvery());
    const wait = Math.min(Math.max(Math.ceil(at - now), 1), MAX_TIMER_DELAY);
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      if (this.live.length === 0 || terminal.isDrawn) return;
      const later = this.clock();
      if (later - this.lastFrameAt >= this.interval) this.frame(later);
      else if (later - this.lastRestoreAt >= this.restoreEvery() && this.sameBarsAsFramed() && terminal.restore()) {
        this.lastRestoreAt = later;
      } else this.redrawWhenDue(later); // the program's clock runs slower than the timers
    }, wait);
    this.redrawTimer.unref();
  }

  private clearRedraw(): void {
    if (this.redrawTimer === undefined) return;
    clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
  }

  private writeTo(target: OutputStream, text: string): void {
    if (target === this.stream) this.writer(text);
    else writeRaw(target, text);
  }

  private readonly writer = (text: string): void => {
    if (this.broken) return;
    try {
      writeRaw(this.stream, text, this.writeDone);
    } catch {
      this.broken = true; // EPIPE or a closed stream: stop drawing, let the job run on
    }
  };

  private attach(): void {
    const s = this.stream as OutputStream & Listenable;
    if (this.tty && typeof s.on === 'function') s.on('resize', this.onResize);
  }

  private detach(): void {
    const s = this.stream as OutputStream & Listenable;
    if (this.tty && typeof s.off === 'function') s.off('resize', this.onResize);
    if (this.capturing) {
      releaseCapture(this);
      this.capturing = false;
    }
    for (const [target, text] of this.partials) this.writeTo(target, text);
    this.partials.clear();
    this.keepAlive.release();
    this.cursorReleased = false;
    if (taskbarOwner === this) taskbarOwner = undefined; // a broken stream never sent its clear
    renderers.delete(this.stream); // the next bar on this stream starts afresh
  }

  private clearTimer(): void {
    this.clearRedraw();
    this.keepAlive.clear();
  }

  /**
   * A signal that the program handles: the screen as it stands, with the cursor shown, and shown until the
   * bars are done (the program may prompt, or go on after a message). The bars stay open: closing them is
   * the program's business (aborting the loop closes them as aborted).
   */
  private releaseCursor(): void {
    if (!this.tty || this.live.length === 0) return;
    this.cursorReleased = true;
    this.frame(this.clock());
    this.terminal?.showCursor();
  }

  /**
   * The report signal (signals.ts): every live bar's line, in frame order, each followed by what it has
   * pending, printed above the bars on a terminal (in the frame's write) or as plain lines in a log. The
   * bars stay open and nothing of theirs changes but the sample any frame takes.
   */
  report(): void {
    if (this.live.length === 0 || this.broken) return;
    const now = this.clock();
    this.refreshSize(); // the width lines are cut to, even before the first frame
    for (const { bar } of frameOrder(this.live)) {
      bar.sample(now);
      const width = this.widthFor(bar);
      if (this.json) this.above.push(bar.jsonLine(now, bar.demandLines(now, width, false)));
      else this.above.push(bar.line(now, width, this.tty), ...bar.demandLines(now, width, this.tty));
    }
    this.frame(now);
  }

  /** At process exit or on a signal: close what is still open as it stands, synchronously. */
  closeAllAtExit(): void {
    for (const live of [...this.live].reverse()) live.bar.closeAtExit();
    if (this.above.length > 0) this.frame(this.clock());
    this.terminal?.showCursor();
  }
}

const renderers = new Map<OutputStream, Renderer>();

const CLEAR_SEQUENCE = taskbarSequence(CLEAR);
/** The renderer whose bars the terminal's taskbar shows now, if any (see `taskbarChange`). */
let taskbarOwner: Renderer | undefined;

/**
 * The renderer of `stream`, created on first use: `mode` (the first bar's) says how it writes until its
 * last bar closes; bars opened meanwhile are written its way, whatever theirs says.
 */
export function rendererFor(stream: OutputStream, clock: Clock, mode: OutputMode = 'auto'): Renderer {
  let r = renderers.get(stream);
  if (r === undefined) {
    r = new Renderer(stream, clock, mode);
    renderers.set(stream, r);
  }
  return r;
}

/** The renderer of `stream` if it has live bars. */
export function liveRendererOf(stream: OutputStream): Renderer | undefined {
  const r = renderers.get(stream);
  return r !== undefined && r.liveCount > 0 ? r : undefined;
}

/** Renderers that have live bars. */
export function liveRenderers(): Renderer[] {
  return [...renderers.values()].filter((r) => r.liveCount > 0);
}

/** At process exit (exit.ts): every renderer closes its bars still open. */
function closeAllAtExit(): void {
  for (const r of liveRenderers()) r.closeAllAtExit();
}
