/**
 * Options of the task functions (`progress.gather`, `progress.asCompleted`, `progress.map`, and
 * `progress(arrayOfPromises)`), documented where they are declared, and their validation.
 */
import { checkBoolean, checkFunction, describeValue, rangeError, typeError } from '../core/errors.js';
import type { BarOptions } from '../options.js';

/** Options every task bar accepts, on top of the bar's own. */
export interface TaskOptions<T = unknown> extends BarOptions {
  /**
   * Stops the work when aborted: the bar closes as aborted (`✗`), showing what was still pending, and
   * the promise or the loop rejects with `signal.reason`. Promises already given keep running (nothing
   * can stop a promise), but their results are ignored and their rejections never go unhandled. A loop
   * (`asCompleted`, `map`, `for await` over `progress(array)`) listens from its first step to its end: one
   * made but never iterated adds no listener to the signal, and an abort before its first step stops it there.
   * @default none
   * @example progress.gather(jobs, { signal: AbortSignal.timeout(60_000) })
   */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds without any task settling, while some are pending, after which the bar says so:
   * `stalled 42s` (with the count still running or pending). `false` never shows it.
   * @default 10000
   * @example progress.map(files, convert, { stallAfter: 60_000 }) // each call takes ~30 s
   */
  stallAfter?: number | false;
  /**
   * Names an input in the report of what was still pending when the bar closed unfinished, and in
   * timeout errors. By default an input is named by its index (`#17`).
   * @default none (the index)
   * @example progress.gather(urls.map(fetchText), { label: (_, i) => urls[i] })
   */
  label?: ((item: T, index: number) => string) | undefined;
}

/** Options of `progress.gather(items, options)`. */
export interface GatherOptions<T = unknown> extends TaskOptions<T> {
  /**
   * `false`: like `Promise.all`, reject with the first rejection (the same error object) as soon as it
   * happens. `true`: like `Promise.allSettled`, wait for every input and resolve to
   * `{ status, value | reason }` records in input order; the bar counts failures as they happen.
   * @default false
   * @example const results = await progress.gather(jobs, { settle: true })
   */
  settle?: boolean;
}

/** Options of `progress.asCompleted(items, options)`. */
export interface AsCompletedOptions<T = unknown> extends GatherOptions<T> {
  /**
   * Yield `[index, result]` pairs, `index` being the input's position.
   * @default false
   * @example for await (const [i, page] of progress.asCompleted(fetches, { indexed: true })) pages[i] = page
   */
  indexed?: boolean;
}

/** What `progress.map` hands to each call of `fn`, besides the item. */
export interface CallContext {
  /** The item's position in the source (0-based). */
  readonly index: number;
  /**
   * Aborted when the call's result will not be used: another call failed, the loop was left early,
   * the `signal` option was aborted, or this call timed out. Pass it on to `fetch` and friends.
   */
  readonly signal: AbortSignal;
}

/** Options of `progress.map(source, fn, options)`. */
export interface MapOptions<T = unknown> extends TaskOptions<T> {
  /**
   * The most calls of `fn` running at once (a positive integer, or `Infinity`). The source is read only
   * as calls can start, and items taken from it but not yet yielded (running or waiting for the loop)
   * never exceed `2 × concurrency`, so memory stays bounded however long the source is. `Infinity`
   * starts a call for every item at once (the whole source is read: not for an endless one).
   * @default 8
   * @example progress.map(urls, download, { concurrency: 16 })
   */
  concurrency?: number;
  /**
   * `true` yields results in the source's order; `false` as calls finish. In order, a slow call holds
   * back the results after it: once `concurrency` of them wait, no new call starts until it settles.
   * @default true
   * @example progress.map(jobs, run, { ordered: false })
   */
  ordered?: boolean;
  /**
   * `false`: the first failure stops starting new calls, aborts the `signal` of the calls still running,
   * and is thrown from the loop. `true`: keep going and yield `{ status, value | reason, index }` records.
   * @default false
   * @example for await (const r of progress.map(urls, fetchText, { settle: true })) if (r.status === 'rejected') failed.push(r.index)
   */
  settle?: boolean;
  /**
   * Milliseconds a call may take. A call that takes longer is failed with a `TimeoutError` naming its
   * index (or label) and its `signal` is aborted with that error. `Infinity` or `undefined`: no limit.
   * @default no limit
   * @example progress.map(urls, fetchText, { timeout: 30_000, label: (url) => url })
   */
  timeout?: number | undefined;
}

/** A settled result of `asCompleted(…, { settle: true })` or `map(…, { settle: true })`: with its index. */
export type IndexedSettledResult<T> =
  | { status: 'fulfilled'; value: T; index: number }
  | { status: 'rejected'; reason: unknown; index: number };

/** Task options after validation. */
export interface ResolvedTaskOptions<T> {
  signal: AbortSignal | undefined;
  /** Milliseconds, `Infinity` when off. */
  stallAfter: number;
  label: ((item: T, index: number) => string) | undefined;
  settle: boolean;
}

/** The option names task functions handle themselves (the bar's own are checked by `resolveOptions`). */
export const TASK_KEYS = ['signal', 'stallAfter', 'label', 'settle'] as const;
export const AS_COMPLETED_KEYS = [...TASK_KEYS, 'indexed'] as const;
export const MAP_KEYS = [...TASK_KEYS, 'concurrency', 'ordered', 'timeout'] as const;

export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function'
  );
}

export function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!isAbortSignal(value)) throw typeError('signal', 'an AbortSignal', value);
  return value;
}

export function resolveTaskOptions<T>(raw: Record<string, unknown>): ResolvedTaskOptions<T> {
  let stallAfter = 10_000;
  if (raw.stallAfter === false) stallAfter = Infinity;
  else if (raw.stallAfter !== undefined) {
    if (typeof raw.stallAfter !== 'number' || Number.isNaN(raw.stallAfter)) {
      throw typeError('stallAfter', 'a non-negative number of milliseconds or `false`', raw.stallAfter);
    }
    if (raw.stallAfter < 0) throw rangeError('stallAfter', 'a non-negative number of milliseconds or `false`', raw.stallAfter);
    stallAfter = raw.stallAfter;
  }
  return {
    signal: checkSignal(raw.signal),
    stallAfter,
    label: raw.label === undefined ? undefined : checkFunction<(item: T, index: number) => string>('label', raw.label),
    settle: raw.settle === undefined ? false : checkBoolean('settle', raw.settle),
  };
}

export function checkConcurrency(value: unknown): number {
  if (value === undefined) return 8;
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('concurrency', 'a positive integer or `Infinity`', value);
  if (value !== Infinity && !(Number.isSafeInteger(value) && value >= 1)) {
    throw rangeError('concurrency', 'a positive integer or `Infinity`', value);
  }
  return value;
}

export function checkTimeout(value: unknown): number {
  if (value === undefined || value === Infinity) return Infinity;
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('timeout', 'a positive number of milliseconds', value);
  if (!(value > 0)) throw rangeError('timeout', 'a positive number of milliseconds', value);
  // Timers cannot wait longer than 2^31 - 1 ms (Node fires them at once instead): that is "no limit".
  return value > 2_147_483_647 ? Infinity : value;
}

/** An `options` argument that is not an object gets the same message everywhere. */
export function optionsRecord(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}
