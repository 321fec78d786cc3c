/**
 * A renderer's keep-alive timer, and what its ticks prove: that the event loop turns.
 *
 * The timer (an unref'd `setInterval`, so it never keeps the process alive) pokes the renderer, which draws
 * frames while items are slow. It only fires when the event loop turns, so its first tick on the main
 * thread is also when a signal handler could run: only then are SIGINT/SIGTERM armed (signals.ts) and may
 * the cursor be hidden. A sync loop starting, or a tick found late (something synchronous holds the event
 * loop), stands them down at once: an armed handler would hold Ctrl-C back for the whole loop.
 */
import { arm, disarm, type SignalOwner } from './signals.js';

/** The longest delay a Node timer takes (2³¹ − 1 ms, about 24.8 days): a longer one fires after 1 ms, with a warning. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;
/** A tick this much later than its period means the timer was starved. */
const LATE_BY = 25;

let mainThread: boolean | undefined;
/** Whether this is the main thread (where signal handlers run); `node:worker_threads` loads on first ask. */
function onMainThread(): boolean {
  mainThread ??= process.getBuiltinModule('node:worker_threads').isMainThread;
  return mainThread;
}

export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;
  /** The timer's period in ms (`Infinity` while it is not running). */
  private period = Infinity;
  /** Real time of the last tick (the renderer's clock may be fake). */
  private lastTickAt = 0;
  /** The timer fires, so the event loop turns: signal handlers can run and the cursor can be hidden. */
  private free = false;

  /**
   * @param owner what a signal does to the renderer's bars, while armed
   * @param hasBars whether the renderer has live bars (a tick arms the handlers only then)
   * @param onTick the renderer's poke
   */
  constructor(
    private readonly owner: SignalOwner,
    private readonly hasBars: () => boolean,
    private readonly onTick: () => void,
  ) {}

  /** The timer's period in ms, `Infinity` while it is not running. */
  get every(): number {
    return this.period;
  }

  /** Whether the event loop is known to turn (a tick came, and no sync loop started since). */
  get loopFree(): boolean {
    return this.free;
  }

  /**
   * Starts the timer for frames every `interval` ms (on a terminal; plain output every `10 · interval`, at
   * most 1 s; never under 16 ms), or restarts it when a bar asks for a shorter interval.
   */
  start(interval: number, tty: boolean): void {
    if (!Number.isFinite(interval)) return;
    const every = Math.min(Math.max(tty ? interval : Math.min(interval * 10, 1000), 16), MAX_TIMER_DELAY);
    if (this.timer !== undefined) {
      if (every >= this.period) return;
      clearInterval(this.timer);
    }
    this.period = every;
    this.lastTickAt = performance.now();
    this.timer = setInterval(() => this.tick(), this.period);
    this.timer.unref();
  }

  clear(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.period = Infinity;
  }

  private tick(): void {
    this.lastTickAt = performance.now();
    // Signal handlers run only on the main thread: bars drawn from a worker never hide the cursor.
    if (!this.free && this.hasBars() && onMainThread()) {
      this.free = true;
      arm(this.owner);
    }
    this.onTick();
  }

  /**
   * Whether the timer is late (by more than a period and `LATE_BY` ms) since its last tick, or since
   * `after` if that is later: something synchronous holds the event loop.
   */
  late(after = -Infinity): boolean {
    return performance.now() - Math.max(this.lastTickAt, after) > this.period + LATE_BY;
  }

  /** A synchronous loop holds the event loop: stand the signal handlers down at once. */
  standDown(): void {
    if (!this.free) return;
    this.free = false;
    disarm(this.owner, true);
  }

  /** The bars are done: the handlers go (one event-loop turn later, see signals.ts). */
  release(): void {
    disarm(this.owner);
    this.free = false;
  }
}
