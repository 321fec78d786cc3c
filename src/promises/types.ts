/**
 * Public types of the task functions that are not options: what `progress.map` hands each call, and the
 * settled results that carry their input's index.
 */

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

/** A settled result of `asCompleted(…, { settle: true })` or `map(…, { settle: true })`: with its index. */
export type IndexedSettledResult<T> =
  | { status: 'fulfilled'; value: T; index: number }
  | { status: 'rejected'; reason: unknown; index: number };
