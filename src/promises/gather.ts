/**
 * `progress.gather(items, options)`: `Promise.all` (or, with `settle: true`, `Promise.allSettled`) with
 * a bar that counts inputs as they settle.
 */
import { resolveOptions } from '../options/bar.js';
import { quiet } from './abort.js';
import type { InputWatcher } from './inputs.js';
import { InputSet } from './inputs.js';
import { Rejected } from './outbox.js';
import type { GatherOptions } from '../options/tasks.js';
import { checkOptionsRecord } from '../options/checks.js';
import { GATHER_KEYS, resolveTaskOptions } from '../options/tasks.js';
import { checkItems, declaredTotal } from '../options/source.js';
import { TaskProgressBar } from './task-bar.js';

/** Watches the inputs of one `gather` call and settles its promise. */
class Gathering<T> implements InputWatcher {
  readonly inputs: InputSet<T>;
  /** A rejection came (without `settle`): the bar is closing, then the promise rejects. */
  private failing = false;

  constructor(
    bar: TaskProgressBar,
    label: ((item: T, index: number) => string) | undefined,
    private readonly settle: boolean,
    private readonly resolve: (results: unknown[]) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    // Without `settle`, rejections share one handler (half the allocation per input).
    this.inputs = new InputSet<T>(bar, { label, indexRejections: settle, keepOutcomes: true }, this);
  }

  settled(_index: number, outcome: unknown, ok: boolean): void {
    if (!ok && !this.settle) this.fail('failed', (outcome as Rejected).reason);
    else if (this.inputs.allSettled) this.finish();
  }

  taken(): void {
    if (this.inputs.allSettled) this.finish();
  }

  broke(error: unknown): void {
    this.fail('failed', error);
  }

  aborted(reason: unknown): void {
    this.fail('aborted', reason);
  }

  /** Fails fast: the bar closes (after a few microtask turns at most, see `closeBar`), then the promise rejects. */
  private fail(outcome: 'failed' | 'aborted', reason: unknown): void {
    if (this.failing || this.inputs.givenUp) return;
    this.failing = true;
    const closing = this.inputs.closeBar(outcome, true);
    if (closing === undefined) this.reject(reason);
    else void closing.then(() => this.reject(reason));
  }

  /** Every input settled: the bar closes as done and the promise resolves with the outcomes in input order. */
  private finish(): void {
    if (this.inputs.givenUp || this.failing) return;
    this.inputs.closeBar('done', true);
    const slots = this.inputs.slots;
    if (!this.settle) {
      this.resolve(slots);
      return;
    }
    const results = new Array<PromiseSettledResult<unknown>>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      results[i] = s instanceof Rejected ? { status: 'rejected', reason: s.reason } : { status: 'fulfilled', value: s };
    }
    this.resolve(results);
  }
}

/**
 * What `gather` resolves to for an array or a tuple, typed as `Promise.all` (`Settle` false) and
 * `Promise.allSettled` (true) type it: one entry per position, so `[Promise<number>, Promise<string>]`
 * gives `[number, string]` and an array `Promise<number>[]` gives `number[]`. `boolean`: either.
 */
type Gathered<T extends readonly unknown[], Settle extends boolean> = Settle extends true
  ? { -readonly [P in keyof T]: PromiseSettledResult<Awaited<T[P]>> }
  : { -readonly [P in keyof T]: Awaited<T[P]> };

/**
 * Waits for every input, like `Promise.all`, while a bar counts them as they settle; resolves to the
 * results in input order.
 *
 * `items` is any iterable of values and promise-likes (an array, a Set, a generator). Its length or
 * size is the bar's total; without one, the total is the number of items, known once they are taken.
 * Like `Promise.all`, it calls the `then` of every thenable at once (each exactly once): lazy query
 * builders (Knex, Prisma, Mongoose) all start now. To run them a few at a time, use
 * `progress.map(queries, (query) => query, { concurrency: 4 })`.
 *
 * - By default the first rejection rejects the returned promise at once, with the same error object;
 *   the bar closes as failed where it stood (`✗ 420/1000`) and lists the inputs still pending.
 * - `settle: true` resolves to `{ status, value | reason }` records, like `Promise.allSettled`; the bar
 *   shows how many failed.
 *
 * Inputs still pending when it rejects may reject later: that is never an unhandled rejection.
 * Typed as `Promise.all` is: `gather([count(), name()])` resolves to `[number, string]`.
 * @example const pages = await progress.gather(urls.map((u) => fetch(u).then((r) => r.text())), { desc: 'fetch' })
 * @example const results = await progress.gather(jobs, { settle: true })
 */
export function gather<T extends readonly unknown[] | []>(
  items: T,
  options: GatherOptions<T[number]> & { settle: true },
): Promise<Gathered<T, true>>;
export function gather<T extends readonly unknown[] | []>(
  items: T,
  options?: GatherOptions<T[number]> & { settle?: false },
): Promise<Gathered<T, false>>;
export function gather<T extends readonly unknown[] | []>(
  items: T,
  options?: GatherOptions<T[number]>,
): Promise<Gathered<T, boolean>>;
export function gather<T>(
  items: Iterable<T>,
  options: GatherOptions<T> & { settle: true },
): Promise<PromiseSettledResult<Awaited<T>>[]>;
export function gather<T>(items: Iterable<T>, options?: GatherOptions<T> & { settle?: false }): Promise<Awaited<T>[]>;
export function gather<T>(
  items: Iterable<T>,
  options?: GatherOptions<T>,
): Promise<Awaited<T>[] | PromiseSettledResult<Awaited<T>>[]>;
export function gather<T>(
  items: Iterable<T>,
  options?: GatherOptions<T>,
): Promise<Awaited<T>[] | PromiseSettledResult<Awaited<T>>[]> {
  let bar: TaskProgressBar;
  let task: ReturnType<typeof resolveTaskOptions<T>>;
  try {
    checkItems(items, 'items');
    const raw = checkOptionsRecord(options);
    task = resolveTaskOptions<T>(raw);
    bar = new TaskProgressBar(resolveOptions(raw, declaredTotal(items), GATHER_KEYS), task.stallAfter, task.slowAfter);
    bar.reportsFailures = task.settle && task.reportFailures;
  } catch (error) {
    quiet(items); // the inputs are running anyway: none of them may reject unhandled
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const gathering = new Gathering<T>(bar, task.label, task.settle, resolve as (results: unknown[]) => void, reject);
    gathering.inputs.begin(items, task.signal);
  });
}
