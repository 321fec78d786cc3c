/**
 * Cancellation: abort listeners, the errors used when work is stopped, and the `signal` option of
 * `progress(source)` itself, added as a thin wrapper around the loop adapters, so that loops without a
 * signal pay nothing for it.
 *
 * One abort listener per iteration, and only while it runs: added by its first step, removed when it
 * ends (done, `break`, an error, the abort itself). A loop that is made but never iterated holds none, so
 * a long-lived signal shared by many loops never collects listeners (Node warns past 10 on one signal).
 */
import type { Bar, ProgressBar } from '../bar.js';
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { ProgressIterator } from '../adapters/sync.js';
import { checkSignal } from '../options/checks.js';

/** A loop adapter, with the bar it drives (the class: a signal closes it as aborted). */
type Driven<I> = I & { readonly bar: ProgressBar };

/** Calls `fn` once when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/** The reason handed to calls whose results will not be used. */
export function abortError(message: string, cause?: unknown): Error {
  const error = new DOMException(message, 'AbortError') as DOMException & { cause?: unknown };
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

export const noop = (): void => {};

/**
 * Attaches a do-nothing rejection handler to every native promise in `items`, an array or a Set (used
 * when we give up before taking the inputs). Nothing else is touched: calling a thenable's `then` would
 * start a lazy one (a query builder) that nobody asked to run, and iterating a generator would run it.
 */
export function quiet(items: unknown): void {
  try {
    if (!Array.isArray(items) && !(items instanceof Set)) return;
    for (const x of items as Iterable<unknown>) {
      if (x instanceof Promise && x.constructor === Promise) x.then(noop, noop);
    }
  } catch {
    // a source that throws while we only tidy up is not our error to report
  }
}

/**
 * `progress(iterable, { signal })`: an abort closes the bar as aborted at once, and the next step of the
 * loop throws `signal.reason` (after telling the source to clean up, so a generator's `finally` runs).
 */
export class SignalIterator<T> implements ProgressIterator<T> {
  /** Set by the first step (see the top of this file); `noop` once the loop is over. */
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly inner: Driven<ProgressIterator<T>>,
    private readonly signal: AbortSignal,
  ) {}

  get bar(): Bar {
    return this.inner.bar;
  }

  next(): IteratorResult<T> {
    if (this.signal.aborted) {
      this.stopListening?.();
      this.stopListening = noop;
      this.inner.bar.closeAs('aborted');
      this.inner.return?.();
      throw this.signal.reason;
    }
    if (this.stopListening === undefined) {
      const bar = this.inner.bar;
      this.stopListening = onAbort(this.signal, () => bar.closeAs('aborted'));
    }
    let result: IteratorResult<T>;
    try {
      result = this.inner.next();
    } catch (error) {
      this.stopListening();
      this.stopListening = noop;
      throw error;
    }
    if (result.done) {
      this.stopListening();
      this.stopListening = noop;
    }
    return result;
  }

  return(value?: unknown): IteratorResult<T> {
    this.stopListening?.();
    this.stopListening = noop;
    return this.inner.return?.(value) ?? { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * `progress(asyncIterable, { signal })`: an abort closes the bar as aborted at once and rejects the step
 * the loop is waiting on (or the next one) with `signal.reason`; the source is told to stop.
 */
export class SignalAsyncIterator<T> implements ProgressAsyncIterator<T> {
  /** Set by the first step (see the top of this file). */
  private stopListening: (() => void) | undefined;
  /** Rejects the step in progress, if any. */
  private rejectStep: ((reason: unknown) => void) | undefined;
  private finished = false;

  constructor(
    private readonly inner: Driven<ProgressAsyncIterator<T>>,
    private readonly signal: AbortSignal,
  ) {}

  /** The loop is over: stop listening for good. */
  private release(): void {
    this.finished = true;
    this.stopListening?.();
    this.stopListening = noop;
  }

  get bar(): Bar {
    return this.inner.bar;
  }

  private abort(): void {
    this.inner.bar.closeAs('aborted');
    const reject = this.rejectStep;
    this.rejectStep = undefined;
    if (reject !== undefined) {
      this.finished = true;
      this.stopInner();
      reject(this.signal.reason);
    }
  }

  /** Tells the source to stop; a source busy with a step gets it after that step. Errors are dropped. */
  private stopInner(): void {
    try {
      const r = this.inner.return?.();
      if (r !== undefined) r.then(noop, noop);
    } catch {
      // the loop is already rejecting with the abort reason
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    if (this.signal.aborted) {
      this.release();
      this.inner.bar.closeAs('aborted');
      this.stopInner();
      return Promise.reject(this.signal.reason);
    }
    this.stopListening ??= onAbort(this.signal, () => this.abort());
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.rejectStep = reject;
      this.inner.next().then(
        (result) => {
          this.rejectStep = undefined;
          if (result.done) this.release();
          resolve(result);
        },
        (error: unknown) => {
          this.rejectStep = undefined;
          this.release();
          reject(error);
        },
      );
    });
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.release();
    const r = await this.inner.return?.(value);
    return r ?? { value: value as T, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** `progress(source, { signal })`: wraps the loop adapter when a signal is given; otherwise returns it as is. */
export function withSignal<I extends Driven<ProgressIterator<unknown> | ProgressAsyncIterator<unknown>>>(
  iterator: I,
  options: { signal?: unknown } | undefined,
): I {
  const signal = checkSignal('signal', options?.signal);
  if (signal === undefined) return iterator;
  if (typeof (iterator as ProgressAsyncIterator<unknown>)[Symbol.asyncIterator] === 'function') {
    return new SignalAsyncIterator(iterator as Driven<ProgressAsyncIterator<unknown>>, signal) as unknown as I;
  }
  return new SignalIterator(iterator as Driven<ProgressIterator<unknown>>, signal) as unknown as I;
}
