/**
 * An async iterator over watched inputs: `asCompleted` (completion order) and `for await` over
 * `progress(arrayOfPromises)` (input order) differ only in which settled input comes next.
 *
 * The bar counts inputs as they settle, whether or not the loop has taken them yet, and closes when all
 * have settled. A rejection is thrown from the loop when the loop reaches it (unless `settle`), and the
 * loop is over after that. Leaving the loop early (`break`, `return`, an exception in its body) closes
 * the bar as stopped and lists what was still pending; later rejections are ignored, never unhandled.
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import { InputSet, PENDING, Rejected } from './inputs.js';
import type { TaskBar } from './task-bar.js';

/** Marks a slot whose outcome has been handed to the loop (so the slot no longer holds on to it). */
const TAKEN = undefined;

interface Waiter<Y> {
  resolve(result: IteratorResult<Y>): void;
  reject(reason: unknown): void;
}

/** The loop's next step: a result, or an error to throw (once `wait`, the bar's closing, is over). */
type Step<Y> = { ok: true; result: IteratorResult<Y> } | { ok: false; reason: unknown; wait: Promise<void> | undefined };

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;
const DONE_STEP: Step<never> = { ok: true, result: DONE };

export abstract class InputIterator<T, Y> extends InputSet<T> implements ProgressAsyncIterator<Y> {
  private waiters: Waiter<Y>[] = [];
  /** The loop is over: every `next()` is done. */
  private finished = false;
  /** An abort (or an error from the iterable) to throw at the loop's next step. */
  private failure: { reason: unknown } | undefined;
  private begun = false;

  constructor(
    bar: TaskBar,
    label: ((item: T, index: number) => string) | undefined,
    protected readonly settle: boolean,
    indexRejections: boolean,
    private readonly items: Iterable<unknown>,
    private readonly signal: AbortSignal | undefined,
    lazyThenables = false,
  ) {
    super(bar, label, indexRejections, lazyThenables);
  }

  /** The loop asks for the input `ahead` places after the next one it gets (see `InOrderIterator`). */
  protected asked(_ahead: number): void {}

  /** The index of the settled input the loop gets next, or -1 if none is ready. */
  protected abstract peek(): number;
  /** Moves past the input `peek()` returned. */
  protected abstract advance(): void;
  /** What the loop gets for a fulfilled input (or, with `settle`, for any input). */
  protected abstract shape(index: number, value: unknown, ok: boolean): Y;

  /**
   * Takes the inputs now (they are watched from the start, so none can reject unhandled). The signal is
   * listened to from the loop's first step (an abort before it is seen there), so that a loop made but
   * never iterated holds no listener.
   */
  start(): this {
    if (!this.begun) {
      this.begun = true;
      this.begin(this.items, this.signal, false);
    }
    return this;
  }

  protected afterTaken(): void {
    this.update();
  }

  protected onSettle(_index: number, _ok: boolean, _reason: unknown): void {
    this.update();
  }

  protected onInputError(error: unknown): void {
    this.stopWith('failed', error);
  }

  protected onAbort(reason: unknown): void {
    this.stopWith('aborted', reason);
  }

  private stopWith(outcome: 'failed' | 'aborted', reason: unknown): void {
    if (this.stopped || this.finished) return;
    this.failure = { reason };
    const closing = this.endBar(outcome, true);
    if (closing === undefined) this.serve();
    else void closing.then(() => this.serve());
  }

  /** After a settlement: close the bar once all have settled, hand out what the loop waits for. */
  private update(): void {
    if (this.allSettled && !this.bar.isClosed) {
      // Not stopped: the signal is still listened to, it stops the loop even when only reading is left.
      this.endBar(this.bar.failed > 0 && !this.settle ? 'failed' : 'done', false);
    }
    if (this.waiters.length > 0) this.serve();
  }

  /** Gives waiting `next()` calls what is ready. */
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
      else if (step.wait === undefined) waiter.reject(step.reason);
      else void step.wait.then(() => waiter.reject(step.reason));
    }
  }

  /** The loop's next step if one is ready: a result, the end, or an error to throw. */
  private step(): Step<Y> | undefined {
    if (this.finished) return DONE_STEP;
    if (this.failure !== undefined) {
      const { reason } = this.failure;
      return { ok: false, reason, wait: this.end('failed') };
    }
    const i = this.peek();
    if (i >= 0) {
      const slots = this.slots;
      const outcome = slots[i];
      slots[i] = TAKEN;
      this.advance();
      if (outcome instanceof Rejected) {
        if (this.settle) return { ok: true, result: { value: this.shape(i, outcome.reason, false), done: false } };
        return { ok: false, reason: outcome.reason, wait: this.end('failed') };
      }
      return { ok: true, result: { value: this.shape(i, outcome, true), done: false } };
    }
    if (this.allSettled) {
      this.end('done');
      return DONE_STEP;
    }
    return undefined;
  }

  /** The loop is over; the bar closes (at once, or after probes: the promise says when). */
  private end(outcome: 'failed' | 'done' | 'stopped'): Promise<void> | undefined {
    this.finished = true;
    this.failure = undefined;
    const closing = this.endBar(outcome, true);
    // Anyone else waiting is told the loop is over.
    const rest = this.waiters;
    this.waiters = [];
    for (const w of rest) w.resolve(DONE);
    return closing;
  }

  next(): Promise<IteratorResult<Y>> {
    if (!this.begun) this.start();
    if (this.signal !== undefined && !this.finished) this.listen(this.signal);
    if (!this.finished && this.failure === undefined) this.asked(this.waiters.length);
    // The common case, kept lean: a fulfilled input is ready and nobody else is waiting.
    if (this.waiters.length === 0 && !this.finished && this.failure === undefined) {
      const i = this.peek();
      if (i >= 0) {
        const slots = this.slots;
        const outcome = slots[i];
        if (!(outcome instanceof Rejected)) {
          slots[i] = TAKEN;
          this.advance();
          return Promise.resolve({ value: this.shape(i, outcome, true), done: false });
        }
      }
    }
    if (this.waiters.length === 0) {
      const step = this.step();
      if (step !== undefined) {
        if (step.ok) return Promise.resolve(step.result);
        const { reason, wait } = step;
        return wait === undefined ? Promise.reject(reason) : wait.then(() => Promise.reject(reason));
      }
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Leaving the loop early: closes the bar (as stopped, if inputs were still pending). */
  return(value?: unknown): Promise<IteratorResult<Y>> {
    const closing = this.finished ? undefined : this.end('stopped');
    const result = { value: value as Y, done: true as const };
    return closing === undefined ? Promise.resolve(result) : closing.then(() => result);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Completion order: settled indexes queue up as they settle. Without `settle`, a rejection does not
 * need its input's index (it ends the loop), so rejections share one handler; such a rejection gets a
 * slot of its own past the inputs' slots, and its index in the queue points there.
 */
export class CompletionIterator<T, Y> extends InputIterator<T, Y> {
  private queue: number[] = [];
  private head = 0;

  constructor(
    bar: TaskBar,
    label: ((item: T, index: number) => string) | undefined,
    settle: boolean,
    private readonly indexed: boolean,
    items: Iterable<unknown>,
    signal: AbortSignal | undefined,
  ) {
    super(bar, label, settle, settle, items, signal);
  }

  protected override onSettle(index: number, ok: boolean, reason: unknown): void {
    if (index < 0) {
      this.slots.push(new Rejected(reason));
      index = this.slots.length - 1;
    }
    this.queue.push(index);
    super.onSettle(index, ok, reason);
  }

  protected peek(): number {
    return this.head < this.queue.length ? (this.queue[this.head] as number) : -1;
  }

  protected advance(): void {
    const h = ++this.head;
    // Drop the consumed front now and then: O(1) amortized, memory bounded by what is waiting.
    if (h >= 1024 && h * 2 >= this.queue.length) {
      this.queue = this.queue.slice(h);
      this.head = 0;
    }
  }

  protected shape(index: number, value: unknown, ok: boolean): Y {
    let out: unknown = value;
    if (this.settle) {
      out = ok ? { status: 'fulfilled', value, index } : { status: 'rejected', reason: value, index };
    }
    return (this.indexed ? [index, out] : out) as Y;
  }
}

/**
 * Input order: the loop waits for the next input in line while the bar counts every settlement.
 * Native promises are watched from the start; any other thenable (a lazy query builder) is adopted only
 * when the loop asks for it, as a bare `for await` does, so that lazy queries run one at a time.
 */
export class InOrderIterator<T> extends InputIterator<T, Awaited<T>> {
  private head = 0;

  constructor(bar: TaskBar, label: ((item: T, index: number) => string) | undefined, items: Iterable<unknown>, signal: AbortSignal | undefined) {
    // A rejection is thrown where it stands in input order, so it must know its index.
    super(bar, label, false, true, items, signal, true);
  }

  protected override asked(ahead: number): void {
    this.reach(this.head + ahead);
  }

  protected peek(): number {
    const h = this.head;
    return h < this.taken && this.slots[h] !== PENDING ? h : -1;
  }

  protected advance(): void {
    this.head++;
  }

  protected shape(_index: number, value: unknown): Awaited<T> {
    return value as Awaited<T>;
  }
}
