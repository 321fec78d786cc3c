/**
 * `progress.map(source, fn, options)`: calls `fn` on each item of a sync or async iterable with at
 * most `concurrency` calls running, and yields the results (in order, or as they finish) while a bar
 * counts the calls as they settle and shows how many are running.
 *
 * Memory is O(concurrency): the source is read only when a call can start, and no new call starts
 * while `concurrency` finished results wait for the loop (in order, a slow call at the head makes the
 * results after it wait, so pulling stops until it settles).
 *
 * The first failure (unless `settle`) stops everything: no new call starts, the `signal` handed to the
 * calls still running is aborted, the source is told to stop, the bar closes as failed and lists what
 * was running, and the loop throws the error (after the results that were already waiting in line).
 * Leaving the loop early does the same, quietly. A call that settles after that is ignored: its
 * rejection is never unhandled.
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { Clock } from '../core/clock.js';
import { isObjectLike, notAnIteratorResult } from '../adapters/iterator-result.js';
import { resolveOptions } from '../options/bar.js';
import { checkFunction, checkOptionsRecord } from '../options/checks.js';
import { checkSource, declaredTotal } from '../options/source.js';
import type { MapOptions } from '../options/tasks.js';
import { MAP_KEYS, MAP_OPTIONS, resolveTaskOptions } from '../options/tasks.js';
import { abortError, noop, onAbort } from './abort.js';
import { TimeoutError } from './errors.js';
import { isThenable, Rejected } from './inputs.js';
import type { PendingEntry, TaskTracker } from './pending.js';
import { nameOf, safeLabel } from './pending.js';
import { TaskBar } from './task-bar.js';
import type { CallContext, IndexedSettledResult } from './types.js';

/** A result slot not filled yet (ordered mode). */
const EMPTY: unique symbol = Symbol('empty');

interface Call<T> {
  readonly index: number;
  readonly item: T;
  /** Clock time the call started. */
  readonly since: number;
  done: boolean;
  timer?: NodeJS.Timeout | undefined;
  /** With a `timeout`: the call's own signal (aborted by its timer, or by `halt` with everything else). */
  own?: AbortController | undefined;
}

interface Waiter<Y> {
  resolve(result: IteratorResult<Y>): void;
  reject(reason: unknown): void;
}

type Step<Y> = { ok: true; result: IteratorResult<Y> } | { ok: false; reason: unknown };

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;
const DONE_STEP: Step<never> = { ok: true, result: DONE };

class MapIterator<T, R, Y> implements ProgressAsyncIterator<Y>, TaskTracker {
  private iterator: Iterator<T> | AsyncIterator<T> | undefined;
  private asyncSource = false;
  private begun = false;
  private pulling = false;
  private sourceDone = false;
  /** Items taken from the source (= calls started). */
  private nextIndex = 0;
  /** Results handed to the loop. */
  private yielded = 0;
  private running = 0;
  /** Calls running, oldest first (Map keeps insertion order). */
  private readonly inFlight = new Map<number, Call<T>>();
  /** Ordered mode: outcomes by index, `buf[index - bufBase]`. */
  private buf: unknown[] = [];
  private bufBase = 0;
  /** Unordered mode: index, outcome, index, outcome… in completion order. */
  private queue: unknown[] = [];
  private qhead = 0;
  private waiters: Waiter<Y>[] = [];
  /** No call starts and no settlement counts any more (failure, abort, the loop was left). */
  private stopped = false;
  /** The loop is over. */
  private finished = false;
  /** What to throw at the loop: the first failure, an error of the source, or the abort reason. */
  private failure: { reason: unknown; abort: boolean } | undefined;
  private readonly controller = new AbortController();
  private readonly window: number;
  private inPump = false;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly source: Iterable<T> | AsyncIterable<T>,
    private readonly fn: (item: T, context: CallContext) => R | PromiseLike<R>,
    readonly bar: TaskBar,
    private readonly clock: Clock,
    private readonly concurrency: number,
    private readonly ordered: boolean,
    private readonly settle: boolean,
    private readonly timeout: number,
    private readonly label: ((item: T, index: number) => string) | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    // Calls running plus finished results waiting for the loop.
    this.window = concurrency * 2;
    bar.tracker = this;
  }

  // ── the loop's side ───────────────────────────────────────────────────────────────────────────────

  next(): Promise<IteratorResult<Y>> {
    if (!this.begun) this.begin();
    if (this.waiters.length === 0) {
      const step = this.step();
      if (step !== undefined) {
        if (!this.stopped) this.pump();
        return step.ok ? Promise.resolve(step.result) : Promise.reject(step.reason);
      }
    }
    return new Promise<IteratorResult<Y>>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /** The loop was left early: stop everything, tell the source, close the bar as stopped. */
  async return(value?: unknown): Promise<IteratorResult<Y>> {
    if (!this.finished) {
      this.finish();
      if (!this.stopped) {
        this.halt(abortError('The loop over progress.map() was left before this call finished'));
        this.bar.closeAs('stopped');
        await this.closeSource(true);
      }
    }
    return { value: value as Y, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private begin(): void {
    this.begun = true;
    this.bar.start();
    const signal = this.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.abort(signal.reason);
        return;
      }
      this.stopListening = onAbort(signal, () => this.abort(signal.reason));
    }
    try {
      const s = this.source as AsyncIterable<T> & Iterable<T>;
      if (typeof s[Symbol.asyncIterator] === 'function') {
        this.asyncSource = true;
        this.iterator = s[Symbol.asyncIterator]();
      } else this.iterator = s[Symbol.iterator]();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.pump();
  }

  /** The loop's next step, if one is ready. */
  private step(): Step<Y> | undefined {
    if (this.finished) return DONE_STEP;
    const failure = this.failure;
    if (failure !== undefined && failure.abort) {
      this.finish();
      return { ok: false, reason: failure.reason };
    }
    if (this.ordered) {
      const k = this.yielded - this.bufBase;
      const buf = this.buf;
      if (k < buf.length && buf[k] !== EMPTY) {
        const outcome = buf[k];
        buf[k] = EMPTY;
        const index = this.yielded++;
        // Drop the consumed front now and then: O(1) amortized.
        if (k >= 1024 && k * 2 >= buf.length) {
          this.buf = buf.slice(k + 1);
          this.bufBase = index + 1;
        }
        return { ok: true, result: { value: this.shape(index, outcome), done: false } };
      }
    } else if (this.qhead < this.queue.length) {
      const queue = this.queue;
      const h = this.qhead;
      const index = queue[h] as number;
      const outcome = queue[h + 1];
      queue[h + 1] = undefined;
      this.qhead = h + 2;
      this.yielded++;
      if (h >= 2048 && h * 2 >= queue.length) {
        this.queue = queue.slice(h + 2);
        this.qhead = 0;
      }
      return { ok: true, result: { value: this.shape(index, outcome), done: false } };
    }
    if (failure !== undefined) {
      this.finish();
      return { ok: false, reason: failure.reason };
    }
    if (this.sourceDone && this.running === 0 && !this.pulling && !this.stopped) {
      this.finish();
      return DONE_STEP;
    }
    return undefined;
  }

  private shape(index: number, outcome: unknown): Y {
    if (!this.settle) return outcome as Y;
    const record: IndexedSettledResult<unknown> =
      outcome instanceof Rejected
        ? { status: 'rejected', reason: outcome.reason, index }
        : { status: 'fulfilled', value: outcome, index };
    return record as Y;
  }

  /** Hands waiting `next()` calls what is ready. */
  private serve(): void {
    while (this.waiters.length > 0) {
      // Taken first: a step that ends the loop tells the other waiters it is over.
      const waiter = this.waiters.shift() as Waiter<Y>;
      const step = this.step();
      if (step === undefined) {
        this.waiters.unshift(waiter);
        return;
      }
      if (step.ok) waiter.resolve(step.result);
      else waiter.reject(step.reason);
    }
  }

  /** The loop is over: every later `next()` is done. */
  private finish(): void {
    this.finished = true;
    this.failure = undefined;
    this.release();
    const rest = this.waiters;
    this.waiters = [];
    for (const w of rest) w.resolve(DONE);
  }

  // ── the work's side ───────────────────────────────────────────────────────────────────────────────

  /** Starts calls while there is room. Re-entrant calls (a sync result settling inside) return at once. */
  private pump(): void {
    if (this.inPump) return;
    this.inPump = true;
    try {
      while (
        !this.stopped &&
        !this.sourceDone &&
        !this.pulling &&
        this.running < this.concurrency &&
        this.nextIndex - this.yielded < this.window
      ) {
        const it = this.iterator as Iterator<T> & AsyncIterator<T>;
        if (this.asyncSource) {
          this.pull(it);
          break;
        }
        let item: T;
        try {
          const r = it.next();
          if (!isObjectLike(r)) throw notAnIteratorResult(r); // as a bare loop would
          if (r.done) {
            this.sourceDone = true;
            break;
          }
          item = r.value;
        } catch (error) {
          this.fail(error);
          break;
        }
        this.call(item);
      }
    } finally {
      this.inPump = false;
    }
    this.settledAll();
    if (this.waiters.length > 0) this.serve();
  }

  /** Asks an async source for its next item (one request at a time). */
  private pull(it: AsyncIterator<T>): void {
    this.pulling = true;
    let p: Promise<IteratorResult<T>>;
    try {
      p = Promise.resolve(it.next());
    } catch (error) {
      this.pulling = false;
      this.fail(error);
      return;
    }
    p.then(
      (r) => {
        this.pulling = false;
        if (this.stopped) return; // an item pulled as everything stopped is dropped
        // Nothing here may throw: it would be an unhandled rejection, and the loop would wait forever.
        let item: T;
        try {
          if (!isObjectLike(r)) throw notAnIteratorResult(r); // as a bare `for await` would
          if (r.done) {
            this.sourceDone = true;
            this.pump();
            return;
          }
          item = r.value;
        } catch (error) {
          this.fail(error);
          return;
        }
        this.call(item);
        this.pump();
      },
      (error: unknown) => {
        this.pulling = false;
        this.fail(error);
      },
    );
  }

  private call(item: T): void {
    const index = this.nextIndex++;
    this.running++;
    const call: Call<T> = { index, item, since: this.clock(), done: false };
    this.inFlight.set(index, call);
    let signal = this.controller.signal;
    if (this.timeout !== Infinity) signal = this.arm(call);
    let result: R | PromiseLike<R>;
    try {
      result = this.fn(item, { index, signal });
    } catch (error) {
      this.settled(call, false, error);
      return;
    }
    if (isThenable(result)) {
      const p = result instanceof Promise ? result : Promise.resolve(result);
      p.then(
        (value: unknown) => this.settled(call, true, value),
        (error: unknown) => this.settled(call, false, error),
      );
    } else this.settled(call, true, result);
  }

  /**
   * A call with a time limit gets its own signal, aborted by its timer or by `halt` (which aborts the
   * shared one too). Not an abort listener on the shared signal per call: at a concurrency over 10 that
   * is a MaxListenersExceededWarning, and a listener per call for nothing.
   */
  private arm(call: Call<T>): AbortSignal {
    const own = new AbortController();
    call.own = own;
    call.timer = setTimeout(() => {
      const error = new TimeoutError(call.index, safeLabel(this.label, call.item, call.index), this.timeout);
      own.abort(error);
      this.settled(call, false, error);
    }, this.timeout);
    return own.signal;
  }

  private disarm(call: Call<T>): void {
    if (call.timer !== undefined) clearTimeout(call.timer);
    call.timer = undefined;
  }

  private settled(call: Call<T>, ok: boolean, value: unknown): void {
    if (call.done) return;
    call.done = true;
    if (call.timer !== undefined) this.disarm(call);
    this.running--;
    this.inFlight.delete(call.index);
    if (this.stopped) return; // the results are no longer wanted
    this.bar.settled(ok);
    if (!ok && !this.settle) {
      this.fail(value, call);
      return;
    }
    const outcome = ok ? value : new Rejected(value);
    if (this.ordered) {
      const k = call.index - this.bufBase;
      const buf = this.buf;
      while (buf.length <= k) buf.push(EMPTY);
      buf[k] = outcome;
    } else this.queue.push(call.index, outcome);
    this.pump();
  }

  /**
   * Every call has settled and the source is done: the bar is complete. The loop may still be reading,
   * and the signal can still stop it.
   */
  private settledAll(): void {
    if (!this.stopped && this.sourceDone && this.running === 0 && !this.pulling && !this.bar.isClosed) {
      this.bar.closeAs('done');
    }
  }

  /** The first failure (of a call or of the source): stop, close the bar as failed, throw at the loop. */
  private fail(error: unknown, call?: Call<T>): void {
    if (this.stopped) return;
    const what = call === undefined ? 'the source failed' : `call ${nameOf(call.index, safeLabel(this.label, call.item, call.index))} failed`;
    this.halt(abortError(`Stopped because ${what}`, error));
    this.failure = { reason: error, abort: false };
    this.bar.closeAs('failed');
    void this.closeSource(false);
    this.serve();
  }

  private abort(reason: unknown): void {
    if (this.finished) return;
    if (!this.stopped) {
      this.halt(reason);
      this.bar.closeAs('aborted');
      void this.closeSource(false);
    }
    this.failure = { reason, abort: true };
    this.serve();
  }

  /** No more calls; the calls still running are told through their signal. */
  private halt(reason: unknown): void {
    this.stopped = true;
    this.release();
    const shared = this.controller.signal;
    this.controller.abort(reason);
    for (const call of this.inFlight.values()) {
      this.disarm(call);
      call.own?.abort(shared.reason); // the calls' own signals (timeouts) abort with the shared one
    }
  }

  private release(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  /**
   * Tells the source to stop (a generator's `finally` runs). When the loop was left, its errors are
   * the loop's; when stopping because of another error, they are dropped.
   */
  private closeSource(report: boolean): Promise<void> | undefined {
    const it = this.iterator;
    if (it === undefined || this.sourceDone) return undefined;
    this.sourceDone = true;
    if (typeof it.return !== 'function') return undefined;
    if (!this.asyncSource) {
      try {
        it.return();
      } catch (error) {
        if (report) return Promise.reject(error);
      }
      return undefined;
    }
    let r: unknown;
    try {
      r = it.return();
    } catch (error) {
      return report ? Promise.reject(error) : undefined;
    }
    const p = Promise.resolve(r).then(noop);
    // An async source busy with a request answers `return()` only after it: do not wait for that.
    if (!report || this.pulling) {
      p.then(noop, noop);
      return undefined;
    }
    return p;
  }

  // ── TaskTracker ───────────────────────────────────────────────────────────────────────────────────

  pendingCount(): number {
    return this.running;
  }

  runningCount(): number {
    return this.running;
  }

  oldestPending(max: number): PendingEntry[] {
    const out: PendingEntry[] = [];
    for (const call of this.inFlight.values()) {
      if (out.length >= max) break;
      out.push({ index: call.index, since: call.since, label: safeLabel(this.label, call.item, call.index) });
    }
    return out;
  }
}

/**
 * Calls `fn(item, { index, signal })` on each item of `source` with at most `concurrency` calls at
 * once, and yields the results, while a bar counts calls as they settle (`420/1000 [… 8 running]`).
 *
 * - `source`: a sync or async iterable, read lazily (an item is taken only when a call can start).
 * - `fn`: sync or async. `signal` is aborted when its result is no longer wanted; pass it on. A
 *   thenable it returns is awaited at once (its `then` called once), so `(query) => query` runs lazy
 *   query builders `concurrency` at a time.
 * - `ordered` (default `true`): results in source order; `false`: as calls finish.
 * - The first failure stops new calls, aborts the calls running and is thrown from the loop;
 *   `settle: true` keeps going and yields `{ status, value | reason, index }` records instead.
 * - `timeout`: a call that takes longer fails with a `TimeoutError` naming its index (or label).
 * - Leaving the loop early aborts the calls running and closes the bar.
 * @example
 * for await (const out of progress.map(files, (f, { signal }) => convert(f, { signal }), { concurrency: 8, desc: 'convert' })) {
 *   console.log(out);
 * }
 */
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options: MapOptions<T> & { settle: true },
): ProgressAsyncIterator<IndexedSettledResult<Awaited<R>>>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T> & { settle?: false },
): ProgressAsyncIterator<Awaited<R>>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T>,
): ProgressAsyncIterator<Awaited<R> | IndexedSettledResult<Awaited<R>>>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T>,
): ProgressAsyncIterator<Awaited<R> | IndexedSettledResult<Awaited<R>>> {
  checkSource(source);
  checkFunction('fn', fn);
  const raw = checkOptionsRecord(options);
  const task = resolveTaskOptions<T, typeof MAP_OPTIONS.table>(raw, MAP_OPTIONS);
  const { concurrency, ordered, timeout } = task;
  const resolved = resolveOptions(raw, declaredTotal(source), MAP_KEYS);
  const bar = new TaskBar(resolved, task.stallAfter);
  return new MapIterator<T, Awaited<R>, Awaited<R> | IndexedSettledResult<Awaited<R>>>(
    source,
    fn as (item: T, context: CallContext) => Awaited<R> | PromiseLike<Awaited<R>>,
    bar,
    resolved.clock,
    concurrency,
    ordered,
    task.settle,
    timeout,
    task.label,
    task.signal,
  );
}
