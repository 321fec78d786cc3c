/** Errors raised by the task functions. */
import { nameOf } from './pending.js';

/**
 * A call of `progress.map`'s `fn` took longer than the `timeout` option allows. The call's `signal` is
 * aborted with this error, and the loop throws it (or, with `settle: true`, yields it as the reason).
 * @example
 * try { for await (const page of progress.map(urls, fetchText, { timeout: 5000 })) save(page) }
 * catch (error) { if (error instanceof TimeoutError) console.error(`gave up on item ${error.index}`) }
 */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    /** The item's position in the source. */
    readonly index: number,
    /** The item's `label(item, index)`, when a label function was given. */
    readonly label: string | undefined,
    /** The limit, in milliseconds. */
    readonly timeout: number,
  ) {
    super(`Call ${nameOf(index, label)} timed out after ${timeout} ms`);
  }
}
