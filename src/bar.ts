/**
 * A progress bar: the public manual bar (`progress.bar()`), and the object every adapter drives.
 *
 * Hot path: `update(n)` (and the adapters, which inline the same two lines) adds to the count and
 * decrements a countdown; only when the countdown reaches zero does `check()` read the clock and maybe
 * draw. The countdown is re-armed from the measured item rate to the items expected in a quarter of
 * `minInterval`, but never to more than 64 items, nor to more than 20 µs of them (below: why). So a loop
 * of items of a few ns reads the clock once per 64 items, one of 1 µs items every 20, and one of items of
 * 20 µs or more on every item, where a read costs under 1 % of the item.
 *
 * A loop that slows down. A synchronous loop blocks the renderer's timer (so does an async loop that
 * never waits for I/O: it runs on microtasks), so its clock reads are its only chance to draw. If the
 * countdown was armed for the old pace, a loop that turns slow (a million 1 ns items, then 10 ms ones)
 * reads the clock again only after that many slow items: hours. Whatever a scheme does between two reads
 * k items apart, the slow-down can start right after a read and go unseen for k slow items: an
 * exponential back-off (re-arm 1, 2, 4… after each read) ends every ramp with a step as large as the items
 * it has seen, so it has the same blind spot; and shrinking the countdown by the measured slow-down
 * (`items × stride / dt` below) only helps from the first read after it. Only a bound on k bounds the
 * blind spot, and its price is one clock read (≈ 30–120 ns) per k items, so k is capped twice:
 * - at `MAX_COUNTDOWN` (64) items: in the fastest loops (a few ns per item) that is ≈ 0.5–2 ns per item
 *   (docs/benchmarks.md: the 10M-item rows, and "fast then slow" for the gap between frames);
 * - at the items of `MAX_SPAN_MS` (20 µs) at the current pace, where a read costs under 1 % of the loop:
 *   64 items at 1 ns, 20 at 1 µs, a read on every item from 20 µs per item on.
 * So after a slow-down the next frame comes within 64 slow items, and within 20 µs' worth of the old
 * items (10 ms items after 1 ns ones: 0.64 s; 1 s items after 5 µs ones: 4 s); from then on the
 * countdown, re-armed from the new pace, keeps to a frame per `minInterval`. The pace itself (`armed`,
 * the items expected in a quarter interval) is not capped so low: adapters read it to know items are fast.
 */
import type { Clock } from './core/clock.js';
import type { Outcome, Snapshot } from './core/state.js';
import { ProgressState } from './core/state.js';
import { formatLine } from './format/line.js';
import type { BarOptions, OutputStream, Resolved } from './options/bar.js';
import { checkTotal, resolveOptions } from './options/bar.js';
import { countOverflow, typeError, unknownOption } from './options/checks.js';
import type { Postfix } from './options/postfix.js';
import { formatPostfix } from './options/postfix.js';
import type { Drawable } from './render/drawable.js';
import type { Renderer } from './render/renderer.js';
import { rendererFor } from './render/renderer.js';

/** The countdown when nothing is drawn: large, so a disabled bar costs a decrement per item. */
const IDLE_COUNTDOWN = 2 ** 30;
/** Items between clock reads never exceed this: a loop that slows down is seen within 64 items (see above). */
const MAX_COUNTDOWN = 64;
/** Nor do they last longer than this, at the pace measured: a read costs under 1 % of that (see above). */
const MAX_SPAN_MS = 0.02;
/** The pace (`armed`, items per quarter interval) never exceeds this. */
const MAX_PACE = 1 << 20;

/** What `bar.set()` can change. */
export interface BarUpdate {
  /** A new label. */
  desc?: string;
  /** A new total (`undefined` makes it unknown). */
  total?: number | undefined;
  /** New fields after the rate: a string, or an object shown as `key=value` pairs. */
  postfix?: Postfix;
}

export class Bar implements Drawable, Disposable {
  /** @internal Items to go before the next clock read; the first item starts the bar. */
  countdown = 1;
  /** @internal */
  readonly state: ProgressState;
  /** @internal */
  lastPlainAt = 0;
  /** @internal Set by the renderer: the bar this one is drawn under. */
  parent: Drawable | undefined;
  /**
   * @internal The iteration driving this bar, if any: tells whether its loop body is running. An
   * index-based one counts lazily and has `flush()`, called before the count is read.
   */
  iteration: { readonly inItem: boolean; readonly blocking?: boolean; flush?(): void } | undefined;
  readonly leave: boolean | undefined;
  readonly captureOutput: boolean;
  readonly requestedParent: Drawable | null | undefined;
  readonly minInterval: number;
  readonly plainInterval: number;
  readonly fixedWidth: number | undefined;
  /** @internal The bar's clock (task bars read it to time settlements). */
  protected readonly clock: Clock;
  /** Set when the bar starts, so a bar never iterated holds no renderer. */
  private renderer: Renderer | undefined;
  private readonly output: OutputStream | undefined;
  private readonly stride: number;
  /**
   * @internal The pace: about the items expected in `minInterval / 4` at the current rate (huge when
   * nothing is drawn). Adapters read it as "items are fast".
   */
  armed = IDLE_COUNTDOWN;
  /**
   * @internal The countdown's last starting value: `armed`, at most `MAX_COUNTDOWN`. Items since the
   * last clock read are `perCheck - countdown` (an adapter that counts in bulk takes the countdown below 0).
   */
  perCheck = IDLE_COUNTDOWN;
  private lastCheckAt = 0;
  private started = false;
  private closed = false;

  /** @internal Use `progress.bar(options)`. */
  constructor(options: Resolved) {
    this.state = new ProgressState(options, options.unit, options.bytes, options.unitScale);
    this.state.postfix = options.postfix;
    this.leave = options.leave;
    this.captureOutput = options.captureOutput;
    this.requestedParent = options.parent;
    this.minInterval = options.minInterval;
    this.plainInterval = options.plainInterval;
    this.fixedWidth = options.width;
    this.clock = options.clock;
    this.stride = Math.max(options.minInterval / 4, 1);
    this.output = options.disable ? undefined : options.stream;
  }

  /** The count so far (including `initial`). */
  get n(): number {
    this.iteration?.flush?.();
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
    return this.snapshot().elapsed;
  }

  /** The current rate in units per second (the overall average once closed), or `undefined` before any sample. */
  get rate(): number | undefined {
    return this.snapshot().rate;
  }

  /** @internal Whether this bar's loop is in the middle of an item: bars opened now nest under it. */
  get inItem(): boolean {
    return !this.closed && this.iteration !== undefined && this.iteration.inItem;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal Starts timing and drawing; called by adapters when iteration begins. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    if (this.output !== undefined) {
      this.renderer = rendererFor(this.output, this.clock);
      // Before the clock starts: loading what a terminal's first frame needs (log-update, ~70 ms) is not the
      // job's time, and a log (nothing to load) must show the same job at the same rate. Only a sync loop
      // loads it now; anything else goes on while it loads.
      this.renderer.prepare(this.iteration?.blocking === true);
    }
    const now = this.clock();
    this.state.start(now);
    this.lastCheckAt = now;
    if (this.renderer !== undefined) {
      this.armed = this.perCheck = this.countdown = 1;
      this.renderer.open(this, now);
      if (this.iteration?.blocking === true) this.renderer.blockingLoopStarted();
    } else this.armed = this.perCheck = this.countdown = IDLE_COUNTDOWN;
    return this;
  }

  /**
   * Advances the bar by `n` (default 1; negative and fractional steps are allowed). Cheap: call it once
   * per item. After `close()` it is ignored: the count stays what the final line says (a late callback
   * of a stream or a timer cannot move a finished bar). `n` must be a finite number, and so must the
   * count after it: a step that would make it infinite throws a RangeError and changes nothing.
   * @example bar.update(chunk.length)
   */
  update(n = 1): void {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError('n', 'a finite number', n);
    if (this.closed) return;
    const count = this.state.n + n;
    if (!Number.isFinite(count)) {
      throw countOverflow(this.state.n, n);
    }
    this.state.n = count;
    if (--this.countdown <= 0) this.check();
  }

  /**
   * Changes the label, the total or the postfix. Any other key is a TypeError naming it (nothing is
   * changed then), as unknown options are.
   * @example bar.set({ desc: 'upload (retry)', postfix: { retries: 1 } })
   */
  set(update: BarUpdate): void {
    if (update === null || typeof update !== 'object') throw typeError('update', 'an object', update);
    for (const key of Object.keys(update)) {
      if (key !== 'desc' && key !== 'total' && key !== 'postfix') {
        throw unknownOption(key, 'bar.set() takes `desc`, `total` and `postfix`');
      }
    }
    if ('desc' in update) {
      if (typeof update.desc !== 'string') throw typeError('desc', 'a string', update.desc);
      this.state.desc = update.desc;
    }
    if ('total' in update) this.state.total = checkTotal(update.total);
    if ('postfix' in update) this.state.postfix = formatPostfix(update.postfix);
    if (this.started && !this.closed && this.renderer !== undefined) this.renderer.poke(this.clock());
  }

  /** Closes the bar: draws its final line (kept unless `leave: false`) and stops timing. Idempotent. */
  close(): void {
    this.end('done');
  }

  /** `using bar = progress.bar(…)` closes the bar at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Ends the bar with an outcome (adapters use 'failed', 'aborted', 'stopped'). */
  end(outcome: Exclude<Outcome, 'running'>): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.started) this.start();
    const now = this.clock();
    this.iteration?.flush?.();
    this.state.end(outcome, now);
    this.countdown = this.perCheck = this.armed = IDLE_COUNTDOWN;
    this.renderer?.close(this, now);
  }

  /**
   * @internal Drawable: the final line if the bar stays (by default a top-level bar stays and a nested
   * one does not), then any report lines.
   */
  finalLines(now: number, width: number, colors = false): string[] {
    const lines = (this.leave ?? this.parent === undefined) ? [this.line(now, width, colors)] : [];
    for (const extra of this.reportLines(now, width, colors)) lines.push(extra);
    return lines;
  }

  /** @internal Extra lines printed when the bar closes (overridden by task bars: what is still pending). */
  protected reportLines(_now: number, _width: number, _colors: boolean): string[] {
    return [];
  }

  /** @internal */
  closeAtExit(): void {
    this.end('stopped');
  }

  /** @internal A frozen view of the bar now. */
  snapshot(now = this.clock()): Snapshot {
    this.iteration?.flush?.();
    if (!this.closed) this.state.sample(now);
    return this.state.snapshot(now);
  }

  /** @internal Drawable: the bar's line at `now`, fitted to `width`. */
  line(now: number, width: number, colors = false): string {
    return formatLine(this.snapshot(now), width, colors);
  }

  /**
   * @internal The slow half of the hot path: read the clock, maybe draw, re-arm the countdown so the
   * next read comes about `minInterval / 4` later at the current item rate, and at most `MAX_COUNTDOWN`
   * items or `MAX_SPAN_MS` later.
   */
  check(): void {
    if (!this.started) {
      this.start();
      return;
    }
    if (this.renderer === undefined || this.closed) {
      this.countdown = IDLE_COUNTDOWN;
      return;
    }
    const now = this.clock();
    const dt = now - this.lastCheckAt;
    this.lastCheckAt = now;
    this.renderer.poke(now);
    // Items since the last check; aim for one check per `stride` ms at that pace, growing at most 2× a check.
    const items = this.perCheck - this.countdown;
    let pace: number;
    let next = MAX_COUNTDOWN;
    if (dt <= 0) pace = this.armed * 2;
    else {
      pace = Math.min((items * this.stride) / dt, this.armed * 2);
      const span = (items * MAX_SPAN_MS) / dt;
      if (span < next) next = span;
    }
    pace = pace < 1 ? 1 : pace > MAX_PACE ? MAX_PACE : Math.floor(pace);
    this.armed = pace;
    if (pace < next) next = pace;
    this.perCheck = this.countdown = next < 1.5 ? 1 : Math.round(next); // a span of 1.9999… items (clock rounding) is 2
  }
}

/**
 * A manual bar, started now. Call `update(n)` as work is done and `close()` at the end.
 * @example
 * const bar = progress.bar({ desc: 'upload', total: size, unit: 'B' });
 * stream.on('data', (chunk) => bar.update(chunk.length));
 * stream.on('end', () => bar.close());
 */
export function createBar(options: BarOptions = {}): Bar {
  return new Bar(resolveOptions(options)).start();
}
