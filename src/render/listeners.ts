/**
 * Who else was listening when an event was emitted: the question behind "does the program handle this
 * signal?" and "does the program handle this stream's errors?".
 *
 * Counting the listeners from inside one of them undercounts: `emit` calls the listeners it found when it
 * began, but a `once` listener removes itself just before it is called, so the ones that ran before ours
 * are gone from the count by the time ours runs (and in which order they run depends on who registered
 * first, and on `prependListener`). So while watching, every removal of a listener of the watched events is
 * noted, and the notes are dropped on the next `process.nextTick`: an event that is being emitted sees the
 * listeners still registered plus the ones removed since the current tick began, which are the ones its
 * `emit` found (a listener removed in an earlier tick, before the emit began, is no longer noted; one
 * removed during the emit was there when it began). Signals are emitted in a tick of their own, so for
 * them the count is exact; a stream's 'error' is emitted from a `nextTick` callback, so a listener removed
 * by a callback queued just before it is still counted (a program removing its error listener at that
 * instant is left to its own devices).
 */
type Listener = (...args: unknown[]) => void;

export interface Watchable {
  on(event: string | symbol, listener: Listener): unknown;
  removeListener(event: string | symbol, listener: Listener): unknown;
  listeners(event: string | symbol): readonly unknown[];
}

export class ListenerWatch {
  private readonly removed = new Map<string, number>();
  private watching = false;
  private resetQueued = false;

  /**
   * @param emitter what to watch
   * @param events the events whose listeners are counted
   * @param own our own listener of those events, never counted
   */
  constructor(
    private readonly emitter: Watchable,
    private readonly events: readonly string[],
    private readonly own: unknown,
  ) {}

  private readonly onRemove = (event: unknown, listener: unknown): void => {
    if (listener === this.own || typeof event !== 'string' || !this.events.includes(event)) return;
    this.removed.set(event, (this.removed.get(event) ?? 0) + 1);
    if (this.resetQueued) return;
    this.resetQueued = true;
    process.nextTick(this.reset);
  };

  private readonly reset = (): void => {
    this.resetQueued = false;
    this.removed.clear();
  };

  /** Starts counting removals (listens to `removeListener`). */
  listen(): void {
    if (this.watching) return;
    this.watching = true;
    this.emitter.on('removeListener', this.onRemove);
  }

  /** Stops counting them. */
  unlisten(): void {
    if (!this.watching) return;
    this.watching = false;
    this.emitter.removeListener('removeListener', this.onRemove);
    this.removed.clear();
  }

  /** Listeners of `event`, ours aside, that the emit in progress calls (or, between emits, would call). */
  others(event: string): number {
    const present = this.emitter.listeners(event).filter((l) => l !== this.own).length;
    return present + (this.removed.get(event) ?? 0);
  }
}
