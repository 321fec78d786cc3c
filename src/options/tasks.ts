/**
 * The options of the task functions (`progress.gather`, `progress.asCompleted`, `progress.map`, and
 * `progress(arrayOfPromises)`) besides the bar's, documented where they are declared, and their tables.
 */
import type { BarOptions } from './bar.js';
import { checkBoolean, checkFunction, checkNumber, checkSignal } from './checks.js';
import type { IterableOptions } from './iterable.js';
import { ITERABLE_TABLE } from './iterable.js';
import type { Option, OptionSet, OptionTable, ResolvedTable } from './table.js';
import { optionSet, resolveTable } from './table.js';

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
   * The straggler rule's floor, in milliseconds: a pending input (a call of `map`, from when it started)
   * is slow once it has waited longer than this and longer than 4 × the 95th percentile of the settle
   * times so far (nothing is slow before the first settlement). The bar then says `2 slow`, and on a
   * terminal names the oldest (at most 3) under itself, `#17 https://…  waiting 42s`, until they settle;
   * a log gets the same list after each status line. `false`: no input is ever called slow (the list
   * still shows while the bar is stalled).
   * @default 10000
   * @example progress.gather(urls.map(fetchText), { slowAfter: 30_000, label: (_, i) => urls[i] })
   */
  slowAfter?: number | false;
  /**
   * Names an input in the report of what was still pending when the bar closed unfinished (or when a
   * report was asked for), in the live list of stragglers, in the failures named at close, in
   * `bar.pending()` and `bar.failures()`, and in timeout errors. By default an input is named by its index (`#17`).
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
  /**
   * With `settle: true`, a bar that closes with failures names the first five under its final line (index,
   * label, the error's first line) and how many more failed:
   * `#17  https://example.org/a  TypeError: fetch failed`. `false` prints no such list (the count stays on
   * the line; `bar.failures()` still has them). No effect without `settle`: the failure is thrown at you.
   * @default true
   * @example progress.map(urls, fetchText, { settle: true, reportFailures: false })
   */
  reportFailures?: boolean;
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
   * With `settle: true`, a bar that closes with failures names the first five under its final line (index,
   * label, the error's first line) and how many more failed:
   * `#17  https://example.org/a  TypeError: fetch failed`. `false` prints no such list (the count stays on
   * the line; `bar.failures()` still has them). No effect without `settle`: the failure is thrown at you.
   * @default true
   * @example progress.map(urls, fetchText, { settle: true, reportFailures: false })
   */
  reportFailures?: boolean;
  /**
   * Milliseconds a call may take. A call that takes longer is failed with a `TimeoutError` naming its
   * index (or label) and its `signal` is aborted with that error. `Infinity` or `undefined`: no limit.
   * @default no limit
   * @example progress.map(urls, fetchText, { timeout: 30_000, label: (url) => url })
   */
  timeout?: number | undefined;
}

/** How an input is named in reports and timeout errors. */
type Label<T> = (item: T, index: number) => string;

/** Task options after validation. */
export interface ResolvedTaskOptions<T> {
  signal: AbortSignal | undefined;
  /** Milliseconds, `Infinity` when off. */
  stallAfter: number;
  /** Milliseconds, `Infinity` when off. */
  slowAfter: number;
  label: Label<T> | undefined;
  settle: boolean;
  reportFailures: boolean;
}

function checkStallAfter(name: string, value: unknown): number {
  if (value === false) return Infinity;
  return checkNumber(name, value, 'a non-negative number of milliseconds or `false`', (ms) => ms >= 0);
}

function checkConcurrency(name: string, value: unknown): number {
  return checkNumber(
    name,
    value,
    'a positive integer or `Infinity`',
    (n) => n === Infinity || (Number.isSafeInteger(n) && n >= 1),
  );
}

function checkTimeout(name: string, value: unknown): number {
  const ms = checkNumber(name, value, 'a positive number of milliseconds', (ms) => ms > 0);
  // Timers cannot wait longer than 2^31 - 1 ms (Node fires them at once instead): that is "no limit".
  return ms > 2_147_483_647 ? Infinity : ms;
}

/** Tables checked against their interfaces: each has a row for every option its interface adds to the bar's. */
type Rows<O> = { readonly [K in Exclude<keyof O, keyof BarOptions>]-?: Option<unknown> };

/** `TaskOptions`: what every task bar takes besides the bar's options, checked in this order. */
const TASK_TABLE = {
  stallAfter: { check: checkStallAfter, default: 10_000 },
  slowAfter: { check: checkStallAfter, default: 10_000 },
  signal: { check: checkSignal, default: undefined },
  label: { check: checkFunction<Label<never>>, default: undefined },
} satisfies Rows<TaskOptions>;

const settle = { check: checkBoolean, default: false };
const reportFailures = { check: checkBoolean, default: true };

export const TASK_OPTIONS = optionSet(TASK_TABLE);

const GATHER_OPTIONS = optionSet({ ...TASK_TABLE, settle, reportFailures } satisfies Rows<GatherOptions>);

export const AS_COMPLETED_OPTIONS = optionSet({
  ...TASK_TABLE,
  settle,
  reportFailures,
  indexed: { check: checkBoolean, default: false },
} satisfies Rows<AsCompletedOptions>);

export const MAP_OPTIONS = optionSet({
  ...TASK_TABLE,
  settle,
  reportFailures,
  concurrency: { check: checkConcurrency, default: 8 },
  ordered: { check: checkBoolean, default: true },
  timeout: { check: checkTimeout, default: Infinity },
} satisfies Rows<MapOptions>);

/** `progress(arrayOfPromises)`: the iterable's options and the task bar's (no `settle`: it yields values). */
const PROMISE_ARRAY_TABLE = { ...ITERABLE_TABLE, ...TASK_TABLE } satisfies Rows<IterableOptions<unknown> & TaskOptions>;

/** The option names each task function handles itself (the bar's own are checked by `resolveOptions`). */
export const GATHER_KEYS = GATHER_OPTIONS.names;
export const AS_COMPLETED_KEYS = AS_COMPLETED_OPTIONS.names;
export const MAP_KEYS = MAP_OPTIONS.names;
export const PROMISE_ARRAY_KEYS = optionSet(PROMISE_ARRAY_TABLE).names;

/**
 * Checks a task function's own options, in the table's order, and fills in defaults (`GATHER_OPTIONS`
 * when no set is given). Keys the table does not have are left to `resolveOptions`.
 */
export function resolveTaskOptions<T>(raw: Record<string, unknown>): ResolvedTaskOptions<T>;
export function resolveTaskOptions<T, Table extends OptionTable>(
  raw: Record<string, unknown>,
  set: OptionSet<Table>,
): Omit<ResolvedTable<Table>, 'label'> & { label: Label<T> | undefined };
export function resolveTaskOptions(raw: Record<string, unknown>, set: OptionSet<OptionTable> = GATHER_OPTIONS): object {
  return resolveTable(set, raw);
}
