/**
 * A progress bar: the public manual bar (`progress.bar()`), and the object every adapter drives. The
 * program sees it through the interface `Bar` (bar-api.ts); `ProgressBar` is the class, and what the
 * adapters, task functions and renderer use.
 *
 * The bar is the only writer of its count, countdown and pace. Counting has one entry point per shape of
 * loop: `add(k)` for an item (the hot path of every adapter, `update(n)`, a stream's chunk and a task bar's
 * `settled()`), and `flushed(k, items)` for an iteration that keeps its count lazily (arrays, ranges, the
 * async fast path) and brings it in (so do the counts of other threads and processes, `share()`, which the
 * bar reads when it samples: `add(k)` there could lap, and a lap may draw, which samples). `add(k)` adds
 * to the count and decrements a countdown; only when the countdown runs out does `lap()` read the clock,
 * poke the renderer (which draws if a frame is due) and reload the countdown from the measured item rate
 * (core/pace.ts: the formula, and why the countdown is capped at 64 items and at 20 µs of them).
 *
 * Drawing reads the bar in two steps (Drawable, render/drawable.ts): `sample(now)` feeds the estimator the
 * progress up to now (a write), then `line()` formats a pure view of it.
 */
import type { Bar, BarHandle, BarUpdate } from './bar-api.js';
import type { Clock } from './core/clock.js';
import { IDLE_COUNTDOWN, nextCountdown, nextPace, strideFor } from './core/pace.js';
import type { Outcome, Snapshot } from './core/state.js';
import { ProgressState } from './core/state.js';
import { colorsWanted } from './env.js';
import type { Look } from './format/line.js';
import { DEFAULT_LOOK, formatLine } from './format/line.js';
import { jsonLine } from './format/json.js';
import { sanitize } from './format/sanitize.js';
import { displayWidth, truncate } from './format/width.js';
import type { BarOptions, FormatFunction, FormatState, OutputMode, OutputStream, Resolved } from './options/bar.js';
import { checkTotal, resolveOptions } from './options/bar.js';
import { countOverflow, typeError, unknownOption } from './options/checks.js';
import { formatPostfix } from './options/postfix.js';
import type { Drawable } from './render/drawable.js';
import type { Renderer } from './render/renderer.js';
import { rendererFor } from './render/renderer.js';
import { ShareHost } from './share/host.js';

export type { Bar, BarUpdate };

const NO_LINES: readonly string[] = [];

export class ProgressBar implements Bar, Drawable {
  /** Counts, times and the estimator. Read by adapters and task functions; the count is written only here. */
  readonly state: ProgressState;
  /**
   * The iteration driving this bar, if any: tells whether its loop body is running. One that counts
   * lazily has `flush()`, called before the count is read.
   */
  iteration: { readonly inItem: boolean; readonly blocking?: boolean; readonly weighted?: boolean; flush?(): void } | undefined;
  readonly leave: boolean | undefined;
  readonly captureOutput: boolean;
  readonly taskbar: boolean | undefined;
  readonly requestedParent: object | null | undefined;
  readonly minInterval: number;
  readonly plainInterval: number;
  readonly fixedWidth: number | undefined;
  /** How its stream's renderer writes, if this bar is the first to open there (the `mode` option). */
  readonly mode: OutputMode;
  /** The bar's clock (task bars read it to time settlements). */
  protected readonly clock: Clock;
  /** Set when the bar starts, so a bar never iterated holds no renderer. */
  private renderer: Renderer | undefined;
  private readonly output: OutputStream | undefined;
  /** Milliseconds per lap aimed at (core/pace.ts). */
  private readonly stride: number;
  /** Items to go before the next lap; the first item starts the bar. Read it as `countdown`. */
  private left = 1;
  /** About the items expected in `stride` ms at the current rate (huge when nothing is drawn). Read it as `pace`. */
  private itemsPerStride = IDLE_COUNTDOWN;
  /**
   * The countdown's last starting value. Items since the last lap are `perLap - left` (a lazy count
   * flushed in bulk takes the countdown below 0).
   */
  private perLap = IDLE_COUNTDOWN;
  private lastLapAt = 0;
  private started = false;
  private closed = false;
  /** The template, colours and ASCII of this bar's lines (the default layout unless `format` etc. say). */
  private readonly look: Look;
  /** A `format` function, if the user gave one. */
  private readonly formatFunction: FormatFunction | undefined;
  /** The `format` function threw once: the error was reported, and its lines are the default layout since. */
  private formatFailed = false;
  /** The counters of other threads and processes, once `share()` was called. */
  private host: ShareHost | undefined;

  /** Use `progress.bar(options)` (or `new ProgressBar(resolveOptions(options)).start()`). */
  constructor(options: Resolved) {
    this.state = new ProgressState(options, options.unit, options.bytes, options.unitScale, options.unitDivisor);
    this.state.postfix = options.postfix;
    this.leave = options.leave;
    this.captureOutput = options.captureOutput;
    this.taskbar = options.taskbar;
    this.requestedParent = options.parent;
    this.minInterval = options.minInterval;
    this.plainInterval = options.plainInterval;
    this.fixedWidth = options.width;
    this.mode = options.mode;
    this.clock = options.clock;
    this.stride = strideFor(options.minInterval);
    this.output = options.disable ? undefined : options.stream;
    const format = options.format;
    this.formatFunction = typeof format === 'function' ? format : undefined;
    const paint = this.output !== undefined && colorsWanted(this.output);
    this.look =
      format === undefined && options.color === undefined && !options.ascii && !paint
        ? DEFAULT_LOOK
        : { template: typeof format === 'function' ? undefined : format, color: options.color, ascii: options.ascii, paint };
  }

  /** The count so far (including `initial`). */
  get n(): number {
    this.iteration?.flush?.();
    if (this.host !== undefined) this.pullShared();
    return this.state.n;
  }

  /** The expected final count, or `undefined` when unknown. */
  get total(): number | undefined {
    return this.state.total;
  }

  /** The label. */
  get desc(): string {
    return this.state.desc;
  }

  /** Seconds since the bar started (frozen once it closes). */
  get elapsed(): number {
    const now = this.clock();
    this.sample(now);
    return this.view(now).elapsed;
  }

  /** The current rate in units per second (the overall average once closed), or `undefined` before any sample. */
  get rate(): number | undefined {
    const now = this.clock();
    this.sample(now);
    return this.view(now).rate;
  }

  /**
   * The total as a number of the items its iteration yields, when it counts one per item (no `weight`):
   * what `progress()` over that iteration (`progress(progress(rows))`) takes as its total. Else `undefined`.
   */
  get itemTotal(): number | undefined {
    const it = this.iteration;
    return it !== undefined && it.weighted !== true ? this.state.total : undefined;
  }

  /** Whether this bar's loop is in the middle of an item: bars opened now nest under it. */
  get inItem(): boolean {
    return !this.closed && this.iteration !== undefined && this.iteration.inItem;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Items to go before the next lap (lazy counters keep their own index in step with it). */
  get countdown(): number {
    return this.left;
  }

  /** About the items expected in a quarter of `minInterval` at the current rate: adapters read it as "items are fast". */
  get pace(): number {
    return this.itemsPerStride;
  }

  /** Starts timing and drawing; called by adapters when iteration begins. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    if (this.output !== undefined) {
      this.renderer = rendererFor(this.output, this.clock, this.mode);
      // Before the clock starts: loading what a terminal's first frame needs (log-update, ~70 ms) is not the
      // job's time, and a log (nothing to load) must show the same job at the same rate. Only a sync loop
      // loads it now; anything else goes on while it loads.
      this.renderer.prepare(this.iteration?.blocking === true);
    }
    const now = this.clock();
    this.state.start(now);
    this.lastLapAt = now;
    if (this.renderer !== undefined) {
      this.itemsPerStride = this.perLap = this.left = 1;
      this.renderer.open(this, now);
      if (this.iteration?.blocking === true) this.renderer.blockingLoopStarted();
    } else this.itemsPerStride = this.perLap = this.left = IDLE_COUNTDOWN;
    return this;
  }

  /**
   * The hot path: one item finished, worth `k` (1, or its weight). Two lines of arithmetic; the clock is
   * read only when the countdown runs out. Small and monomorphic, so V8 inlines it into the caller.
   */
  add(k: number): void {
    this.state.n += k;
    if (--this.left <= 0) this.lap();
  }

  /**
   * An iteration that keeps its count lazily brings it in: `k` more, over `items` items spent from the
   * countdown (0: it keeps its own index, see `lapNow`). No clock read: the bar may be reading its count.
   */
  flushed(k: number, items = 0): void {
    this.state.n += k;
    this.left -= items;
  }

  /**
   * Advances the bar by `n` (default 1; negative and fractional steps are allowed). Cheap: call it once
   * per item. After `close()` it is ignored: the count stays what the final line says (a late callback
   * of a stream or a timer cannot move a finished bar). `n` must be a finite number, and so must the
   * count after it: a step that would make it infinite throws a RangeError and changes nothing. The bar of
   * a set of tasks (`progress.map()`, `progress.asCompleted()`, `progress(arrayOfPromises)`) counts its
   * settled tasks itself: there this throws an Error.
   * @example bar.update(chunk.length)
   */
  update(n = 1): void {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError('n', 'a finite number', n);
    if (this.closed) return;
    if (!Number.isFinite(this.state.n + n)) {
      throw countOverflow(this.state.n, n);
    }
    this.add(n);
  }

  /**
   * Changes the label, the total, the postfix or the count (`n`, absolute). Any other key is a TypeError
   * naming it (nothing is changed then), as unknown options are. On the bar of a set of tasks, whose count
   * is the number of tasks settled, `n` throws an Error (nothing is changed then).
   * @example bar.set({ desc: 'upload (retry)', postfix: { retries: 1 } })
   * @example request.on('progress', (sent) => bar.set({ n: sent }))
   */
  set(update: BarUpdate): void {
    if (update === null || typeof update !== 'object') throw typeError('update', 'an object', update);
    for (const key of Object.keys(update)) {
      if (key !== 'desc' && key !== 'total' && key !== 'postfix' && key !== 'n') {
        throw unknownOption(key, 'bar.set() takes `desc`, `total`, `postfix` and `n`');
      }
    }
    const hasN = 'n' in update;
    const n = update.n;
    let step = 0;
    if (hasN) {
      if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError('n', 'a finite number', n);
      const count = this.n;
      step = n - count;
      if (!Number.isFinite(step)) throw countOverflow(count, step);
    }
    if ('desc' in update) {
      if (typeof update.desc !== 'string') throw typeError('desc', 'a string', update.desc);
      this.state.desc = update.desc;
    }
    if ('total' in update) this.state.total = checkTotal(update.total);
    if ('postfix' in update) this.state.postfix = formatPostfix(update.postfix);
    // The count moves by the difference, through the counting entry point: the countdown laps as for any step.
    if (hasN && !this.closed) {
      this.add(step);
      this.state.n = n as number; // exactly what was asked: `count + (n - count)` can be off in the last bit
    }
    if (this.started && !this.closed && this.renderer !== undefined) this.renderer.poke(this.clock());
  }

  /**
   * Starts over, e.g. for each epoch: the count goes back to 0 (not to `initial`, which was where the
   * first run resumed from), the timer, the rate and the ETA restart, and with `total` the total changes
   * (omitted or `undefined`: it stays; `bar.set({ total: undefined })` makes it unknown). On a terminal
   * the bar is drawn at once. A closed bar cannot be reset: that throws an Error (open a new bar). Nor can
   * the bar of a set of tasks (`progress.map()`, `progress.asCompleted()`, `progress(arrayOfPromises)`):
   * its count is the number of tasks settled while its failures, pending tasks and stall clock go on, so it
   * throws an Error too (open a new bar for a new run).
   * @example bar.reset(batches.length)
   */
  reset(total?: number): void {
    const newTotal = total === undefined ? this.state.total : checkTotal(total);
    if (this.closed) throw new Error('Cannot reset a closed bar: it has drawn its final line; open a new bar');
    this.iteration?.flush?.(); // a lazy count brought in first: what it adds from now on counts from 0
    if (this.host !== undefined) this.pullShared(); // and the remotes' (their counters go on from where they are)
    const now = this.clock();
    this.state.restart(now, newTotal);
    if (!this.started) return;
    this.lastLapAt = now;
    if (this.renderer === undefined) return;
    this.itemsPerStride = this.perLap = this.left = 1; // the pace is measured afresh, as at the start
    this.renderer.redraw(this, now, false);
  }

  /**
   * Draws the bar now, without waiting for the next frame: on a terminal the bars of its stream are
   * redrawn; in a log (not a terminal) a top-level bar writes its status line now. Nothing after `close()`.
   * @example bar.set({ postfix: { phase: 'upload' } }); bar.refresh();
   */
  refresh(): void {
    if (!this.started || this.closed || this.renderer === undefined) return;
    this.renderer.redraw(this, this.clock(), true);
  }

  /**
   * Takes the bars of this bar's stream off a terminal until the next frame (at most `minInterval` later,
   * or at the next `refresh()`): they are drawn as one block, so they go together. Nothing in a log (plain
   * lines stay written) and nothing after `close()`.
   * @example bar.clear(); // off the screen until the next frame
   */
  clear(): void {
    if (!this.started || this.closed || this.renderer === undefined) return;
    this.renderer.clear();
  }

  /**
   * A handle for counting into this bar from other threads or processes: pass it to a worker thread
   * (`workerData`, `postMessage`, a piscina task) or a child process (`child.send(handle)`), where
   * `progress.attach(handle)` gives a `RemoteBar`. A plain object (a `SharedArrayBuffer`, an id, a local
   * socket's name, a key); the same one each call. Counts from a worker thread go through shared memory
   * and reach the bar at its next frame; a child process sends its count a few times per second. Once the
   * bar closes, remote counts are ignored. The bar of a set of tasks counts its settled tasks itself:
   * there this throws an Error.
   * @example const handle = bar.share(); new Worker(file, { workerData: handle })
   */
  share(): BarHandle {
    if (this.host === undefined) {
      this.host = new ShareHost((message) => {
        if (!this.closed) this.set(message);
      });
      if (this.closed) this.host.release(); // a handle of a closed bar: remotes count, nothing reads them
    }
    return this.host.handle;
  }

  /** Closes the bar: draws its final line (kept unless `leave: false`) and stops timing. Idempotent. */
  close(): void {
    this.closeAs('done');
  }

  /** `using bar = progress.bar(…)` closes the bar at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the bar with an outcome (adapters use 'failed', 'aborted', 'stopped'). Idempotent. */
  closeAs(outcome: Exclude<Outcome, 'running'>): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.started) this.start();
    const now = this.clock();
    this.iteration?.flush?.();
    if (this.host !== undefined) {
      this.pullShared(); // the remotes' counts so far are in the final line; later ones are not read
      this.host.release();
    }
    this.state.close(outcome, now);
    this.left = this.perLap = this.itemsPerStride = IDLE_COUNTDOWN;
    this.renderer?.close(this, now);
  }

  /** Drawable: the process is exiting (or was interrupted) with the bar open. */
  closeAtExit(): void {
    this.closeAs('stopped');
  }

  /**
   * Drawable: the final line if the bar stays (by default a top-level bar stays and a nested one does not),
   * then any report lines.
   */
  finalLines(now: number, width: number, colors: boolean, nested: boolean): string[] {
    const lines = (this.leave ?? !nested) ? [this.line(now, width, colors)] : [];
    for (const extra of this.reportLines(now, width, colors)) lines.push(extra);
    return lines;
  }

  /** Drawable: the bar as a JSON line (a pure view: `sample(now)` first), stamped with the wall-clock time. */
  jsonLine(now: number, report: readonly string[]): string {
    return jsonLine(this.view(now), Date.now(), report);
  }

  /** Drawable: the JSON lines of a closing bar (see `Drawable.finalJson`). */
  finalJson(now: number, nested: boolean): string[] {
    const report = this.reportLines(now, Infinity, false);
    return !nested || this.leave === true || report.length > 0 ? [this.jsonLine(now, report)] : [];
  }

  /** Drawable: lines drawn under the bar's line while it is live (a task bar's stragglers); none here. */
  belowLines(_now: number, _width: number, _colors: boolean): readonly string[] {
    return NO_LINES;
  }

  /** Extra lines printed when the bar closes (overridden by task bars: what is still pending). */
  protected reportLines(_now: number, _width: number, _colors: boolean): string[] {
    return [];
  }

  /** Drawable: lines under the bar's status line in a report on demand (task bars: what is pending). */
  demandLines(_now: number, _width: number, _colors: boolean): string[] {
    return [];
  }

  /**
   * Drawable: samples the clock: brings a lazy count in and feeds the estimator the progress up to `now`.
   * Writes the bar's state; `view(now)` then reads it.
   */
  sample(now: number): void {
    this.iteration?.flush?.();
    if (this.host !== undefined) this.pullShared();
    if (!this.closed) this.state.sample(now);
  }

  /** Brings in what other threads and processes counted since the last pull (see `share()`). */
  private pullShared(): void {
    const k = (this.host as ShareHost).pull();
    if (k !== 0) this.flushed(k);
  }

  /** A frozen view of the bar at `now`: reads only (what the last `sample` left). */
  view(now: number): Snapshot {
    return this.state.snapshot(now);
  }

  /** Drawable: what a `format` function would be given at `now` (a pure view: `sample(now)` first). */
  formatState(now: number): FormatState {
    return formatStateOf(this.view(now));
  }

  /** Drawable: the bar's line at `now`, fitted to `width` (a pure view: `sample(now)` first). */
  line(now: number, width: number, colors = false): string {
    const view = this.view(now);
    if (this.formatFunction !== undefined && !this.formatFailed) {
      const line = this.userLine(this.formatFunction, view, width, colors);
      if (line !== undefined) return line;
    }
    return formatLine(view, width, colors, this.look);
  }

  /**
   * The line of a `format` function: sanitised, cut to `width` (plain output, `Infinity`: it is given 80
   * and not cut). If it throws or returns no string, `undefined`: the error is reported once, as a process
   * warning (an exception at a frame, maybe in a timer, must not end the job), and the bar shows its
   * default line from then on.
   */
  private userLine(format: FormatFunction, s: Snapshot, width: number, colors: boolean): string | undefined {
    let text: unknown;
    try {
      text = format(formatStateOf(s), width === Infinity ? 80 : width);
      if (typeof text !== 'string') throw typeError('format', 'a function that returns a string', text);
    } catch (error) {
      this.formatFailed = true;
      const reason = error instanceof Error ? error : new Error(String(error));
      process.emitWarning(`The \`format\` function of a bar threw; it shows the default line from now on: ${reason.message}`, {
        type: 'TaqaddumFormatWarning',
        detail: reason.stack,
      });
      return undefined;
    }
    const line = sanitize(text, colors); // a newline becomes a space, escape sequences go (colours stay on a terminal)
    return width === Infinity || displayWidth(line) <= width ? line : truncate(line, width);
  }

  /**
   * The slow half of the hot path, when the countdown has run out: read the clock, poke the renderer
   * (maybe a frame), reload the countdown so that the next lap comes about `minInterval / 4` later at the
   * current item rate, and at most 64 items or 20 µs later (core/pace.ts).
   */
  lap(): void {
    if (!this.started) {
      this.start();
      return;
    }
    if (this.renderer === undefined || this.closed) {
      this.left = IDLE_COUNTDOWN;
      return;
    }
    const now = this.clock();
    const dt = now - this.lastLapAt;
    this.lastLapAt = now;
    this.renderer.poke(now);
    const items = this.perLap - this.left;
    const pace = (this.itemsPerStride = nextPace(this.itemsPerStride, items, dt, this.stride));
    this.perLap = this.left = nextCountdown(pace, items, dt);
  }

  /**
   * A lazy counter's own index says the countdown ran out here (it moves an index instead of decrementing
   * the countdown): lap, and return the new countdown.
   */
  lapNow(): number {
    this.left = 0;
    this.lap();
    return this.left;
  }

  /** The next item laps (a task bar times the next settlement, see task-bar.ts). */
  protected lapAtNextItem(): void {
    this.perLap = this.left = 1;
  }
}

/** What a `format` function is given: a fresh, frozen object. */
function formatStateOf(s: Snapshot): FormatState {
  const total = s.total;
  return Object.freeze({
    n: s.n,
    total,
    desc: s.desc,
    unit: s.unit,
    elapsed: s.elapsed,
    rate: s.rate,
    eta: s.eta,
    percentage: total !== undefined && total > 0 ? (s.n / total) * 100 : undefined,
    failed: s.tasks?.failed ?? 0,
    running: s.outcome === 'running' ? s.tasks?.running : undefined,
    stalled: s.outcome === 'running' ? s.tasks?.stalled : undefined,
    done: s.outcome !== 'running',
    outcome: s.outcome,
    postfix: s.postfix,
  });
}

/**
 * A manual bar, started now. Call `update(n)` as work is done and `close()` at the end.
 * @example
 * const bar = progress.bar({ desc: 'upload', total: size, unit: 'B' });
 * stream.on('data', (chunk) => bar.update(chunk.length));
 * stream.on('end', () => bar.close());
 */
export function createBar(options: BarOptions = {}): Bar {
  return openBar(options);
}

/** `createBar` for the package's own use (the command's bar thread): the class, with its internal methods. */
export function openBar(options: BarOptions = {}): ProgressBar {
  return new ProgressBar(resolveOptions(options)).start();
}
