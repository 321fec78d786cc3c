/**
 * The `signal` option of `progress(source)` (sync and async loops), added as a thin wrapper around the
 * loop adapters, so that loops without a signal pay nothing for it.
 *
 * One abort listener per iteration, and only while it runs: added by its first step, removed when it
 * ends (done, `break`, an error, the abort itself). A loop that is made but never iterated holds none, so
 * a long-lived signal shared by many loops never collects listeners (Node warns past 10 on one signal).
 */
import type { Bar, ProgressBar } from '../bar.js';
import { checkSignal } from '../options/checks.js';
import type { ProgressAsyncIterator } from './async.js';
import type { ProgressIterator } from './sync.js';

/** A loop adapter, with the bar it drives (the class: a signal closes it as aborted). */
type Driven<I> = I & { readonly bar: ProgressBar };

const noop = (): void => {};

/** Calls `fn` once when `signal` aborts; returns the function that removes the listener. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

/**
 * `progress(iterable, { signal })`: an abort closes the bar as aborted at once, and the next step of the
 * loop throws `signal.reason` (after telling the source to clean up, so a generator's `finally` runs).
 */
export class SignalIterator<T> implements ProgressIterator<T> {
  /** Set by the first step (see the top of this file); `noop` once the loop is over. */
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly inner: Driven<ProgressIterator<T>>,
    private readonly signal: AbortSignal,
  ) {}

  get bar(): Bar {
    return this.inner.bar;
  }

  next(): IteratorResult<T> {
    if (this.signal.aborted) {
      this.unlisten?.();
      this.unlisten = noop;
      this.inner.bar.closeAs('aborted');
      this.inner.return?.();
      throw this.signal.reason;
    }
    if (this.unlisten === undefined) {
      const bar = this.inner.bar;
      this.unlisten = onAbort(this.signal, () => bar.closeAs('aborted'));
    }
    let result: IteratorResult<T>;
    try {
      result = this.inner.next();
    } catch (error) {
      this.unlisten();
      this.unlisten = noop;
      throw error;
    }
    if (result.done) {
      this.unlisten();
      this.unlisten = noop;
    }
    return result;
  }

  return(value?: unknown): IteratorResult<T> {
    this.unlisten?.();
    this.unlisten = noop;
    return this.inner.return?.(value) ?? { value: value as T, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * `progress(asyncIterable, { signal })`: an abort closes the bar as aborted at once and rejects the step
 * the loop is waiting on (or the next one) with `signal.reason`; the source's `return()` is called.
 */
export class SignalAsyncIterator<T> implements ProgressAsyncIterator<T> {
  /** Set by the first step (see the top of this file). */
  private unlisten: (() => void) | undefined;
  /** Rejects the step in progress, if any. */
  private rejectStep: ((reason: unknown) => void) | undefined;
  private finished = false;

  constructor(
    private readonly inner: Driven<ProgressAsyncIterator<T>>,
    private readonly signal: AbortSignal,
  ) {}

  /** The loop is over: no more listening. */
  private loopOver(): void {
    this.finished = true;
    this.unlisten?.();
    this.unlisten = noop;
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
      this.returnInner();
      reject(this.signal.reason);
    }
  }

  /** Calls the source's `return()`; a source busy with a step gets it after that step. Errors are dropped. */
  private returnInner(): void {
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
      this.loopOver();
      this.inner.bar.closeAs('aborted');
      this.returnInner();
      return Promise.reject(this.signal.reason);
    }
    this.unlisten ??= onAbort(this.signal, () => this.abort());
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.rejectStep = reject;
      this.inner.next().then(
        (result) => {
          this.rejectStep = undefined;
          if (result.done) this.loopOver();
          resolve(result);
        },
        (error: unknown) => {
          this.rejectStep = undefined;
          this.loopOver();
          reject(error);
        },
      );
    });
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.loopOver();
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
