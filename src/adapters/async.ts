/**
 * Async adapter: anything with `Symbol.asyncIterator` (async generators, Node Readable streams, web
 * ReadableStreams). Yields exactly what the source yields; an item counts when the next one is asked
 * for; `done`, an error from the source (re-thrown unchanged) and an early exit (`break`, an exception in
 * the loop body: `for await` calls `return()`, passed on to the source) each close the bar.
 *
 * Cost. Every call to `next()` but the last is followed by another, which proves the one before was an
 * item: so `next()` counts calls (lazily: the bar's count catches up at its next clock read, every
 * `countdown` calls as in any loop, and whenever it is read through `flush()`) and hands back the
 * source's own promise. Only the end (`done`) or a rejection needs reading, and it must be read before
 * the code after the loop runs. Two ways, by what is known:
 *
 * - Peeked (no `weight`, the total unknown or not in reach): one shared reaction registered on the
 *   source's promise before the loop gets it, so it runs just before the loop's own: a `done` or a
 *   rejection closes the bar (final line written) before the loop goes on. That reaction is the floor of
 *   any wrapper that reads every result: about 1.3× a bare `for await` over a trivial async generator
 *   (docs/benchmarks.md: the designs tried), nothing measurable once items do real work.
 * - Unread (no `weight`, a known total more than one item ahead, items coming fast: over a thousand per
 *   quarter of `minInterval`, the bar's `pace`): nothing registered at all (≈ 1.05×). Near and past the
 *   total results are read again, so a source that ends at or after its total closes the bar before the
 *   code after the loop runs. The price: a fast source that ends or fails short of its known total is
 *   seen by a watch timer (unref'd) that reads the last promise handed back unread: that bar closes up to
 *   one `minInterval` late, after the code following the loop has started (or at process exit, as
 *   `stopped`).
 *
 * With a `weight`, or a source whose `next()` gives no native promise, every result is read through a
 * promise chained on the source's (`then(onResult)`): the weight is the item's, and its error is the loop's.
 */
import type { Bar, ProgressBar } from '../bar.js';
import { isObjectLike, notAnIteratorResult } from './iterator-result.js';

/** Items per quarter interval (`bar.pace`) from which results may go unread: about 40k items/s. */
const FAST = 1024;

/** %AsyncGeneratorPrototype%: its `next()` always returns a native promise (Node streams use it too). */
const asyncGeneratorPrototype = Object.getPrototypeOf(async function* () {}.prototype) as AsyncGenerator;

function isAsyncGenerator(it: unknown): boolean {
  if (it === null || typeof it !== 'object') return false;
  const own = Object.getPrototypeOf(it) as object | null;
  return (
    own !== null &&
    Object.getPrototypeOf(own) === asyncGeneratorPrototype &&
    (it as AsyncGenerator).next === asyncGeneratorPrototype.next
  );
}

export interface ProgressAsyncIterator<T, B extends Bar = Bar> extends AsyncIterableIterator<T> {
  /**
   * The bar this iteration drives: use it to `set({ postfix })` from inside the loop. For a set of tasks
   * (`progress.map()`, `progress.asCompleted()`, `progress(arrayOfPromises)`) a `TasksBar`, which also
   * says what is pending and what failed.
   */
  readonly bar: B;
}

export class AsyncProgressIterator<T> implements ProgressAsyncIterator<T> {
  private iterator: AsyncIterator<T> | undefined;
  private pending = 0;
  private finished = false;
  private readonly onResult: (result: IteratorResult<T>) => IteratorResult<T>;
  private readonly onError: (error: unknown) => never;
  /** Calls that went the fast path (results peeked or unread), in all. */
  private unreadCalls = 0;
  /** `unreadCalls` when the bar's count last caught up with them (`flush`). */
  private flushedCalls = 0;
  /** The fast path may run while `unreadCalls` is below this. */
  private unreadUntil = 0;
  /** The fast path peeks at each result (the total unknown, no weight) rather than leaving it unread. */
  private peeking = false;
  /** At this many unread calls the fast path lets the bar lap (its countdown has run out). */
  private lapAt = 0;
  /** The source is an async generator: its results are native promises, no need to check each. */
  private nativePromises = false;
  /** The source's promise last handed back unread, until the watch reads it. */
  private unread: Promise<IteratorResult<T>> | undefined;
  /** Reads `unread` every tick, so that a source ending short of its total is still seen. */
  private watch: NodeJS.Timeout | undefined;
  /** Reads a result the consumer gets too (peeked, or unread and read late by the watch): closes the bar at the end. */
  private readonly onAside: (result: IteratorResult<T>) => void;
  private readonly onAsideError: () => void;

  /** The bar counts weights, not items: its total is no count of what this yields (see `ProgressBar.itemTotal`). */
  get weighted(): boolean {
    return this.weight !== undefined;
  }

  constructor(
    private readonly source: AsyncIterable<T>,
    readonly bar: ProgressBar,
    private readonly weight: ((item: T) => number) | undefined,
  ) {
    bar.iteration = this;
    this.onResult = (result) => {
      let done: boolean | undefined;
      try {
        // A result that is not an object, or a `done` getter that throws: a bare loop fails with it too.
        if (!isObjectLike(result)) throw notAnIteratorResult(result);
        done = result.done;
      } catch (error) {
        this.finish('failed');
        throw error;
      }
      if (done) this.finish('done');
      else if (this.weight === undefined) this.pending = 1;
      else {
        try {
          this.pending = this.weight(result.value);
        } catch (error) {
          // A bad weight ends the iteration; the source is told to clean up. Its own failure to clean up
          // must not become an unhandled rejection: the weight's error is the one reported.
          this.stop().catch(() => undefined);
          throw error;
        }
      }
      return result;
    };
    this.onError = (error) => {
      this.finish('failed');
      throw error;
    };
    // A result read beside the consumer, who gets it too (peeked: the loop's own reaction runs next;
    // unread: the watch reads it late): only closes the bar. Returns nothing, so the promise `then`
    // makes settles at once and nobody waits for it.
    this.onAside = (result) => {
      if (this.finished) return;
      let done: boolean | undefined;
      try {
        if (!isObjectLike(result)) throw notAnIteratorResult(result);
        done = result.done;
      } catch {
        this.finish('failed'); // the consumer throws the same (its loop's TypeError, or the getter's error)
        return;
      }
      if (done) this.finish('done');
    };
    this.onAsideError = () => {
      if (!this.finished) this.finish('failed'); // the consumer got the error itself
    };
  }

  next(): Promise<IteratorResult<T>> {
    if (this.unreadCalls < this.unreadUntil) {
      // The fast path (see the top of this file): count the call, hand the source's promise back,
      // peeked or unread. Kept small so that V8 inlines it into the loop; the rest lives in other methods.
      let promise: Promise<IteratorResult<T>> | IteratorResult<T>;
      try {
        promise = (this.iterator as AsyncIterator<T>).next();
      } catch (error) {
        return this.fail(error);
      }
      if (this.nativePromises || promise instanceof Promise) {
        if (++this.unreadCalls >= this.lapAt) this.tick();
        if (this.peeking) promise.then(this.onAside, this.onAsideError);
        else this.unread = promise;
        return promise;
      }
      return this.readPlain(promise);
    }
    return this.nextRead();
  }

  /** A call whose result is read: the start, and every call outside the fast path. */
  private nextRead(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    let promise: Promise<IteratorResult<T>> | IteratorResult<T>;
    try {
      let it = this.iterator;
      if (it === undefined) {
        this.bar.start();
        it = this.iterator = this.source[Symbol.asyncIterator]();
        this.nativePromises = isAsyncGenerator(it);
      }
      this.account();
      promise = it.next();
    } catch (error) {
      return this.fail(error);
    }
    return this.read(promise);
  }

  /** A source answered the fast path with a plain object: count that call as a read one; read them all. */
  private readPlain(result: IteratorResult<T>): Promise<IteratorResult<T>> {
    this.unreadUntil = 0;
    try {
      this.account();
    } catch (error) {
      return this.fail(error);
    }
    return this.read(result);
  }

  private fail(error: unknown): Promise<never> {
    this.finish('failed');
    return Promise.reject(error);
  }

  /**
   * Counts a call whose result will be read (the item before it is finished), lets the bar read the
   * clock when its countdown runs out, and says how many calls after this one may go the fast path,
   * peeked or unread.
   */
  private account(): void {
    const bar = this.bar;
    this.flush();
    bar.add(this.pending);
    this.pending = 0;
    if (this.weight !== undefined || this.finished) return;
    const total = bar.state.total;
    if (total === undefined) {
      // Every later call peeks: no end to guess, so nothing to come back for (a total set later on
      // changes nothing: peeked results close the bar on time whatever the total).
      this.peeking = true;
      this.unreadUntil = Infinity;
      this.lapAt = this.unreadCalls + bar.countdown;
    } else if (bar.pace >= FAST) {
      // Call k after this one yields item n + 1 + k: unread while that is still short of the total.
      // Up to the items of a quarter interval at this pace; the bar still reads the clock every
      // `countdown` calls on the way (`tick`), so a loop that slows down is seen as soon as in any loop.
      const ahead = Math.min(total - bar.state.n - 2, bar.pace);
      if (ahead >= 1) {
        this.peeking = false;
        this.unreadUntil = this.unreadCalls + Math.floor(ahead);
        this.lapAt = this.unreadCalls + bar.countdown;
        if (this.watch === undefined) this.startWatch();
      }
    }
  }

  /** The fast path's clock read: brings the count up to date, lets the bar lap (read the clock, reload). */
  private tick(): void {
    this.flush();
    const bar = this.bar;
    if (bar.countdown <= 0) bar.lap();
    this.lapAt = this.unreadCalls + bar.countdown;
  }

  private read(promise: Promise<IteratorResult<T>> | IteratorResult<T>): Promise<IteratorResult<T>> {
    this.unread = undefined;
    return promise instanceof Promise
      ? promise.then(this.onResult, this.onError)
      : Promise.resolve(promise).then(this.onResult, this.onError);
  }

  /**
   * Brings the bar's count up to date with the calls handed back unread: each of them proved the call
   * before it was an item, and the last one's item is in the loop body (pending). Also spends them
   * from the bar's countdown. Called by the bar, too, before it reads its count.
   */
  flush(): void {
    const unread = this.unreadCalls - this.flushedCalls;
    if (unread > 0) {
      this.flushedCalls = this.unreadCalls;
      this.bar.flushed(this.pending + unread - 1, unread);
      this.pending = 1;
    }
  }

  private startWatch(): void {
    const every = Math.min(Math.max(this.bar.minInterval, 20), 250);
    this.watch = setInterval(() => {
      const unread = this.unread;
      if (unread === undefined) {
        // Nothing handed back unread for a whole tick (a slow loop body, a slow source, or an abandoned
        // iteration): stand down. The next call is then a read one, which starts the watch again.
        this.unreadUntil = 0;
        this.clearWatch();
        return;
      }
      this.unread = undefined;
      unread.then(this.onAside, this.onAsideError);
    }, every);
    this.watch.unref();
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    if (this.finished) return { value: value as T, done: true };
    return this.stop(value);
  }

  private async stop(value?: unknown): Promise<IteratorResult<T>> {
    this.finished = true;
    this.unreadUntil = 0;
    try {
      const result = await this.iterator?.return?.(value);
      return result ?? { value: value as T, done: true };
    } finally {
      this.finish('stopped');
    }
  }

  private finish(outcome: 'done' | 'failed' | 'stopped'): void {
    this.flush();
    this.finished = true;
    this.pending = 0;
    this.unreadUntil = 0;
    this.unread = undefined;
    this.clearWatch();
    this.bar.closeAs(outcome);
  }

  private clearWatch(): void {
    if (this.watch !== undefined) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }

  /** Whether the loop body is working on an item (used to nest bars opened inside it). */
  get inItem(): boolean {
    return this.pending !== 0 || this.unreadCalls > this.flushedCalls;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
