/**
 * The bar of a set of tasks (promises or calls). On top of a plain bar it knows, through a tracker,
 * what is still pending; it counts failures; it notices when nothing has settled for `stallAfter` ms
 * (`stalled 42s`), and when it closes unfinished it reports the oldest inputs still pending.
 *
 * Settling a task costs what an item of a loop costs: `add(1)`, a count and a countdown; no settlement
 * reads the clock. The time of the last settlement is read in `lap()`, which the countdown calls a few
 * times per frame when tasks settle fast and on every settlement when they are slow. After a burst, the
 * countdown is loaded for thousands of settlements; if a slow trickle follows, sampling the clock (before
 * a frame) sees settlements that no lap timed: it takes its own time for the last one (so the bar never
 * says "stalled" while tasks settle) and reloads the countdown to 1, so the next settlement is timed.
 *
 * Its count is the number of settled tasks, so only settlements write it: `update()`, `set({ n })` and
 * `reset()` throw (the line would say 0 done while the failures, the pending tasks and the stall clock
 * went on); `set({ desc, total, postfix })` works as on any bar.
 */
import { ProgressBar } from '../bar.js';
import type { Snapshot } from '../core/state.js';
import type { Resolved } from '../options/bar.js';
import type { BarUpdate, FailedTask, PendingTask, TasksBar } from '../bar-api.js';
import { SettleTimes } from '../core/settle-times.js';
import { checkNumber } from '../options/checks.js';
import { FailureLog, formatFailureReport, REPORTED_FAILURES } from './failures.js';
import type { TaskTracker } from './pending.js';
import { formatPendingReport, REPORTED } from './pending.js';
import { formatWaitingLine, LIVE_LIST, SLOW_FACTOR, SLOW_PERCENTILE } from './stragglers.js';

export class TaskProgressBar extends ProgressBar implements TasksBar {
  /** Failures so far (each also counted in `n`). */
  failed = 0;
  /**
   * Settle mode with `reportFailures` (set by whoever drives the bar): the bar goes on after failures,
   * and names the first few under its final line.
   */
  reportsFailures = false;
  /** The failures whose input is known, for `failures()` and the report (the first 1,000). */
  private readonly failureLog = new FailureLog();
  /** Set by whoever drives the bar, before it starts. */
  tracker: TaskTracker | undefined;
  /** Clock time of the last settlement seen by `lap()` or `sample()` (or of the start). */
  private lastSettleAt = 0;
  /** The count when `lastSettleAt` was taken. */
  private timedN = 0;
  private begun = false;
  /** How long the tasks that settled took (for the straggler rule, stragglers.ts). */
  readonly settleTimes = new SettleTimes();

  /**
   * @param stallAfter milliseconds of silence before the bar says it is stalled (`Infinity`: never).
   * @param slowAfter the straggler rule's floor in milliseconds (`Infinity`: no input is ever slow).
   */
  constructor(
    options: Resolved,
    readonly stallAfter: number,
    readonly slowAfter = 10_000,
  ) {
    super(options);
  }

  override start(): this {
    if (this.begun) return this;
    this.begun = true;
    super.start();
    this.lastSettleAt = this.clock();
    this.timedN = this.state.n;
    return this;
  }

  /**
   * The total as a number of what the bar's iteration yields: `progress.asCompleted()` and `progress.map()`
   * yield one result per task, and so does `for await` over `progress(arrayOfPromises)`, so
   * `progress(progress.map(items, fn))` takes the number of tasks as its total.
   */
  override get itemTotal(): number | undefined {
    return this.state.total;
  }

  /** Throws: the count is the number of settled tasks (see the class). */
  override update(n?: number): void {
    throw countIsSettlements(`bar.update(${typeof n === 'number' ? n : ''})`);
  }

  /** Other threads cannot count settlements of this bar's tasks. */
  override share(): never {
    throw countIsSettlements('bar.share()');
  }

  /** `desc`, `total` and `postfix` as on any bar; `n` throws (nothing of the update is applied). */
  override set(update: BarUpdate): void {
    if (update !== null && typeof update === 'object' && 'n' in update) throw countIsSettlements('bar.set({ n })');
    super.set(update);
  }

  /** Throws: the count is the number of settled tasks (see the class). */
  override reset(_total?: number): void {
    throw countIsSettlements('bar.reset()');
  }

  /** One task settled (`ok: false` for a failure). The hot path of every task function. */
  settled(ok: boolean): void {
    if (!ok) this.failed++;
    this.add(1);
  }

  /** The bar's clock, read now (the time a lazy input starts). */
  now(): number {
    return this.clock();
  }

  /** One task settled after `ms` (a call of `map`, timed by its tracker). */
  settledAfter(ok: boolean, ms: number): void {
    this.settleTimes.add(ms);
    this.settled(ok);
  }

  /** Whether the next failure is kept: only then is its label worth asking for (see `failedAt`). */
  get keepsNextFailure(): boolean {
    return this.failureLog.keepsNext;
  }

  /** Input `index` failed with `error` (besides `settled(false)`, which counts it). */
  failedAt(index: number, error: unknown, label: string | undefined): void {
    this.failureLog.add(index, error, label);
  }

  /** TasksBar: the pending tasks, oldest first; waiting times frozen once the bar is closed. */
  pending(limit?: number): PendingTask[] {
    const max =
      limit === undefined
        ? Infinity
        : checkNumber('limit', limit, 'a non-negative integer or `Infinity`', (n) => n === Infinity || (Number.isSafeInteger(n) && n >= 0));
    const tracker = this.tracker;
    if (tracker === undefined || max === 0) return [];
    const now = this.isClosed ? this.state.endTime : this.clock();
    return tracker.oldestPending(max).map((e) => ({ index: e.index, label: e.label, waitingMs: Math.max(0, now - e.since) }));
  }

  /** TasksBar: the failures whose input is known, in the order they came (the first 1,000). */
  failures(): FailedTask[] {
    return this.failureLog.list();
  }

  override lap(): void {
    super.lap();
    this.lastSettleAt = this.clock();
    this.timeSettled(this.lastSettleAt);
    this.timedN = this.state.n;
  }

  /**
   * Inputs that started together (see `TaskTracker.startedTogetherAt`): the settlements not timed yet
   * settled at about `now` (laps come a few times per frame interval, or at every settlement when they
   * are slow), so they took `now − start`.
   */
  private timeSettled(now: number): void {
    const start = this.tracker?.startedTogetherAt();
    if (start !== undefined && this.state.n > this.timedN) this.settleTimes.add(now - start, this.state.n - this.timedN);
  }

  /** How long an input must have waited to be slow, in ms (`Infinity`: none is, yet). See stragglers.ts. */
  slowThreshold(): number {
    const p = this.settleTimes.percentile(SLOW_PERCENTILE);
    return p === undefined || this.slowAfter === Infinity ? Infinity : Math.max(this.slowAfter, SLOW_FACTOR * p);
  }

  /** Pending inputs that are slow at `now` (0 once the bar has closed). */
  private slowCount(tracker: TaskTracker, now: number): number {
    if (this.state.outcome !== 'running') return 0;
    const threshold = this.slowThreshold();
    return threshold === Infinity ? 0 : tracker.slowCount(now - threshold);
  }

  /** Milliseconds since the last settlement (or the start). */
  idleFor(now: number): number {
    return now - this.lastSettleAt;
  }

  /**
   * Also: settlements since the last lap, at a time unknown, are taken as "just now" for the stall clock
   * (and as at the last lap for their settle times); the next one is timed.
   */
  override sample(now: number): void {
    super.sample(now);
    if (this.tracker === undefined || this.state.outcome !== 'running' || this.state.n === this.timedN) return;
    // Their settle times: those of the last lap, the earliest they can be. The countdown is loaded for
    // about 20 µs of settlements at the pace measured, so that is when they came, unless the pace fell
    // (a trickle after a burst); then they are timed short by at most the time between two frames.
    this.timeSettled(this.lastSettleAt);
    if (now > this.lastSettleAt) this.lastSettleAt = now;
    this.timedN = this.state.n;
    this.lapAtNextItem(); // one item to the next lap: its pace is measured right
  }

  override view(now: number): Snapshot {
    const s = super.view(now);
    const tracker = this.tracker;
    if (tracker === undefined) return s;
    const pending = tracker.pendingCount();
    const idle = now - this.lastSettleAt;
    const stalled = s.outcome === 'running' && pending > 0 && idle >= this.stallAfter ? idle / 1000 : undefined;
    const slow = pending > 0 ? this.slowCount(tracker, now) : 0;
    return { ...s, tasks: { running: tracker.runningCount(), pending, failed: this.failed, stalled, slow } };
  }

  /**
   * Drawable: the live list under the bar while some inputs are slow or the bar is stalled: the oldest
   * pending ones, at most `LIVE_LIST` (`  #17 https://…  waiting 42s`); none once they settle.
   */
  override belowLines(now: number, width: number, colors: boolean): readonly string[] {
    const tracker = this.tracker;
    if (tracker === undefined || this.state.outcome !== 'running' || tracker.pendingCount() === 0) return [];
    const stalled = now - this.lastSettleAt >= this.stallAfter;
    const shown = stalled ? LIVE_LIST : Math.min(LIVE_LIST, this.slowCount(tracker, now));
    if (shown === 0) return [];
    return tracker.oldestPending(shown).map((entry) => formatWaitingLine(entry, now, width, colors));
  }

  /**
   * Under a closing bar: which inputs were still pending, oldest first (when it closes unfinished), then,
   * in settle mode with `reportFailures`, the first few that failed.
   */
  protected override reportLines(now: number, width: number, colors: boolean): string[] {
    const lines = this.state.outcome === 'done' ? [] : this.pendingLines(now, width, colors);
    if (this.reportsFailures && this.failed > 0) {
      lines.push(...formatFailureReport(this.failureLog.first(REPORTED_FAILURES), this.failed, width, colors));
    }
    return lines;
  }

  /** Drawable: the report on demand (a signal, render/signals.ts): which inputs are pending, oldest first. */
  override demandLines(now: number, width: number, colors: boolean): string[] {
    return this.pendingLines(now, width, colors);
  }

  private pendingLines(now: number, width: number, colors: boolean): string[] {
    const tracker = this.tracker;
    if (tracker === undefined) return [];
    const pending = tracker.pendingCount();
    if (pending === 0) return [];
    return formatPendingReport(tracker.oldestPending(REPORTED), pending, now, width, colors);
  }
}

/** The error of `update()`, `set({ n })`, `reset()` and `share()` on a task bar. */
function countIsSettlements(call: string): Error {
  return new Error(
    `Cannot call ${call} on the bar of a set of tasks: its count is the number of tasks settled so far, ` +
      'kept by the tasks themselves (change its desc, total or postfix with bar.set(); for a new run, open a new bar)',
  );
}
