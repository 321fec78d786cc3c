/**
 * `progress.map(source, fn, options)`: calls `fn` on each item of a sync or async iterable with at
 * most `concurrency` calls running, and yields the results (in order, or as they finish) while a bar
 * counts the calls as they settle and shows how many are running.
 *
 * Memory is O(concurrency): the source is read only when a call can start, and no new call starts
 * while `concurrency` finished results wait for the loop (in order, a slow call at the head makes the
 * results after it wait, so pulling pauses until it settles).
 *
 * The first failure (unless `settle`) gives up on everything: no new call starts, the `signal` handed
 * to the calls still running is aborted, the source's `return()` is called, the bar closes as failed and
 * lists what was running, and the loop throws the error (after the results that were already waiting in
 * line). Leaving the loop early does the same, quietly. A call that settles after that is ignored: its
 * rejection is never unhandled.
 *
 * This module is the pump: reading the source, starting calls, timeouts, the shared `AbortController`,
 * fail-fast. The results wait for the loop in an `Outbox` (outbox.ts), the engine it shares with
 * `asCompleted` and promise arrays.
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { TasksBar } from '../bar-api.js';
import type { Clock } from '../core/clock.js';
import { isObjectLike, notAnIteratorResult } from '../adapters/iterator-result.js';
import { resolveOptions } from '../options/bar.js';
import { checkFunction, checkOptionsRecord } from '../options/checks.js';
import { checkSource, declaredTotal } from '../options/source.js';
import type { MapOptions } from '../options/tasks.js';
import { MAP_KEYS, MAP_OPTIONS, resolveTaskOptions } from '../options/tasks.js';
import { onAbort } from '../adapters/signal.js';
import { abortError, noop } from './abort.js';
import { TimeoutError } from './errors.js';
import { isThenable } from './inputs.js';
import type { LoopEnd } from './outbox.js';
import { Outbox, Rejected } from './outbox.js';
import type { PendingEntry, TaskTracker } from './pending.js';
import { nameOf, safeLabel } from './pending.js';
import { TaskProgressBar } from './task-bar.js';
import type { CallContext, IndexedSettledResult } from './types.js';

interface Call<T> {
  readonly index: number;
  readonly item: T;
  /** Clock time the call started. */
  readonly since: number;
  done: boolean;
  timer?: NodeJS.Timeout | undefined;
  /** With a `timeout`: the call's own signal (aborted by its timer, or by `abortCalls` with everything else). */
  own?: AbortController | undefined;
}

export interface MapIteratorOptions<T, R> {
  readonly source: Iterable<T> | AsyncIterable<T>;
  readonly fn: (item: T, context: CallContext) => R | PromiseLike<R>;
  readonly bar: TaskProgressBar;
  readonly clock: Clock;
  readonly concurrency: number;
  /** Results in source order (else as calls finish). */
  readonly ordered: boolean;
  readonly settle: boolean;
  /** Milliseconds a call may take (`Infinity`: no limit). */
  readonly timeout: number;
  readonly label: ((item: T, index: number) => string) | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * The pump of `progress.map`: reads the source, starts the calls, and puts their outcomes in the outbox
 * that the loop reads (see outbox.ts).
 */
class MapIterator<T, R, Y> implements ProgressAsyncIterator<Y, TasksBar>, TaskTracker {
  readonly bar: TaskProgressBar;
  private readonly outbox: Outbox<Y>;
  private readonly source: Iterable<T> | AsyncIterable<T>;
  private readonly fn: (item: T, context: CallContext) => R | PromiseLike<R>;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly settle: boolean;
  private readonly timeout: number;
  private readonly label: ((item: T, index: number) => string) | undefined;
  private readonly signal: AbortSignal | undefined;
  /** Calls running plus finished results waiting for the loop. */
  private readonly window: number;
  private iterator: Iterator<T> | AsyncIterator<T> | undefined;
  private asyncSource = false;
  private begun = false;
  private pulling = false;
  private sourceDone = false;
  /** Items taken from the source (= calls started). */
  private nextIndex = 0;
  private running = 0;
  /**
   * Calls running, oldest first: a queue in start order (a Map keeps insertion order, and a settled call
   * is deleted at once; V8 drops the deleted entries whenever the table fills, so walking it from the front
   * costs the calls visited plus holes bounded by the table's capacity, which follows the calls running,
   * not the calls made). The oldest `k` and the slow ones are read from its front.
   */
  private readonly inFlight = new Map<number, Call<T>>();
  /** No call starts and no settlement counts any more (failure, abort, the loop was left). */
  private givenUp = false;
  private readonly controller = new AbortController();
  private inPump = false;
  private dropListener: (() => void) | undefined;

  constructor(options: MapIteratorOptions<T, R>) {
    this.source = options.source;
    this.fn = options.fn;
    this.bar = options.bar;
    this.clock = options.clock;
    this.concurrency = options.concurrency;
    this.settle = options.settle;
    this.timeout = options.timeout;
    this.label = options.label;
    this.signal = options.signal;
    this.window = options.concurrency * 2;
    this.outbox = new Outbox<Y>({
      order: options.ordered ? 'input' : 'completion',
      settle: options.settle,
      indexed: false,
      loopOver: (end) => this.loopOver(end),
    });
    this.bar.tracker = this;
  }

  // ── the loop's side ───────────────────────────────────────────────────────────────────────────────

  next(): Promise<IteratorResult<Y>> {
    if (!this.begun) this.begin();
    const step = this.outbox.next();
    // Answered at once (nobody waits): the result handed out may leave room for another call.
    if (this.outbox.waiting === 0 && !this.givenUp) this.pump();
    return step;
  }

  return(value?: unknown): Promise<IteratorResult<Y>> {
    return this.outbox.return(value);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The loop is over. If it was left early (and nothing had given up yet): give up on everything, call
   * the source's `return()` (its errors are the loop's), close the bar as stopped.
   */
  private loopOver(end: LoopEnd): Promise<void> | undefined {
    this.unlisten();
    if (end !== 'stopped' || this.givenUp) return undefined;
    this.abortCalls(abortError('The loop over progress.map() was left before this call finished'));
    this.bar.closeAs('stopped');
    return this.returnSource(true);
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
      this.dropListener = onAbort(signal, () => this.abort(signal.reason));
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

  // ── the work's side ───────────────────────────────────────────────────────────────────────────────

  /** Starts calls while there is room. Re-entrant calls (a sync result settling inside) return at once. */
  private pump(): void {
    if (this.inPump) return;
    this.inPump = true;
    try {
      while (
        !this.givenUp &&
        !this.sourceDone &&
        !this.pulling &&
        this.running < this.concurrency &&
        this.nextIndex - this.outbox.handed < this.window
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
    if (!this.givenUp && this.sourceDone && this.running === 0 && !this.pulling) this.finish();
    this.outbox.serve();
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
        if (this.givenUp) return; // an item pulled as everything was given up is dropped
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
    if (this.timeout !== Infinity) signal = this.startTimer(call);
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
   * A call with a time limit gets its own signal, aborted by its timer or by `abortCalls` (which aborts
   * the shared one too). Not an abort listener on the shared signal per call: at a concurrency over 10
   * that is a MaxListenersExceededWarning, and a listener per call for nothing.
   */
  private startTimer(call: Call<T>): AbortSignal {
    const own = new AbortController();
    call.own = own;
    call.timer = setTimeout(() => {
      const error = new TimeoutError(call.index, safeLabel(this.label, call.item, call.index), this.timeout);
      own.abort(error);
      this.settled(call, false, error);
    }, this.timeout);
    return own.signal;
  }

  private clearTimer(call: Call<T>): void {
    if (call.timer !== undefined) clearTimeout(call.timer);
    call.timer = undefined;
  }

  private settled(call: Call<T>, ok: boolean, value: unknown): void {
    if (call.done) return;
    call.done = true;
    if (call.timer !== undefined) this.clearTimer(call);
    this.running--;
    this.inFlight.delete(call.index);
    if (this.givenUp) return; // the results are no longer wanted
    this.bar.settledAfter(ok, this.clock() - call.since);
    if (!ok && this.bar.keepsNextFailure) this.bar.failedAt(call.index, value, safeLabel(this.label, call.item, call.index));
    if (!ok && !this.settle) {
      this.fail(value, call);
      return;
    }
    this.outbox.put(call.index, ok ? value : new Rejected(value));
    this.pump();
  }

  /**
   * Every call has settled and the source is done: the bar is complete (closing it again does nothing),
   * and the loop gets the results still waiting, then the end. The loop may still be reading, and the
   * signal can still abort it.
   */
  private finish(): void {
    this.bar.closeAs('done');
    this.outbox.finish();
  }

  /** The first failure (of a call or of the source): give up, close the bar as failed, throw at the loop. */
  private fail(error: unknown, call?: Call<T>): void {
    if (this.givenUp) return;
    const what = call === undefined ? 'the source failed' : `call ${nameOf(call.index, safeLabel(this.label, call.item, call.index))} failed`;
    this.abortCalls(abortError(`Stopped because ${what}`, error));
    this.outbox.finish({ error }); // after the results already waiting
    this.bar.closeAs('failed');
    void this.returnSource(false);
    this.outbox.serve();
  }

  /** The `signal` option aborted: give up, close the bar as aborted, throw at the loop's next step. */
  private abort(reason: unknown): void {
    if (this.outbox.isOver) return;
    if (!this.givenUp) {
      this.abortCalls(reason);
      this.bar.closeAs('aborted');
      void this.returnSource(false);
    }
    this.outbox.finish({ error: reason, atOnce: true });
    this.outbox.serve();
  }

  /** No more calls; the calls still running are told through their signal. */
  private abortCalls(reason: unknown): void {
    this.givenUp = true;
    this.unlisten();
    const shared = this.controller.signal;
    this.controller.abort(reason);
    for (const call of this.inFlight.values()) {
      this.clearTimer(call);
      call.own?.abort(shared.reason); // the calls' own signals (timeouts) abort with the shared one
    }
  }

  private unlisten(): void {
    this.dropListener?.();
    this.dropListener = undefined;
  }

  /**
   * Calls the source's `return()` (a generator's `finally` runs). When the loop was left, its errors are
   * the loop's; when giving up because of another error, they are dropped.
   */
  private returnSource(report: boolean): Promise<void> | undefined {
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

  /** From the front of the queue: stops at the first call that started at or after `cutoff`. */
  slowCount(cutoff: number): number {
    let slow = 0;
    for (const call of this.inFlight.values()) {
      if (call.since >= cutoff) break;
      slow++;
    }
    return slow;
  }

  startedTogetherAt(): undefined {
    return undefined;
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
 * - The first failure: no new call starts, the calls running are aborted, and it is thrown from the loop;
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
): ProgressAsyncIterator<IndexedSettledResult<Awaited<R>>, TasksBar>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T> & { settle?: false },
): ProgressAsyncIterator<Awaited<R>, TasksBar>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T>,
): ProgressAsyncIterator<Awaited<R> | IndexedSettledResult<Awaited<R>>, TasksBar>;
export function map<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, context: CallContext) => R,
  options?: MapOptions<T>,
): ProgressAsyncIterator<Awaited<R> | IndexedSettledResult<Awaited<R>>, TasksBar> {
  checkSource(source);
  checkFunction('fn', fn);
  const raw = checkOptionsRecord(options);
  const task = resolveTaskOptions<T, typeof MAP_OPTIONS.table>(raw, MAP_OPTIONS);
  const { concurrency, ordered, timeout } = task;
  const resolved = resolveOptions(raw, declaredTotal(source), MAP_KEYS);
  const bar = new TaskProgressBar(resolved, task.stallAfter, task.slowAfter);
  bar.reportsFailures = task.settle && task.reportFailures;
  return new MapIterator<T, Awaited<R>, Awaited<R> | IndexedSettledResult<Awaited<R>>>({
    source,
    fn: fn as (item: T, context: CallContext) => Awaited<R> | PromiseLike<Awaited<R>>,
    bar,
    clock: resolved.clock,
    concurrency,
    ordered,
    settle: task.settle,
    timeout,
    label: task.label,
    signal: task.signal,
  });
}
