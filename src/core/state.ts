import { RateEstimator } from './estimator.js';

/** How a bar ended: still running, finished normally, or stopped early. */
export type Outcome = 'running' | 'done' | 'failed' | 'aborted' | 'stopped';

/** An immutable view of a bar at one instant: all that formatting needs, already computed. */
export interface Snapshot {
  readonly desc: string;
  readonly n: number;
  readonly total: number | undefined;
  readonly unit: string;
  readonly bytes: boolean;
  /** Whether counts use SI prefixes (`1.23M`). */
  readonly unitScale: boolean;
  /** 1024: binary sizes and prefixes (`KiB`, `Ki`); 1000 (or absent): SI. */
  readonly unitDivisor?: 1000 | 1024 | undefined;
  /** Seconds since the bar started. */
  readonly elapsed: number;
  /** Units per second; the overall average once the bar has ended. `undefined` before any sample. */
  readonly rate: number | undefined;
  /** Seconds left, or `undefined` when unknown (and once the bar has ended short of its total). */
  readonly eta: number | undefined;
  readonly postfix: string;
  readonly outcome: Outcome;
  /** Bars that track tasks (promises, calls): what is running, failed, stuck. Absent for other bars. */
  readonly tasks?: TaskCounts | undefined;
}

/** What a task bar (`progress.gather`, `asCompleted`, `map`, arrays of promises) adds to its snapshot. */
export interface TaskCounts {
  /** Calls running now (`progress.map`: shown as `8 running`); `undefined` when not shown. */
  readonly running: number | undefined;
  /** Inputs or calls not settled yet. */
  readonly pending: number;
  /** Failures so far (already counted in `n`). Shown as `3 failed` when above 0. */
  readonly failed: number;
  /** Seconds since anything settled, once that is `stallAfter` or more with work pending; else `undefined`. */
  readonly stalled: number | undefined;
  /** Pending inputs that are stragglers (promises/stragglers.ts): shown as `2 slow` when above 0. */
  readonly slow?: number | undefined;
}

/**
 * The counts, timings and estimator of one bar. No I/O: it is told the time by its caller.
 */
export class ProgressState {
  n: number;
  total: number | undefined;
  desc: string;
  postfix = '';
  outcome: Outcome = 'running';
  startTime = 0;
  endTime = 0;
  /** The count timing started from: the `initial` option, 0 after a `restart` (the overall rate is counted from it). */
  initial: number;
  private estimator: RateEstimator;
  private readonly rateWindow: number;
  private sampledN: number;
  private sampledAt = 0;
  /** Time of the last sample that saw progress: the start of the current silence. */
  private lastStepAt = 0;
  /** A reading since the last step found no progress: the next step follows a silence that was seen. */
  private silenceSeen = false;

  constructor(
    init: { initial: number; total: number | undefined; desc: string; rateWindow: number },
    readonly unit: string,
    readonly bytes: boolean,
    readonly unitScale: boolean | 'auto',
    readonly unitDivisor: 1000 | 1024 = 1000,
  ) {
    this.n = init.initial;
    this.initial = init.initial;
    this.sampledN = init.initial;
    this.total = init.total;
    this.desc = init.desc;
    this.rateWindow = init.rateWindow;
    this.estimator = new RateEstimator(init.rateWindow);
  }

  /** Starts over at `now` (`bar.reset()`): the count at 0, the estimator empty, timing from now. */
  restart(now: number, total: number | undefined): void {
    this.n = 0;
    this.initial = 0;
    this.sampledN = 0;
    this.total = total;
    this.estimator = new RateEstimator(this.rateWindow);
    this.start(now);
  }

  /** Starts timing. */
  start(now: number): void {
    this.startTime = now;
    this.sampledAt = now;
    this.lastStepAt = now;
    this.silenceSeen = false;
  }

  /** Feeds the estimator with the progress made since the previous sample. */
  sample(now: number): void {
    const dn = this.n - this.sampledN;
    if (dn === 0) {
      // Silence is accounted for when the rate is read; a reading that saw it makes the next step's gap known.
      if (now > this.sampledAt) this.silenceSeen = true;
      return;
    }
    const dt = now - this.sampledAt;
    this.estimator.sample(dn, dt, this.silenceSeen ? dt : 0);
    this.silenceSeen = false;
    this.sampledN = this.n;
    this.sampledAt = now;
    this.lastStepAt = now;
  }

  close(outcome: Exclude<Outcome, 'running'>, now: number): void {
    if (this.outcome !== 'running') return;
    this.sample(now);
    this.outcome = outcome;
    this.endTime = now;
  }

  snapshot(now: number): Snapshot {
    const running = this.outcome === 'running';
    const until = running ? now : this.endTime;
    const elapsedMs = Math.max(0, until - this.startTime);
    let rate: number | undefined;
    if (running) rate = this.estimator.rate(now - this.lastStepAt);
    else rate = elapsedMs > 0 && this.n > this.initial ? ((this.n - this.initial) / elapsedMs) * 1000 : undefined;
    let eta: number | undefined;
    if (this.total !== undefined) {
      const left = this.total - this.n;
      if (left <= 0) eta = 0;
      else if (!running) eta = undefined; // ended short of the total (even by `close()`): no claim of time left
      else if (rate !== undefined && rate > 0) {
        const seconds = left / rate; // overflows to Infinity when the rate is subnormal (a very long stall)
        if (seconds < Infinity) eta = seconds;
      }
    }
    const unitScale = this.unitScale === 'auto' ? Math.max(this.n, this.total ?? 0) >= 100_000 : this.unitScale;
    return {
      desc: this.desc,
      n: this.n,
      total: this.total,
      unit: this.unit,
      bytes: this.bytes,
      unitScale,
      unitDivisor: this.unitDivisor,
      elapsed: elapsedMs / 1000,
      rate,
      eta,
      postfix: this.postfix,
      outcome: this.outcome,
    };
  }
}
