/**
 * The outbox: where the results of tasks wait for the loop that reads them. It is the one engine behind
 * every `for await` over tasks: `asCompleted` and `for await` over `progress(arrayOfPromises)` (fed by an
 * `InputSet`, see input-iterator.ts) and `progress.map` (fed by its pump, see map.ts).
 *
 * The producer `put`s each outcome under its index as the task settles, and says `finish` once it will
 * put no more (everything settled, or it gave up: then with the error to throw). Neither hands anything
 * out by itself: the producer calls `serve()` once its reaction is over, so that a `next()` waiting is
 * answered after the producer's own bookkeeping (map starts its next calls first).
 *
 * The loop calls `next()`: a result ready is handed out at once, else the call waits. In input order the
 * next index is the one ready (a slow head holds back the results after it); in completion order the
 * oldest outcome put. A rejection is thrown where it stands, unless `settle` (then it is a record), and
 * the loop is over after that. Results are not held once handed out: the ordered buffer and the
 * completion queue drop their consumed front now and then (O(1) amortized, memory bounded by what waits).
 */

/** A rejection, as put in the outbox (or kept in a gather's slot). */
export class Rejected {
  constructor(readonly reason: unknown) {}
}

/** How the loop ended, as told to `loopOver`: handed the end, handed an error, or left by `return()`. */
export type LoopEnd = 'done' | 'failed' | 'stopped';

export interface OutboxOptions {
  /** `'input'`: results in index order (index 0, 1, 2…); `'completion'`: in the order they were put. */
  readonly order: 'input' | 'completion';
  /** A rejection is handed out as `{ status: 'rejected', reason, index }` (and a value as `{ status: 'fulfilled', value, index }`) instead of thrown. */
  readonly settle: boolean;
  /** Each result is handed out as `[index, result]`. */
  readonly indexed: boolean;
  /**
   * The loop is over (called once): the owner closes its bar and lets go of what it holds. A promise
   * returned delays the error thrown at the loop, or what `return()` returns, until it settles.
   */
  loopOver(end: LoopEnd): Promise<void> | undefined;
}

interface Waiter<Y> {
  resolve(result: IteratorResult<Y>): void;
  reject(reason: unknown): void;
}

/** The loop's next step when it is an error: thrown once `wait` (the owner's closing, if any) is over. */
class Thrown {
  constructor(
    readonly reason: unknown,
    readonly wait: Promise<void> | undefined,
  ) {}
}

/** How the producer finished: everything put, or an error to throw (`atOnce`: before the results waiting). */
type Ending = { readonly error: false } | { readonly error: true; readonly reason: unknown; readonly atOnce: boolean };

const FINISHED: Ending = { error: false };

/** An input-order slot with no outcome yet (or whose outcome has been handed out). */
const EMPTY: unique symbol = Symbol('empty');

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/**
 * Moves `a[from]` to `a[to - 1]` to the front of `a` and cuts it there (its backing store shrinks), in
 * place. Not `a.slice(from)`: on Node 20, `slice` of a large array (the backlog of a million settled
 * promises) costs tens of nanoseconds per entry, this loop about one.
 */
function dropFront(a: unknown[], from: number, to: number): void {
  const m = to - from;
  for (let i = 0; i < m; i++) a[i] = a[i + from];
  a.length = m;
}

export class Outbox<Y> {
  /** Results handed to the loop so far. In input order, also the index the loop gets next. */
  handed = 0;
  /** The loop is over: every `next()` is done. */
  isOver = false;
  private waiters: Waiter<Y>[] = [];
  private ending: Ending | undefined;
  private readonly ordered: boolean;
  private readonly settle: boolean;
  private readonly indexed: boolean;
  /** Input order: outcomes by index, `buf[index - base]`. */
  private buf: unknown[] = [];
  private base = 0;
  /** Completion order: outcomes as put, `queue[head]` to `queue[tail - 1]` (room past `tail` is reserved). */
  private queue: unknown[] = [];
  /** Completion order, when results show their index (`settle`, `indexed`): the index of each outcome queued. */
  private indexes: number[] | undefined;
  private head = 0;
  private tail = 0;
  /** Completion order: the index of the outcome just taken (-1 when indexes are not kept). */
  private taken = -1;
  /** Room was reserved for every outcome: nothing is compacted (the inputs, held anyway, are as many). */
  private reserved = false;

  constructor(private readonly options: OutboxOptions) {
    this.ordered = options.order === 'input';
    this.settle = options.settle;
    this.indexed = options.indexed;
    if (!this.ordered && (this.settle || this.indexed)) this.indexes = [];
  }

  /** `next()` calls waiting for a result. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * The outcome of the task at `index`: its value, or a `Rejected`. In completion order, without
   * `settle`, a rejection may come with index -1 (its index is not needed: it is thrown); without
   * `settle` or `indexed`, the index is not kept at all.
   */
  put(index: number, outcome: unknown): void {
    if (this.ordered) {
      const k = index - this.base;
      const buf = this.buf;
      while (buf.length < k) buf.push(EMPTY);
      if (k === buf.length) buf.push(outcome);
      else buf[k] = outcome;
    } else {
      const t = this.tail++;
      const queue = this.queue;
      if (t < queue.length) {
        queue[t] = outcome;
        if (this.indexes !== undefined) this.indexes[t] = index;
      } else {
        queue.push(outcome);
        this.indexes?.push(index);
      }
    }
  }

  /**
   * Room for `n` outcomes at once, before the first `put` (an array of inputs: one allocation each, not
   * a growing array: growing a large array costs more than filling it).
   */
  reserve(n: number): void {
    if (this.handed > 0 || this.buf.length > 0 || this.tail > 0) return;
    this.reserved = true;
    if (this.ordered) {
      this.buf = new Array<unknown>(n).fill(EMPTY);
    } else {
      this.queue = new Array<unknown>(n).fill(undefined);
      if (this.indexes !== undefined) this.indexes = new Array<number>(n).fill(-1);
    }
  }

  /**
   * No more outcomes will be put. Without `end`, the loop gets the results waiting, then the end. With
   * an error, it gets the results waiting, then the error; `atOnce`, the error first (an abort, or an
   * iterable that broke), and what waits is dropped. An error replaces an earlier plain finish, and an
   * error at once replaces any; nothing changes once the loop is over.
   */
  finish(end?: { error: unknown; atOnce?: boolean }): void {
    if (this.isOver) return;
    const ending = this.ending;
    if (end === undefined) {
      if (ending === undefined) this.ending = FINISHED;
      return;
    }
    const atOnce = end.atOnce === true;
    if (atOnce || ending === undefined || !ending.error) this.ending = { error: true, reason: end.error, atOnce };
  }

  /** Gives waiting `next()` calls what is ready. */
  serve(): void {
    while (this.waiters.length > 0) {
      // Taken first: a step that ends the loop tells the other waiters it is over.
      const waiter = this.waiters.shift() as Waiter<Y>;
      const step = this.step();
      if (step === undefined) {
        this.waiters.unshift(waiter);
        return;
      }
      if (!(step instanceof Thrown)) waiter.resolve(step);
      else if (step.wait === undefined) waiter.reject(step.reason);
      else void step.wait.then(() => waiter.reject(step.reason));
    }
  }

  next(): Promise<IteratorResult<Y>> {
    if (this.waiters.length === 0) {
      const step = this.step();
      if (step !== undefined) {
        if (!(step instanceof Thrown)) return Promise.resolve(step);
        const { reason, wait } = step;
        return wait === undefined ? Promise.reject(reason) : wait.then(() => Promise.reject(reason));
      }
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The loop was left early: it is over (the owner is told `'stopped'`), whatever still comes. */
  return(value?: unknown): Promise<IteratorResult<Y>> {
    const wait = this.isOver ? undefined : this.over('stopped');
    const result = { value: value as Y, done: true as const };
    return wait === undefined ? Promise.resolve(result) : wait.then(() => result);
  }

  /** The loop's next step if one is ready: a result, the end, or an error to throw. */
  private step(): IteratorResult<Y> | Thrown | undefined {
    if (this.isOver) return DONE;
    const ending = this.ending;
    if (ending !== undefined && ending.error && ending.atOnce) return new Thrown(ending.reason, this.over('failed'));
    const index = this.handed;
    const outcome = this.ordered ? this.takeInOrder() : this.takeInCompletionOrder();
    if (outcome === EMPTY) return this.last(ending);
    this.handed++;
    const rejected = outcome instanceof Rejected;
    if (rejected && !this.settle) return new Thrown((outcome as Rejected).reason, this.over('failed'));
    // In completion order the outcome's own index was kept (when results show it) in `taken`.
    return { value: this.shape(this.ordered ? index : this.taken, outcome, rejected), done: false };
  }

  /** Input order: the outcome of index `handed`, or `EMPTY` if it has not come. */
  private takeInOrder(): unknown {
    const buf = this.buf;
    const k = this.handed - this.base;
    if (k >= buf.length) return EMPTY;
    const outcome = buf[k];
    if (outcome === EMPTY) return EMPTY;
    buf[k] = EMPTY;
    // Drop the consumed front now and then: O(1) amortized, memory bounded by what is waiting.
    if (k >= 1024 && k * 2 >= buf.length && !this.reserved) {
      dropFront(buf, k + 1, buf.length);
      this.base += k + 1;
    }
    return outcome;
  }

  /** Completion order: the oldest outcome put (its index in `taken`, when kept), or `EMPTY` if none waits. */
  private takeInCompletionOrder(): unknown {
    const h = this.head;
    const tail = this.tail;
    if (h >= tail) return EMPTY;
    const queue = this.queue;
    const outcome = queue[h];
    queue[h] = undefined;
    const indexes = this.indexes;
    if (indexes !== undefined) this.taken = indexes[h] as number;
    this.head = h + 1;
    if (h >= 1024 && h * 2 >= tail && !this.reserved) {
      dropFront(queue, h + 1, tail);
      if (indexes !== undefined) dropFront(indexes, h + 1, tail);
      this.head = 0;
      this.tail = tail - h - 1;
    }
    return outcome;
  }

  /** Nothing is ready: the end if the producer has finished (after the results), else nothing yet. */
  private last(ending: Ending | undefined): IteratorResult<Y> | Thrown | undefined {
    if (ending === undefined) return undefined;
    if (ending.error) return new Thrown(ending.reason, this.over('failed'));
    this.over('done');
    return DONE;
  }

  private shape(index: number, outcome: unknown, rejected: boolean): Y {
    let out = outcome;
    if (this.settle) {
      out = rejected
        ? { status: 'rejected', reason: (outcome as Rejected).reason, index }
        : { status: 'fulfilled', value: outcome, index };
    }
    return (this.indexed ? [index, out] : out) as Y;
  }

  /** The loop is over: the owner is told, and anyone else waiting gets the end. */
  private over(end: LoopEnd): Promise<void> | undefined {
    this.isOver = true;
    this.ending = undefined;
    const wait = this.options.loopOver(end);
    const rest = this.waiters;
    this.waiters = [];
    for (const w of rest) w.resolve(DONE);
    return wait;
  }
}
