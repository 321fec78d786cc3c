/**
 * Watching a set of inputs (values or promise-likes) as they settle: the core of `gather`,
 * `asCompleted` and `for await` over `progress(arrayOfPromises)`. Its owner (gather.ts,
 * input-iterator.ts) gives it an `InputWatcher`, told of each settlement.
 *
 * Inputs are taken from the iterable all at once, synchronously, as `Promise.all` does, and each gets
 * its reactions at once, so none of them can ever reject unhandled. The set records, in input order,
 * which inputs are still pending: with `keepOutcomes` (gather) in slots that then keep the outcomes;
 * otherwise in one byte per input, since the watcher keeps the outcome (a loop's outbox, which lets go of
 * it once handed out). The count of settled inputs is what the bar shows.
 *
 * Thenables that are not native promises are adopted as `Promise.all` adopts them: their `then` is
 * called once, at once. For lazy ones (query builders: Knex, Prisma, Mongoose) that starts every query,
 * which is what `Promise.all` does too. `for await` over `progress(array)` asks for `lazyThenables`
 * instead: only native promises are watched ahead of the loop, and any other thenable is adopted when
 * the loop reaches it (`reach`), as a bare `for await` would, so lazy queries run one at a time. A
 * thenable's `then` is never called twice: the probes of `closeBar` use the adopted promise.
 *
 * Cost per input, kept close to `Promise.all`'s own: one slot, and one `then` whose handlers are bound
 * functions with the index as their `this` (smaller and faster to make than a closure per input). When a
 * rejection need not know its index (without `settle`, the first rejection ends everything), the
 * rejection handler is one function shared by all inputs, so an input costs a single bound function;
 * `closeBar` then makes sure the report under the bar does not name such an input as still pending.
 */
import type { TaskProgressBar } from './task-bar.js';
import type { PendingEntry, TaskTracker } from './pending.js';
import { REPORTED, safeLabel } from './pending.js';
import { onAbort } from '../adapters/signal.js';
import { Rejected } from './outbox.js';

/** The slot of an input that has not settled. */
const PENDING: unique symbol = Symbol('pending');

/** Microtask turns to wait for probes of inputs that have settled (see `closeBar`). */
const PROBE_TURNS = 4;

/** Whether `x` is a native promise, which `Promise.resolve(x)` returns as is (watching it starts nothing). */
export function isNativePromise(x: unknown): x is Promise<unknown> {
  return x instanceof Promise && x.constructor === Promise;
}

/** Whether `x` has a `then` method. A `then` getter that throws counts as one (adopting it rejects). */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return false;
  try {
    return typeof (x as PromiseLike<unknown>).then === 'function';
  } catch {
    return true;
  }
}

/** What an `InputSet` tells its owner. */
export interface InputWatcher {
  /**
   * Input `index` settled: `outcome` is its value or a `Rejected` (`ok` says which). Index -1: a
   * rejection that came through the shared handler (see `indexRejections`), its index unknown.
   */
  settled(index: number, outcome: unknown, ok: boolean): void;
  /** Every input has been taken (some may have settled already: plain values settle at once). */
  taken(): void;
  /** The iterable threw while inputs were being taken. */
  broke(error: unknown): void;
  /** The signal was aborted. */
  aborted(reason: unknown): void;
}

export interface InputSetOptions<T> {
  readonly label: ((item: T, index: number) => string) | undefined;
  /**
   * Whether a rejection must know its input's index. When not (gather and asCompleted without `settle`:
   * the first rejection ends everything), one shared handler serves every input, which halves the
   * allocation per input; the watcher then gets index -1.
   */
  readonly indexRejections: boolean;
  /** Slots keep the outcomes (gather resolves with them); otherwise only the watcher gets them. */
  readonly keepOutcomes: boolean;
  /** Watch only native promises at once; adopt other thenables when `reach` says (needs `indexRejections`). */
  readonly lazyThenables?: boolean;
}

/** A set of inputs watched until they settle; its watcher decides what a settlement means. */
export class InputSet<T> implements TaskTracker {
  /** With `keepOutcomes`: one per input, in input order: `PENDING`, the value, or a `Rejected`. */
  slots: unknown[] = [];
  /**
   * Without: one byte per input, 1 once it has settled (a large array costs its size in fresh memory, so a
   * loop, whose outbox already holds what waits, keeps a byte here rather than a slot).
   */
  private marks: Uint8Array | undefined;
  /** Inputs recorded (in `slots` or `marks`): the length of the input array, or the inputs taken so far. */
  private size = 0;
  /** Inputs taken from the iterable. */
  taken = 0;
  /** Inputs settled (fulfilled or rejected). */
  settledCount = 0;
  /** All inputs have been taken. */
  inputDone = false;
  /** Settlements are ignored from now on (failure, abort, the loop was left). */
  givenUp = false;
  /** Clock time at which the inputs were taken. */
  private takenAt = 0;
  /**
   * The inputs themselves, kept for `label`, and, when rejections are not indexed, to find out which
   * inputs rejected (see `closeBar`). An array source is referred to, not copied.
   */
  private items: readonly unknown[] | undefined;
  /** Rejections that came through the shared handler: their inputs are still recorded as pending. */
  private unindexed = 0;
  /**
   * A skip list over inputs that will never be named as pending started-together inputs again (settled,
   * or lazy thenables, which are kept in `reached` once started): `skip[i] = j > 0` says none of `i … j−1`
   * is, 0 says unknown. Made on first use (a report, or a frame with stragglers), 4 bytes per input; each
   * search links the indexes it passes over to where it stopped (path compression), so finding the
   * oldest `k` pending inputs costs O(k) amortised, never a scan of every input per frame.
   */
  private skip: Int32Array | undefined;
  /**
   * With `lazyThenables`: the thenables adopted when the loop reached them (`reach`), by index, with the
   * clock time they started, in that order (oldest first). Settled ones are dropped from the front as
   * the loop moves on.
   */
  private reached: Map<number, number> | undefined;
  /** Foreign thenables, by index, as adopted (`Promise.resolve(x)`), so that a probe never calls `then` again. */
  private adopted: Map<number, Promise<unknown>> | undefined;
  /** With `lazyThenables`: the indexes of thenables not adopted yet (the loop has not reached them). */
  private deferred: Set<number> | undefined;
  /** Set while the bar waits for probes before it closes (see `closeBar`). */
  private closing: Promise<void> | undefined;
  private dropListener: (() => void) | undefined;
  private listened = false;
  private readonly label: ((item: T, index: number) => string) | undefined;
  private readonly indexRejections: boolean;
  private readonly keepOutcomes: boolean;
  private readonly onFulfilled: (this: number, value: unknown) => void;
  private readonly onRejected: (this: number, reason: unknown) => void;
  private readonly onRejectedShared: (reason: unknown) => void;

  constructor(
    readonly bar: TaskProgressBar,
    options: InputSetOptions<T>,
    private readonly watcher: InputWatcher,
  ) {
    this.label = options.label;
    this.indexRejections = options.indexRejections;
    this.keepOutcomes = options.keepOutcomes;
    bar.tracker = this;
    if (options.lazyThenables === true) this.deferred = new Set();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.onFulfilled = function (this: number, value: unknown): void {
      if (self.givenUp) return;
      const marks = self.marks;
      if (marks === undefined) self.slots[this] = value;
      else marks[this] = 1;
      self.settledCount++;
      self.bar.settled(true);
      watcher.settled(this, value, true);
    };
    this.onRejected = function (this: number, reason: unknown): void {
      if (self.givenUp) return;
      const outcome = new Rejected(reason);
      const marks = self.marks;
      if (marks === undefined) self.slots[this] = outcome;
      else marks[this] = 1;
      self.settledCount++;
      self.bar.settled(false);
      if (self.bar.keepsNextFailure) self.bar.failedAt(this, reason, self.labelOf(this));
      watcher.settled(this, outcome, false);
    };
    this.onRejectedShared = (reason: unknown): void => {
      if (self.givenUp) return;
      self.settledCount++;
      self.unindexed++;
      self.bar.settled(false);
      watcher.settled(-1, new Rejected(reason), false);
    };
  }

  /**
   * Starts the bar, takes and watches every input, and listens to `signal` (unless `listenNow` is false:
   * a loop listens from its first step, see `listen`). Call once.
   * Returns false when the iterable threw (the watcher has been told it `broke`).
   */
  begin(items: Iterable<unknown>, signal: AbortSignal | undefined, listenNow = true): boolean {
    this.bar.start();
    this.takenAt = this.bar.state.startTime;
    const keep = this.label !== undefined || !this.indexRejections || this.deferred !== undefined;
    try {
      if (Array.isArray(items) && items[Symbol.iterator] === Array.prototype[Symbol.iterator]) {
        if (keep) this.items = items;
        const n = items.length;
        // One allocation, not a growing array.
        if (this.keepOutcomes) this.slots = new Array<unknown>(n).fill(PENDING);
        else this.marks = new Uint8Array(n);
        this.size = n;
        for (let i = 0; i < n; i++) this.watch(items[i], i);
      } else {
        const kept: unknown[] | undefined = keep ? [] : undefined;
        this.items = kept;
        let i = 0;
        if (!this.keepOutcomes) this.marks = new Uint8Array(16);
        for (const x of items) {
          kept?.push(x);
          this.record(i);
          this.watch(x, i++);
        }
      }
    } catch (error) {
      this.inputDone = true;
      this.watcher.broke(error);
      return false;
    }
    this.inputDone = true;
    if (this.bar.state.total === undefined && !this.givenUp) this.bar.state.total = this.taken;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.watcher.aborted(signal.reason);
        return true;
      }
      if (listenNow) this.listen(signal);
    }
    this.watcher.taken();
    return true;
  }

  /**
   * Listens to `signal` until settlements are ignored (`giveUp`): one listener, added once. A loop calls
   * it from its first step, so that a loop never iterated holds no listener on a long-lived signal.
   */
  listen(signal: AbortSignal): void {
    if (this.listened || this.givenUp) return;
    this.listened = true;
    if (signal.aborted) this.watcher.aborted(signal.reason);
    else this.dropListener = onAbort(signal, () => this.watcher.aborted(signal.reason));
  }

  /** Records input `i` (of an iterable that is not an array) as pending. */
  private record(i: number): void {
    this.size = i + 1;
    const marks = this.marks;
    if (marks === undefined) this.slots.push(PENDING);
    else if (i >= marks.length) {
      const more = new Uint8Array(marks.length * 2);
      more.set(marks);
      this.marks = more;
    }
  }

  /** Whether input `i` (recorded) has not settled, as far as its slot or mark says. */
  private isPending(i: number): boolean {
    const marks = this.marks;
    return marks === undefined ? this.slots[i] === PENDING : marks[i] === 0;
  }

  /** Watches input `i`, recorded as pending. */
  private watch(x: unknown, i: number): void {
    this.taken = i + 1;
    const rejected = this.indexRejections ? this.onRejected.bind(i) : this.onRejectedShared;
    if (isNativePromise(x)) {
      x.then(this.onFulfilled.bind(i), rejected);
    } else if (isThenable(x)) {
      if (this.deferred !== undefined) this.deferred.add(i); // adopted when the loop reaches it
      else this.adopt(x, i, rejected);
    } else {
      this.onFulfilled.call(i, x);
    }
  }

  /** A foreign thenable (or a Promise subclass) is adopted the way `Promise.all` adopts it: `then` once. */
  private adopt(x: PromiseLike<unknown>, i: number, rejected: (reason: unknown) => void): void {
    const adopted = Promise.resolve(x);
    (this.adopted ??= new Map()).set(i, adopted);
    adopted.then(this.onFulfilled.bind(i), rejected);
  }

  /**
   * With `lazyThenables`: the loop has reached input `i`; adopt it if it is a thenable still waiting
   * (a bare `for await` calls its `then` at this point too). Nothing once settlements are ignored.
   */
  reach(i: number): void {
    const deferred = this.deferred;
    if (deferred === undefined || deferred.size === 0 || this.givenUp || !deferred.delete(i)) return;
    const reached = (this.reached ??= new Map());
    for (const index of reached.keys()) {
      if (this.isPending(index)) break;
      reached.delete(index);
    }
    reached.set(i, this.bar.now());
    this.adopt(this.inputAt(i) as PromiseLike<unknown>, i, this.onRejected.bind(i));
  }

  /** Whether input `i` is pending and started with the others (not a lazy thenable). */
  private startedPending(i: number): boolean {
    return this.isPending(i) && this.deferred?.has(i) !== true && this.reached?.has(i) !== true;
  }

  /**
   * The first index from `from` on whose input is pending and started with the others (`size` if none).
   * Amortised O(1) per call over the skip list (see `skip`).
   */
  private nextPending(from: number): number {
    const size = this.size;
    let skip = this.skip;
    if (skip === undefined || skip.length <= size) {
      const grown = new Int32Array(size + 1);
      if (skip !== undefined) grown.set(skip);
      this.skip = skip = grown;
    }
    let i = from;
    while (i < size) {
      const j = skip[i] as number;
      if (j !== 0) i = j;
      else if (this.startedPending(i)) break;
      else skip[i] = ++i; // settled, or a lazy thenable: never again one of these
    }
    // Every index passed on the way now points straight here.
    for (let k = from; k < i; ) {
      const j = skip[k] as number;
      skip[k] = i;
      k = j;
    }
    return i;
  }

  /** The indexes of the first `max` inputs that started together and whose slot says pending. */
  private firstPending(max: number): number[] {
    const out: number[] = [];
    const size = this.size;
    if (max <= 0) return out;
    for (let i = this.nextPending(0); i < size; i = this.nextPending(i + 1)) {
      out.push(i);
      if (out.length >= max) break;
    }
    return out;
  }

  /** The input at `index`, if kept. */
  private inputAt(index: number): unknown {
    return this.items?.[index];
  }

  /**
   * Closes the bar with `outcome` (and, if `giveUp`, ignores settlements from the same moment on).
   *
   * When rejections came through the shared handler, their inputs are still recorded as pending, and the
   * report under the bar must not name them. So the few inputs the report would name are probed first:
   * a probe of a settled promise answers within a couple of microtask turns, so after a few turns the
   * bar closes knowing which of them are truly pending. The returned promise (only then) resolves once
   * the bar is closed; nothing else is waited for, no timer, no other input.
   */
  closeBar(outcome: 'done' | 'failed' | 'aborted' | 'stopped', giveUp: boolean): Promise<void> | undefined {
    if (this.closing !== undefined) return this.closing;
    const close = (): void => {
      if (giveUp) this.giveUp();
      this.bar.closeAs(outcome);
    };
    if (this.bar.isClosed || this.unindexed === 0 || this.items === undefined || this.pendingCount() === 0) {
      close();
      return undefined;
    }
    for (const index of this.firstPending(REPORTED + 1)) {
      const input = this.inputAt(index);
      // Never `then` on a thenable again (a lazy query would run twice): its adopted promise says it.
      const probe = isNativePromise(input) ? input : this.adopted?.get(index);
      if (probe === undefined) continue;
      // Only whether it is pending matters now: its outcome is given up with the rest.
      const mark = (outcome: unknown): void => {
        if (!this.isPending(index)) return;
        if (this.marks === undefined) this.slots[index] = outcome;
        else this.marks[index] = 1;
      };
      probe.then(mark, (e: unknown) => mark(new Rejected(e)));
    }
    this.closing = new Promise<void>((resolve) => {
      let turns = PROBE_TURNS;
      const after = (): void => {
        if (turns-- > 0) queueMicrotask(after);
        else {
          close();
          resolve();
        }
      };
      after();
    });
    return this.closing;
  }

  /** All inputs taken and settled. */
  get allSettled(): boolean {
    return this.inputDone && this.settledCount === this.taken;
  }

  /** Settlements and the signal are ignored from now on. */
  giveUp(): void {
    this.givenUp = true;
    this.dropListener?.();
    this.dropListener = undefined;
  }

  // TaskTracker

  /** Inputs started and not settled: a lazy thenable the loop has not reached is not running. */
  pendingCount(): number {
    return this.taken - this.settledCount - (this.deferred?.size ?? 0);
  }

  runningCount(): number | undefined {
    return undefined;
  }

  /** Inputs taken together first (lowest index first), then lazy thenables in the order they started. */
  oldestPending(max: number): PendingEntry[] {
    const out = this.firstPending(max).map((i) => ({ index: i, since: this.takenAt, label: this.labelOf(i) }));
    if (this.reached !== undefined) {
      for (const [index, since] of this.reached) {
        if (out.length >= max) break;
        if (this.isPending(index)) out.push({ index, since, label: this.labelOf(index) });
      }
    }
    return out;
  }

  /** O(1), plus the lazy thenables started and pending (the one a loop waits for, mostly). */
  slowCount(cutoff: number): number {
    let lazy = 0;
    let lazySlow = 0;
    if (this.reached !== undefined) {
      for (const [index, since] of this.reached) {
        if (!this.isPending(index)) continue;
        lazy++;
        if (since < cutoff) lazySlow++;
      }
    }
    return (this.takenAt < cutoff ? this.pendingCount() - lazy : 0) + lazySlow;
  }

  startedTogetherAt(): number {
    return this.takenAt;
  }

  private labelOf(index: number): string | undefined {
    return this.label === undefined ? undefined : safeLabel(this.label, this.inputAt(index) as T, index);
  }
}
