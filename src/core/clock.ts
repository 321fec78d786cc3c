/**
 * A clock returns milliseconds from an arbitrary origin and never goes backwards.
 * The default is `performance.now()`; tests inject a fake one through the `clock` option.
 */
export type Clock = () => number;

export const defaultClock: Clock = () => performance.now();
