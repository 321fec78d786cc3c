/**
 * Sync adapters: they yield exactly what the source yields and tell the bar "one more" (or the item's
 * weight) as each item is finished with, that is when the next one is asked for, and "done" at the end.
 *
 * An item counts once the loop body is through with it (as tqdm does): `420/1000` means 420 processed.
 * Every exit closes the bar: the end of the source, `break`/`return` and an exception in the loop body
 * (for…of calls `return()`, which is passed on to the source so a generator's `finally` runs), and an
 * exception from the source (closed as failed, re-thrown unchanged; a `next()` that gives a non-object
 * fails with the TypeError a bare loop throws).
 */
import type { Bar, ProgressBar } from '../bar.js';
import { isObjectLike, notAnIteratorResult } from './iterator-result.js';

export interface ProgressIterator<T, B extends Bar = Bar> extends IterableIterator<T> {
  /** The bar this iteration drives: use it to `set({ postfix })` from inside the loop (see `ProgressAsyncIterator`). */
  readonly bar: B;
}

/**
 * Arrays (with their own iterator): index-based. Per item, `next()` only moves its index and compares it
 * with the next sync point; the bar's count is brought up to date there (when the bar's countdown would
 * have run out: about every `minInterval / 4`), at the end, and whenever the bar reads its count
 * (`bar.n`, a frame, `close()`: the bar calls `flush()` first), so no reader ever sees a stale count.
 * This keeps the per-item cost near a bare `for…of` (docs/benchmarks.md).
 */
export class ArrayProgressIterator<T> implements ProgressIterator<T> {
  private i = 0;
  /** The index at which `next()` next syncs with the bar. */
  private syncAt = 0;
  /** Items already added to the bar's count. */
  private counted = 0;
  private ended = false;

  constructor(
    private readonly array: readonly T[],
    readonly bar: ProgressBar,
  ) {
    bar.iteration = this;
  }

  next(): IteratorResult<T> {
    const i = this.i;
    if (i >= this.syncAt) this.sync(i);
    // One result object literal for both outcomes: V8 then removes the allocation from an optimized
    // loop (escape analysis). With two literals (item / done) it cannot, and every item allocates.
    let value: T | undefined;
    let done = false;
    if (i < this.array.length) {
      this.i = i + 1;
      value = this.array[i];
    } else {
      this.finish(i, 'done');
      done = true;
    }
    return { value, done } as IteratorResult<T>;
  }

  return(value?: unknown): IteratorResult<T> {
    const i = this.i;
    this.finish(i > 0 ? i - 1 : 0, 'stopped'); // the item in the loop body is not finished
    this.i = this.array.length;
    return { value: value as T, done: true };
  }

  /** @internal Called by the bar before it reads its count: adds the items finished so far. */
  flush(): void {
    const i = this.i;
    this.count(i > 0 ? i - 1 : 0);
  }

  /** Items before index `i` are finished: count them, let the bar lap (read the clock, maybe draw, reload). */
  private sync(i: number): void {
    this.count(i);
    this.syncAt = i + this.bar.lapNow(); // the countdown ran out here: this loop moves its index instead
  }

  private count(finished: number): void {
    if (finished > this.counted && !this.ended) {
      this.bar.flushed(finished - this.counted);
      this.counted = finished;
    }
  }

  private finish(finished: number, outcome: 'done' | 'stopped'): void {
    this.count(finished);
    this.ended = true;
    this.bar.closeAs(outcome);
  }

  /** A sync loop holds the event loop while it runs (the renderer stands its signal handlers down). */
  readonly blocking = true;

  /** Whether the loop body is working on an item (used to nest bars opened inside it). */
  get inItem(): boolean {
    return !this.ended && this.i > 0;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Any other sync iterable, optionally weighted. */
export class SyncProgressIterator<T> implements ProgressIterator<T> {
  private iterator: Iterator<T> | undefined;
  private pending = 0;
  private finished = false;

  constructor(
    private readonly source: Iterable<T>,
    readonly bar: ProgressBar,
    private readonly weight: ((item: T) => number) | undefined,
  ) {
    bar.iteration = this;
  }

  /** The bar counts weights, not items: its total is no count of what this yields (see `ProgressBar.itemTotal`). */
  get weighted(): boolean {
    return this.weight !== undefined;
  }

  next(): IteratorResult<T> {
    if (this.finished) return { value: undefined, done: true };
    const bar = this.bar;
    let it = this.iterator;
    if (it === undefined) {
      bar.start();
      try {
        it = this.iterator = this.source[Symbol.iterator]();
      } catch (error) {
        this.finish('failed'); // a source that cannot start is a failed source: close the bar
        throw error;
      }
    }
    bar.add(this.pending);
    let result: IteratorResult<T>;
    let done: boolean | undefined;
    try {
      result = it.next();
      // A result that is not an object, or a `done` getter that throws: the error a bare loop throws.
      if (!isObjectLike(result)) throw notAnIteratorResult(result);
      done = result.done;
    } catch (error) {
      this.finish('failed');
      throw error;
    }
    if (done) {
      this.finish('done');
      return result;
    }
    if (this.weight === undefined) this.pending = 1;
    else {
      try {
        this.pending = this.weight(result.value);
      } catch (error) {
        this.stop();
        throw error;
      }
    }
    return result;
  }

  return(value?: unknown): IteratorResult<T> {
    if (this.finished) return { value: value as T, done: true };
    this.stop();
    return { value: value as T, done: true };
  }

  /** Stops early: passes `return()` on to the source (so its `finally` runs), then closes the bar. */
  private stop(): void {
    const it = this.iterator;
    try {
      it?.return?.();
    } finally {
      this.finish('stopped');
    }
  }

  private finish(outcome: 'done' | 'failed' | 'stopped'): void {
    this.finished = true;
    this.pending = 0;
    this.bar.closeAs(outcome);
  }

  /** A sync loop holds the event loop while it runs (the renderer stands its signal handlers down). */
  readonly blocking = true;

  /** Whether the loop body is working on an item (used to nest bars opened inside it). */
  get inItem(): boolean {
    return this.pending !== 0;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** `progress(n)`: 0, 1, …, n − 1. Counts lazily, as `ArrayProgressIterator` does. */
export class RangeProgressIterator implements ProgressIterator<number> {
  private i = 0;
  /** The index at which `next()` next syncs with the bar. */
  private syncAt = 0;
  /** Items already added to the bar's count. */
  private counted = 0;
  private ended = false;

  constructor(
    private readonly end: number,
    readonly bar: ProgressBar,
  ) {
    bar.iteration = this;
  }

  next(): IteratorResult<number> {
    const i = this.i;
    if (i >= this.syncAt) this.sync(i);
    // One result object literal for both outcomes (see ArrayProgressIterator.next).
    let value: number | undefined;
    let done = false;
    if (i < this.end) {
      this.i = i + 1;
      value = i;
    } else {
      this.finish(i, 'done');
      done = true;
    }
    return { value, done } as IteratorResult<number>;
  }

  return(value?: unknown): IteratorResult<number> {
    const i = this.i;
    this.finish(i > 0 ? i - 1 : 0, 'stopped'); // the item in the loop body is not finished
    this.i = this.end;
    return { value: value as number, done: true };
  }

  /** @internal Called by the bar before it reads its count: adds the items finished so far. */
  flush(): void {
    const i = this.i;
    this.count(i > 0 ? i - 1 : 0);
  }

  private sync(i: number): void {
    this.count(i);
    this.syncAt = i + this.bar.lapNow(); // see ArrayProgressIterator.sync
  }

  private count(finished: number): void {
    if (finished > this.counted && !this.ended) {
      this.bar.flushed(finished - this.counted);
      this.counted = finished;
    }
  }

  private finish(finished: number, outcome: 'done' | 'stopped'): void {
    this.count(finished);
    this.ended = true;
    this.bar.closeAs(outcome);
  }

  /** A sync loop holds the event loop while it runs (the renderer stands its signal handlers down). */
  readonly blocking = true;

  /** Whether the loop body is working on an item (used to nest bars opened inside it). */
  get inItem(): boolean {
    return !this.ended && this.i > 0;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
