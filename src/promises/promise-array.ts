/**
 * `progress(arrayOfPromises)`: a `for…of` gets the promises one by one, like any array; a `for await`
 * gets their values in input order while the bar counts the promises as they settle (a slow first
 * promise does not freeze the bar), tells how many failed, and notices a stall.
 *
 * Only native promises are watched ahead of the loop (that starts nothing: they are running already).
 * Any other thenable, such as a lazy query builder (Knex, Prisma, Mongoose) that starts its query when
 * `then` is called, is awaited when the loop reaches it, as a bare `for await` would: the queries run
 * one at a time and are counted as each settles.
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { TasksBar } from '../bar-api.js';
import type { ProgressIterator } from '../adapters/sync.js';
import { ArrayProgressIterator } from '../adapters/sync.js';
import { resolveOptions } from '../options/bar.js';
import { checkOptionsRecord } from '../options/checks.js';
import type { IterableOptions } from '../options/iterable.js';
import { InputIterator } from './input-iterator.js';
import { isThenable } from './inputs.js';
import type { TaskOptions } from '../options/tasks.js';
import { PROMISE_ARRAY_KEYS, resolveTaskOptions, TASK_OPTIONS } from '../options/tasks.js';
import { TaskProgressBar } from './task-bar.js';

/** Options of `progress(arrayOfPromises)`. */
export type PromiseArrayOptions<T> = IterableOptions<T> & Omit<TaskOptions<T>, keyof IterableOptions<T>>;

/** What `progress(arrayOfPromises)` returns: iterate it with `for await` to get the values. */
export interface PromiseArrayIterator<T> extends ProgressIterator<T, TasksBar>, AsyncIterable<Awaited<T>> {
  [Symbol.asyncIterator](): ProgressAsyncIterator<Awaited<T>, TasksBar>;
}

/** Whether `progress(source)` should treat an array as an array of promises: its first item is one. */
export function isPromiseArray(source: readonly unknown[]): boolean {
  return source.length > 0 && isThenable(source[0]);
}

class PromiseArrayProgress<T> implements PromiseArrayIterator<T> {
  private readonly sync: ArrayProgressIterator<T>;
  private used = false;

  constructor(
    private readonly array: readonly T[],
    readonly bar: TaskProgressBar,
    private readonly label: ((item: T, index: number) => string) | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.sync = new ArrayProgressIterator(array, bar);
  }

  next(): IteratorResult<T> {
    const signal = this.signal;
    if (signal !== undefined && signal.aborted) {
      this.bar.closeAs('aborted');
      this.sync.return();
      throw signal.reason;
    }
    return this.sync.next();
  }

  return(value?: unknown): IteratorResult<T> {
    return this.sync.return(value);
  }

  [Symbol.iterator](): this {
    return this;
  }

  [Symbol.asyncIterator](): ProgressAsyncIterator<Awaited<T>, TasksBar> {
    if (this.used) throw new TypeError('This progress iterator has already been iterated with `for await`');
    this.used = true;
    return new InputIterator<T, Awaited<T>>(this.bar, this.array, {
      order: 'input',
      settle: false,
      indexed: false,
      label: this.label,
      signal: this.signal,
    }).start();
  }
}

export function promiseArray<T>(array: readonly T[], options: PromiseArrayOptions<T> | undefined): PromiseArrayIterator<T> {
  const raw = checkOptionsRecord(options);
  const task = resolveTaskOptions<T, typeof TASK_OPTIONS.table>(raw, TASK_OPTIONS);
  const bar = new TaskProgressBar(resolveOptions(raw, array.length, PROMISE_ARRAY_KEYS), task.stallAfter, task.slowAfter);
  return new PromiseArrayProgress(array, bar, task.label, task.signal);
}
