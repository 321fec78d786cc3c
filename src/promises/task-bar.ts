/**
 * The bar of a set of tasks (promises or calls). On top of a plain bar it knows, through a tracker,
 * what is still pending; it counts failures; it notices when nothing has settled for `stallAfter` ms
 * (`stalled 42s`), and when it closes unfinished it reports the oldest inputs still pending.
 *
 * Settling a task costs what an item of a loop costs: `state.n += 1` and a countdown; no settlement
 * reads the clock. The time of the last settlement is read in `check()`, which the countdown calls a few
 * times per frame when tasks settle fast and on every settlement when they are slow. After a burst, the
 * countdown is armed for thousands of settlements; if a slow trickle follows, a snapshot (a frame) sees
 * settlements that no `check()` timed: it takes its own time for the last one (so the bar never says
 * "stalled" while tasks settle) and re-arms the countdown to 1, so the next settlement is timed.
 */
import { Bar } from '../bar.js';
import type { Snapshot } from '../core/state.js';
import type { Resolved } from '../options/bar.js';
import type { TaskTracker } from './pending.js';
import { formatPendingReport, REPORTED } from './pending.js';

export class TaskBar extends Bar {
  /** Failures so far (each also counted in `n`). */
  failed = 0;
  /** Set by whoever drives the bar, before it starts. */
  tracker: TaskTracker | undefined;
  /** Clock time of the last settlement seen by `check()` (or of the start). */
  private lastSettleAt = 0;
  /** The count when `lastSettleAt` was taken. */
  private timedN = 0;
  private begun = false;

  /** @param stallAfter milliseconds of silence before the bar says it is stalled (`Infinity`: never). */
  constructor(
    options: Resolved,
    readonly stallAfter: number,
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

  /** One task settled (`ok: false` for a failure). The hot path of every task function. */
  settled(ok: boolean): void {
    if (!ok) this.failed++;
    this.state.n += 1;
    if (--this.countdown <= 0) this.check();
  }

  override check(): void {
    super.check();
    this.lastSettleAt = this.clock();
    this.timedN = this.state.n;
  }

  /** Milliseconds since the last settlement (or the start). */
  idleFor(now: number): number {
    return now - this.lastSettleAt;
  }

  override snapshot(now = this.clock()): Snapshot {
    const s = super.snapshot(now);
    const tracker = this.tracker;
    if (tracker === undefined) return s;
    if (s.n !== this.timedN && s.outcome === 'running') {
      // Settled since the last check, at a time unknown: say "just now", and time the next one.
      this.timedN = s.n;
      if (now > this.lastSettleAt) this.lastSettleAt = now;
      this.perCheck = this.countdown = 1; // one item to the next check: its pace is measured right
    }
    const pending = tracker.pendingCount();
    const idle = now - this.lastSettleAt;
    const stalled = s.outcome === 'running' && pending > 0 && idle >= this.stallAfter ? idle / 1000 : undefined;
    return { ...s, tasks: { running: tracker.runningCount(), pending, failed: this.failed, stalled } };
  }

  /** Under a bar that closes unfinished: which inputs were still pending, oldest first. */
  protected override reportLines(now: number, width: number, colors: boolean): string[] {
    const tracker = this.tracker;
    if (tracker === undefined || this.state.outcome === 'done') return [];
    const pending = tracker.pendingCount();
    if (pending === 0) return [];
    return formatPendingReport(tracker.oldestPending(REPORTED), pending, now, width, colors);
  }
}
