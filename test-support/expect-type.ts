/**
 * Compile-time type assertions, checked by `tsc --noEmit` (Jest does not type-check).
 *
 *     expectType<IsExact<typeof x, number>>();   // fails to compile unless x is exactly `number`
 *     expectType<IsAny<typeof y>>();             // documents a place where a declared type is `any`
 */

/** `true` when `A` and `B` are the same type (`any` matches only `any`), else `false`. */
export type IsExact<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
    ? (<T>() => T extends B ? 1 : 2) extends <T>() => T extends A ? 1 : 2
      ? true
      : false
    : false;

/** `true` when `T` is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** The element type of a sync or async iterable. */
export type ElementOf<I> =
  I extends Iterable<infer T> ? T : I extends AsyncIterable<infer T> ? T : never;

/** Compiles only when its type argument is exactly `true`. Does nothing at run time. */
export function expectType<T extends true>(..._proof: IsExact<T, true> extends true ? [] : [never]): void {}
