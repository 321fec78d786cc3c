/**
 * Sync adapters: they yield exactly what the source yields and tell the bar "one more" (or the item's
 * weight) as each item is finished with, that is when the next one is asked for, and "done" at the end.
 *
 * An item counts once the loop body is through with it (as tqdm does): `420/1000` means 420 processed.
 * Every exit closes the bar: the end of the source, `break`/`return` and an exception in the loop body
 * (for…of calls `return()`, which is passed on to the source so a generator's `finally` runs), and an
 * exception from the source (closed as failed, re-thrown unchanged).
 */
import type { Bar } from '../bar.js';

export interface ProgressIterator<T> extends IterableIterator<T> {
  /** The bar this iteration drives: use it to `set({ postfix })` from inside the loop. */
  readonly bar: Bar;
}

/** Arrays (with their own iterator): index-based, no per-item allocation beyond the result. */
export class ArrayProgressIterator<T> implements ProgressIterator<T> {
  private i = 0;
  private pending = 0;

  constructor(
    private readonly array: readonly T[],
    readonly bar: Bar,
  ) {
    bar.iteration = this;
  }

  next(): IteratorResult<T> {
    const bar = this.bar;
    bar.state.n += this.pending;
    if (--bar.countdown <= 0) bar.check();
    const i = this.i;
    if (i < this.array.length) {
      this.i = i + 1;
      this.pending = 1;
      return { value: this.array[i] as T, done: false };
    }
    this.pending = 0;
    bar.end('done');
    return { value: undefined, done: true };
  }

  return(value?: unknown): IteratorResult<T> {
    this.i = this.array.length;
    this.pending = 0;
    this.bar.end('stopped');
    return { value: value as T, done: true };
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

/** Any other sync iterable, optionally weighted. */
export class SyncProgressIterator<T> implements ProgressIterator<T> {
  private iterator: Iterator<T> | undefined;
  private pending = 0;
  private finished = false;

  constructor(
    private readonly source: Iterable<T>,
    readonly bar: Bar,
    private readonly weight: ((item: T) => number) | undefined,
  ) {
    bar.iteration = this;
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
    bar.state.n += this.pending;
    if (--bar.countdown <= 0) bar.check();
    let result: IteratorResult<T>;
    try {
      result = it.next();
    } catch (error) {
      this.finish('failed');
      throw error;
    }
    if (result.done) {
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
    this.bar.end(outcome);
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

/** `progress(n)`: 0, 1, …, n − 1. */
export class RangeProgressIterator implements ProgressIterator<number> {
  private i = 0;
  private pending = 0;

  constructor(
    private readonly end: number,
    readonly bar: Bar,
  ) {
    bar.iteration = this;
  }

  next(): IteratorResult<number> {
    const bar = this.bar;
    bar.state.n += this.pending;
    if (--bar.countdown <= 0) bar.check();
    const i = this.i;
    if (i < this.end) {
      this.i = i + 1;
      this.pending = 1;
      return { value: i, done: false };
    }
    this.pending = 0;
    bar.end('done');
    return { value: undefined, done: true };
  }

  return(value?: unknown): IteratorResult<number> {
    this.i = this.end;
    this.pending = 0;
    this.bar.end('stopped');
    return { value: value as number, done: true };
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
