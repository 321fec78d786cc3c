/**
 * Async adapter: anything with `Symbol.asyncIterator` (async generators, Node Readable streams, web
 * ReadableStreams). Yields exactly what the source yields; an item counts when the next one is asked
 * for; `done`, an error from the source (re-thrown unchanged) and an early exit (`break`, an exception in
 * the loop body: `for await` calls `return()`, passed on to the source) each close the bar.
 */
import type { Bar } from '../bar.js';

export interface ProgressAsyncIterator<T> extends AsyncIterableIterator<T> {
  /** The bar this iteration drives: use it to `set({ postfix })` from inside the loop. */
  readonly bar: Bar;
}

export class AsyncProgressIterator<T> implements ProgressAsyncIterator<T> {
  private iterator: AsyncIterator<T> | undefined;
  private pending = 0;
  private finished = false;
  private readonly onResult: (result: IteratorResult<T>) => IteratorResult<T>;
  private readonly onError: (error: unknown) => never;

  constructor(
    private readonly source: AsyncIterable<T>,
    readonly bar: Bar,
    private readonly weight: ((item: T) => number) | undefined,
  ) {
    bar.iteration = this;
    this.onResult = (result) => {
      if (result.done) this.finish('done');
      else if (this.weight === undefined) this.pending = 1;
      else {
        try {
          this.pending = this.weight(result.value);
        } catch (error) {
          void this.stop(); // a bad weight ends the iteration; the source is told to clean up
          throw error;
        }
      }
      return result;
    };
    this.onError = (error) => {
      this.finish('failed');
      throw error;
    };
  }

  next(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    const bar = this.bar;
    let it = this.iterator;
    let promise: Promise<IteratorResult<T>> | IteratorResult<T>;
    try {
      if (it === undefined) {
        bar.start();
        it = this.iterator = this.source[Symbol.asyncIterator]();
      }
      bar.state.n += this.pending;
      this.pending = 0;
      if (--bar.countdown <= 0) bar.check();
      promise = it.next();
    } catch (error) {
      this.finish('failed');
      return Promise.reject(error);
    }
    return promise instanceof Promise
      ? promise.then(this.onResult, this.onError)
      : Promise.resolve(promise).then(this.onResult, this.onError);
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    if (this.finished) return { value: value as T, done: true };
    return this.stop(value);
  }

  private async stop(value?: unknown): Promise<IteratorResult<T>> {
    this.finished = true;
    try {
      const result = await this.iterator?.return?.(value);
      return result ?? { value: value as T, done: true };
    } finally {
      this.finish('stopped');
    }
  }

  private finish(outcome: 'done' | 'failed' | 'stopped'): void {
    this.finished = true;
    this.pending = 0;
    this.bar.end(outcome);
  }

  /** Whether the loop body is working on an item (used to nest bars opened inside it). */
  get inItem(): boolean {
    return this.pending !== 0;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
