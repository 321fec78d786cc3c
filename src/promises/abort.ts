/**
 * Cancellation for the task functions: the errors handed to calls whose results will not be used, and
 * `quiet()` for inputs given up on. (Abort listeners, and the `signal` option of `progress(source)`, are
 * in adapters/signal.ts.)
 */

/** The reason handed to calls whose results will not be used. */
export function abortError(message: string, cause?: unknown): Error {
  const error = new DOMException(message, 'AbortError') as DOMException & { cause?: unknown };
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

export const noop = (): void => {};

/**
 * Attaches a do-nothing rejection handler to every native promise in `items`, an array or a Set (used
 * when we give up before taking the inputs). Nothing else is touched: calling a thenable's `then` would
 * start a lazy one (a query builder) that nobody asked to run, and iterating a generator would run it.
 */
export function quiet(items: unknown): void {
  try {
    if (!Array.isArray(items) && !(items instanceof Set)) return;
    for (const x of items as Iterable<unknown>) {
      if (x instanceof Promise && x.constructor === Promise) x.then(noop, noop);
    }
  } catch {
    // a source that throws while we only tidy up is not our error to report
  }
}
