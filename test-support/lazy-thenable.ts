/**
 * Lazy thenables, as query builders make them (Knex, Prisma, Mongoose): nothing runs until `.then` is
 * called, and each call of `.then` runs the query again. They count how often they were started and how
 * many ran at once.
 */
export interface LazyQueries<T> {
  readonly items: PromiseLike<T>[];
  /** Calls of `.then`, all items together (each one starts a run). */
  readonly started: number;
  /** Calls of `.then` per item. */
  readonly startsOf: number[];
  /** The most runs in progress at the same time. */
  readonly maxRunning: number;
}

/**
 * `n` lazy queries; query `i` resolves to `value(i)` a macrotask turn after it starts, or rejects with
 * `fail(i)` when that returns an error, or never settles when `hang(i)`.
 */
export function lazyQueries<T>(
  n: number,
  value: (i: number) => T,
  { fail, hang }: { fail?: (i: number) => Error | undefined; hang?: (i: number) => boolean } = {},
): LazyQueries<T> {
  let started = 0;
  let running = 0;
  let maxRunning = 0;
  const startsOf = new Array<number>(n).fill(0);
  const items = Array.from({ length: n }, (_, i): PromiseLike<T> => ({
    then<A = T, B = never>(onFulfilled?: ((v: T) => A | PromiseLike<A>) | null, onRejected?: ((e: unknown) => B | PromiseLike<B>) | null) {
      started++;
      startsOf[i] = (startsOf[i] ?? 0) + 1;
      running++;
      maxRunning = Math.max(maxRunning, running);
      const run = new Promise<T>((resolve, reject) => {
        if (hang?.(i)) return;
        setImmediate(() => {
          running--;
          const error = fail?.(i);
          if (error !== undefined) reject(error);
          else resolve(value(i));
        });
      });
      return run.then(onFulfilled, onRejected);
    },
  }));
  return {
    items,
    get started() {
      return started;
    },
    startsOf,
    get maxRunning() {
      return maxRunning;
    },
  };
}
