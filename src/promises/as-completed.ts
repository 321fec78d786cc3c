/**
 * `progress.asCompleted(items, options)`: the results of many promises in the order they settle.
 * Linear: each settlement queues its outcome in the outbox, each step of the loop takes the front of
 * the queue (no `Promise.race` over what remains, which would be quadratic).
 */
import type { ProgressAsyncIterator } from '../adapters/async.js';
import type { TasksBar } from '../bar-api.js';
import { resolveOptions } from '../options/bar.js';
import { quiet } from './abort.js';
import { InputIterator } from './input-iterator.js';
import { checkOptionsRecord } from '../options/checks.js';
import { checkItems, declaredTotal } from '../options/source.js';
import type { AsCompletedOptions } from '../options/tasks.js';
import { AS_COMPLETED_KEYS, AS_COMPLETED_OPTIONS, resolveTaskOptions } from '../options/tasks.js';
import type { IndexedSettledResult } from './types.js';
import { TaskProgressBar } from './task-bar.js';

/**
 * Yields the results of `items` as they settle, fastest first, while a bar counts them.
 *
 * `items` is any iterable of values and promise-likes; they are all taken (and watched) at once, when
 * this is called: like `Promise.all`, the `then` of every thenable is called then (once), so lazy query
 * builders all start. A rejection is thrown from the loop where it comes in completion order, and ends the
 * loop. `indexed: true` yields `[index, value]`; `settle: true` yields `{ status, value | reason, index }`
 * records instead of throwing. Leaving the loop early closes the bar and lists what was still pending;
 * rejections that come later are ignored.
 * @example for await (const score of progress.asCompleted(tasks, { desc: 'score' })) best = Math.max(best, score)
 * @example for await (const [i, page] of progress.asCompleted(fetches, { indexed: true })) pages[i] = page
 */
export function asCompleted<T>(
  items: Iterable<T>,
  options: AsCompletedOptions<T> & { settle: true; indexed: true },
): ProgressAsyncIterator<[number, IndexedSettledResult<Awaited<T>>], TasksBar>;
export function asCompleted<T>(
  items: Iterable<T>,
  options: AsCompletedOptions<T> & { settle: true; indexed?: false },
): ProgressAsyncIterator<IndexedSettledResult<Awaited<T>>, TasksBar>;
export function asCompleted<T>(
  items: Iterable<T>,
  options: AsCompletedOptions<T> & { settle?: false; indexed: true },
): ProgressAsyncIterator<[number, Awaited<T>], TasksBar>;
export function asCompleted<T>(
  items: Iterable<T>,
  options?: AsCompletedOptions<T> & { settle?: false; indexed?: false },
): ProgressAsyncIterator<Awaited<T>, TasksBar>;
export function asCompleted<T>(
  items: Iterable<T>,
  options?: AsCompletedOptions<T>,
): ProgressAsyncIterator<unknown, TasksBar>;
export function asCompleted<T>(items: Iterable<T>, options?: AsCompletedOptions<T>): ProgressAsyncIterator<unknown, TasksBar> {
  let iterator: InputIterator<T, unknown>;
  try {
    checkItems(items, 'items');
    const raw = checkOptionsRecord(options);
    const task = resolveTaskOptions<T, typeof AS_COMPLETED_OPTIONS.table>(raw, AS_COMPLETED_OPTIONS);
    const bar = new TaskProgressBar(resolveOptions(raw, declaredTotal(items), AS_COMPLETED_KEYS), task.stallAfter, task.slowAfter);
    bar.reportsFailures = task.settle && task.reportFailures;
    iterator = new InputIterator<T, unknown>(bar, items, {
      order: 'completion',
      settle: task.settle,
      indexed: task.indexed,
      label: task.label,
      signal: task.signal,
    });
  } catch (error) {
    quiet(items); // the inputs are running anyway: none of them may reject unhandled
    throw error;
  }
  return iterator.start();
}
