/**
 * The public face of a bar: what `progress.bar()`, an iterator's `.bar` and a stream's `.bar` give the
 * program, and what the `parent` option takes. Types only, importing nothing: the options (which every
 * layer reads) can name it without an arrow back up to the bar that implements it (bar.ts, `ProgressBar`).
 */

/** Extra fields shown after the rate, e.g. `{ loss: 0.25, retries: 1 }` → `loss=0.25, retries=1`. */
export type Postfix = string | Readonly<Record<string, unknown>>;

/** What `bar.set()` can change. */
export interface BarUpdate {
  /**
   * The count itself, absolute (tqdm's `update_to`): for callbacks that report "bytes so far". Moves the
   * bar by the difference, as `update()` would (so it may go back); ignored after `close()`. A finite number.
   * Not on the bar of a set of tasks (its count is the tasks settled): an Error there.
   */
  n?: number;
  /** A new label. */
  desc?: string;
  /** A new total (`undefined` makes it unknown). */
  total?: number | undefined;
  /** New fields after the rate: a string, or an object shown as `key=value` pairs. */
  postfix?: Postfix;
}

/** A progress bar: a manual one (`progress.bar()`), or the `.bar` of an iterator or a stream. */
export interface Bar {
  /** The count so far (including `initial`). */
  readonly n: number;
  /** The expected final count, or `undefined` when unknown. */
  readonly total: number | undefined;
  /** The label. */
  readonly desc: string;
  /** Seconds since the bar started (frozen once it closes). */
  readonly elapsed: number;
  /** The current rate in units per second (the overall average once closed), or `undefined` before any sample. */
  readonly rate: number | undefined;
  /** Whether `close()` has been called. */
  readonly isClosed: boolean;
  /**
   * Advances the bar by `n` (default 1; negative and fractional steps are allowed). Cheap: call it once
   * per item. After `close()` it is ignored: the count stays what the final line says (a late callback
   * of a stream or a timer cannot move a finished bar). `n` must be a finite number, and so must the
   * count after it: a step that would make it infinite throws a RangeError and changes nothing. The bar of
   * a set of tasks (`progress.map()`, `progress.asCompleted()`, `progress(arrayOfPromises)`) counts its
   * settled tasks itself: there this throws an Error.
   * @example bar.update(chunk.length)
   */
  update(n?: number): void;
  /**
   * Changes the label, the total, the postfix or the count (`n`, absolute). Any other key is a TypeError
   * naming it (nothing is changed then), as unknown options are. On the bar of a set of tasks, whose count
   * is the number of tasks settled, `n` throws an Error (nothing is changed then).
   * @example bar.set({ desc: 'upload (retry)', postfix: { retries: 1 } })
   * @example request.on('progress', (sent) => bar.set({ n: sent }))
   */
  set(update: BarUpdate): void;
  /**
   * Starts over, e.g. for each epoch: the count goes back to 0 (not to `initial`, which was where the
   * first run resumed from), the timer, the rate and the ETA restart, and with `total` the total changes
   * (omitted or `undefined`: it stays; `bar.set({ total: undefined })` makes it unknown). On a terminal
   * the bar is drawn at once. A closed bar cannot be reset: that throws an Error (open a new bar). Nor can
   * the bar of a set of tasks (`progress.map()`, `progress.asCompleted()`, `progress(arrayOfPromises)`):
   * its count is the number of tasks settled while its failures, pending tasks and stall clock go on, so it
   * throws an Error too (open a new bar for a new run).
   * @example bar.reset(batches.length)
   */
  reset(total?: number): void;
  /**
   * Draws the bar now, without waiting for the next frame: on a terminal the bars of its stream are
   * redrawn; in a log (not a terminal) a top-level bar writes its status line now. Nothing after `close()`.
   * @example bar.set({ postfix: { phase: 'upload' } }); bar.refresh();
   */
  refresh(): void;
  /**
   * Takes the bars of this bar's stream off a terminal until the next frame (at most `minInterval` later,
   * or at the next `refresh()`): they are drawn as one block, so they go together. Nothing in a log (plain
   * lines stay written) and nothing after `close()`.
   * @example bar.clear(); // off the screen until the next frame
   */
  clear(): void;
  /**
   * A handle for counting into this bar from other threads or processes: pass it to a worker thread
   * (`workerData`, `postMessage`, a piscina task) or a child process (`child.send(handle)`), where
   * `progress.attach(handle)` gives a `RemoteBar`. A plain object (a `SharedArrayBuffer`, an id, a local
   * socket's name, a key); the same one each call. Counts from a worker thread go through shared memory
   * and reach the bar at its next frame; a child process sends its count a few times per second. Once the
   * bar closes, remote counts are ignored. The bar of a set of tasks counts its settled tasks itself:
   * there this throws an Error.
   * @example const handle = bar.share(); new Worker(file, { workerData: handle })
   */
  share(): BarHandle;
  /** Closes the bar: draws its final line (kept unless `leave: false`) and stops timing. Idempotent. */
  close(): void;
  /** `using bar = progress.bar(…)` closes the bar at the end of the block. */
  [Symbol.dispose](): void;
}

/**
 * What `bar.share()` returns and `progress.attach()` takes: plain data, structured-cloneable (a worker's
 * `workerData`, `postMessage`) and JSON-able (a child process's `send()`: the buffer is lost on the way,
 * and the child counts through the socket instead).
 */
export interface BarHandle {
  /** Marks the object as a handle of this package. */
  readonly kind: 'taqaddum.bar';
  /** The shared bar's id. */
  readonly id: string;
  /** One counter per thread that attaches (in another process it arrives as `{}`, unused). */
  readonly buffer: SharedArrayBuffer;
  /** The local socket (a Unix socket, or a named pipe on Windows) that child processes connect to. */
  readonly socket: string;
  /** What a connection must present first: only those the handle was given to can count into the bar. */
  readonly key: string;
}

/** What `remote.set()` can change on the shared bar. */
export interface RemoteUpdate {
  /** A new label. */
  desc?: string;
  /** New fields after the rate: a string, or an object shown as `key=value` pairs. */
  postfix?: Postfix;
}

/** A bar of another thread or process, counted into from here: what `progress.attach(handle)` returns. */
export interface RemoteBar {
  /**
   * Advances the shared bar by `n` (default 1; a finite number, fractions and negative steps allowed).
   * In a worker thread it costs about what `bar.update()` costs: no message, a write to shared memory
   * the bar reads at its next frame. In a child process the count is sent a few times per second.
   * Ignored after `close()`.
   * @example remote.update(rows.length)
   */
  update(n?: number): void;
  /**
   * Changes the shared bar's label or postfix (a message, not for every item). Any other key is a
   * TypeError naming it. Ignored after `close()`.
   * @example remote.set({ postfix: { file: name } })
   */
  set(update: RemoteUpdate): void;
  /**
   * This thread's or process's part is over: its count is in (a child process sends it now and, unless
   * its parent is gone, waits for the parent to have it before it can exit). Does not close the bar.
   * Idempotent.
   */
  close(): void;
  /** Whether `close()` has been called. */
  readonly isClosed: boolean;
  /** `using remote = progress.attach(handle)` closes it at the end of the block. */
  [Symbol.dispose](): void;
}

/** A task still pending, as `bar.pending()` lists it. */
export interface PendingTask {
  /** The input's position (in the array, the iterable, or the source of `map`). */
  readonly index: number;
  /** What `label(item, index)` returned for it, when a `label` option was given. */
  readonly label: string | undefined;
  /** Milliseconds it has been waiting: since the inputs were taken, or since its call started (`map`). */
  readonly waitingMs: number;
}

/** A task that failed, as `bar.failures()` lists it. */
export interface FailedTask {
  /** The input's position. */
  readonly index: number;
  /** What `label(item, index)` returned for it, when a `label` option was given. */
  readonly label: string | undefined;
  /** What it rejected with (or what the call threw: a `TimeoutError` for a call over its `timeout`). */
  readonly error: unknown;
}

/**
 * The bar of a set of tasks: the `.bar` of what `progress.map()`, `progress.asCompleted()` and
 * `progress(arrayOfPromises)` return. Its count is the number of tasks settled; on top of a bar's members
 * it says which tasks are pending and which failed, for a program to log them or serve them on a health
 * endpoint.
 */
export interface TasksBar extends Bar {
  /**
   * The tasks not settled yet, oldest first (by the time they started waiting, then by index): all of
   * them, or the first `limit`. After the bar closes: those that were pending when it closed, their
   * waiting time frozen there. Each call walks the pending tasks (cheap for `map`, whose pending tasks are
   * its calls running; for thousands of inputs, pass a `limit`).
   * @example setInterval(() => console.error(bar.pending(3)), 60_000).unref()
   */
  pending(limit?: number): PendingTask[];
  /**
   * The tasks that failed, in the order they failed. The first 1,000 are kept (the `failed` count on
   * the line goes on counting). With `settle: true` every failure is listed; without it the job stops at
   * the first failure, which is thrown at you: `progress.map()` lists that one, `for await` over
   * `progress(arrayOfPromises)` the rejections counted before the loop stopped, and `asCompleted`, which
   * does not track which input a rejection came from when it will stop at the first, lists none.
   * @example for (const f of bar.failures()) log.warn({ index: f.index, url: f.label, error: String(f.error) })
   */
  failures(): FailedTask[];
}
