/** Helpers for tests of promise-heavy code: promises settled by hand, and letting pending callbacks run. */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
  /** Whether resolve or reject has been called. */
  readonly settled: boolean;
}

/** A promise and the functions that settle it. */
export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    promise,
    resolve: (value) => {
      settled = true;
      resolve(value);
    },
    reject: (reason) => {
      settled = true;
      reject(reason);
    },
    get settled() {
      return settled;
    },
  };
}

/**
 * Lets every callback already queued run: promise reactions, and those they queue in turn, up to
 * `turns` macrotask turns. No timers are involved, so it works under Jest's fake timers too.
 */
export async function flush(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A promise that never settles. */
export function never<T = never>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** Settles in the order given by `order` (a permutation of the indexes), letting callbacks run between. */
export async function settleInOrder<T>(ds: readonly Deferred<T>[], values: readonly T[], order: readonly number[]): Promise<void> {
  for (const i of order) {
    (ds[i] as Deferred<T>).resolve(values[i] as T);
    await flush(1);
  }
}

/** A permutation of 0…n−1 from a list of random keys (as fast-check gives them). */
export function permutation(keys: readonly number[]): number[] {
  return keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
}
