/**
 * An async iterator over watched inputs: `asCompleted` (completion order) and `for await` over
 * `progress(arrayOfPromises)` (input order). An `InputSet` watches the inputs and puts each outcome in
 * an `Outbox`, which hands them to the loop in the order asked for.
 *
 * The bar counts inputs as they settle, whether or not the loop has taken them yet, and closes when all
 * have settled. A rejection is thrown from the loop when the loop reaches it (unless `settle`), and the
 * loop is over after that. Leaving the loop early (`break`, `return`, an exception in its body) closes
 * the bar as stopped and lists what was still pending; later rejections are ignored, never unhandled.
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { InputWatcher } from './inputs.js';
import { InputSet } from './inputs.js';
import { Outbox } from './outbox.js';
import type { TaskProgressBar } from './task-bar.js';

export interface InputIteratorOptions<T> {
  /**
   * `'completion'`: as inputs settle (`asCompleted`). `'input'`: in input order, as a bare `for await`
   * over the array would; native promises are watched from the start, and any other thenable (a lazy
   * query builder) is adopted only when the loop asks for it, so that lazy queries run one at a time.
   */
  readonly order: 'input' | 'completion';
  /** Rejections are yielded as records instead of thrown. */
  readonly settle: boolean;
  /** Results are yielded as `[index, result]`. */
  readonly indexed: boolean;
  readonly label: ((item: T, index: number) => string) | undefined;
  readonly signal: AbortSignal | undefined;
}

export class InputIterator<T, Y> implements ProgressAsyncIterator<Y, TaskProgressBar>, InputWatcher {
  private readonly inputs: InputSet<T>;
  private readonly outbox: Outbox<Y>;
  private readonly settle: boolean;
  private readonly lazy: boolean;
  private readonly signal: AbortSignal | undefined;
  private begun = false;

  constructor(
    readonly bar: TaskProgressBar,
    private readonly items: Iterable<unknown>,
    options: InputIteratorOptions<T>,
  ) {
    this.settle = options.settle;
    this.signal = options.signal;
    this.lazy = options.order === 'input';
    // In input order a rejection is thrown where it stands, so it must know its index. In completion
    // order without `settle` it need not (it ends the loop): rejections then share one handler.
    this.inputs = new InputSet<T>(
      bar,
      { label: options.label, indexRejections: this.lazy || this.settle, keepOutcomes: false, lazyThenables: this.lazy },
      this,
    );
    this.outbox = new Outbox<Y>({
      order: options.order,
      settle: options.settle,
      indexed: options.indexed,
      loopOver: (end) => this.inputs.closeBar(end, true),
    });
  }

  /**
   * Takes the inputs now (they are watched from the start, so none can reject unhandled). The signal is
   * listened to from the loop's first step (an abort before it is seen there), so that a loop made but
   * never iterated holds no listener.
   */
  start(): this {
    if (!this.begun) {
      this.begun = true;
      if (Array.isArray(this.items)) this.outbox.reserve(this.items.length);
      this.inputs.begin(this.items, this.signal, false);
    }
    return this;
  }

  next(): Promise<IteratorResult<Y>> {
    if (!this.begun) this.start();
    const outbox = this.outbox;
    if (!outbox.isOver) {
      if (this.signal !== undefined) this.inputs.listen(this.signal);
      // Input order: the loop asks for the input `waiting` places after the next one it gets.
      if (this.lazy) this.inputs.reach(outbox.handed + outbox.waiting);
    }
    return outbox.next();
  }

  /** Leaving the loop early: closes the bar (as stopped, if inputs were still pending). */
  return(value?: unknown): Promise<IteratorResult<Y>> {
    return this.outbox.return(value);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // InputWatcher

  settled(index: number, outcome: unknown): void {
    this.outbox.put(index, outcome);
    this.update();
  }

  taken(): void {
    this.update();
  }

  broke(error: unknown): void {
    this.giveUp('failed', error);
  }

  aborted(reason: unknown): void {
    this.giveUp('aborted', reason);
  }

  /** An error of the iterable, or an abort: thrown at the loop's next step, once the bar has closed. */
  private giveUp(outcome: 'failed' | 'aborted', reason: unknown): void {
    if (this.inputs.givenUp || this.outbox.isOver) return;
    this.outbox.finish({ error: reason, atOnce: true });
    const closing = this.inputs.closeBar(outcome, true);
    if (closing === undefined) this.outbox.serve();
    else void closing.then(() => this.outbox.serve());
  }

  /** After a settlement: close the bar once all have settled, hand out what the loop waits for. */
  private update(): void {
    if (this.inputs.allSettled) {
      // Not given up: the signal is still listened to, it aborts the loop even when only reading is left.
      if (!this.bar.isClosed) this.inputs.closeBar(this.bar.failed > 0 && !this.settle ? 'failed' : 'done', false);
      this.outbox.finish();
    }
    this.outbox.serve();
  }
}
