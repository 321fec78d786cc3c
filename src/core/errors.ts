/**
 * Error helpers: every message names the option and shows the offending value and its type,
 * e.g. "Expected `total` to be a non-negative number, got `-1` (number)".
 */

/** Renders a value for an error message: short, unambiguous, never throws. */
export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = value.name ? `[Function ${value.name}]` : '[Function]';
  else if (Array.isArray(value)) shown = `[Array(${value.length})]`;
  else if (value !== null && typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    shown = typeof name === 'string' && name !== 'Object' ? `[object ${name}]` : '{…}';
  } else shown = String(value);
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${shown}\` (${type})`;
}

/**
 * What a bare `for…of` or `for await` throws when an iterator's `next()` gives (or resolves to) a value
 * that is not an object: "Iterator result 5 is not an object" (V8's words, so that wrapping a loop does
 * not change its error).
 */
export function notAnIteratorResult(result: unknown): TypeError {
  return new TypeError(`Iterator result ${String(result)} is not an object`);
}

/** Whether `x` may be an iterator result (an object or a function, as the language accepts). */
export function isObjectLike(x: unknown): x is object {
  return (typeof x === 'object' && x !== null) || typeof x === 'function';
}

export function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

export function rangeError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** A finite number >= 0 (integers not required: byte totals and weights may be fractional). */
export function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(name, 'a non-negative number', value);
  if (value < 0 || !Number.isFinite(value)) throw rangeError(name, 'a non-negative number', value);
  return value;
}

/** A non-negative number, or Infinity (used by intervals that may be switched off). */
export function checkNonNegativeOrInfinity(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(name, 'a non-negative number', value);
  if (value < 0) throw rangeError(name, 'a non-negative number', value);
  return value;
}

export function checkNonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(name, 'a non-negative integer', value);
  if (value < 0 || !Number.isSafeInteger(value)) throw rangeError(name, 'a non-negative integer', value);
  return value;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw typeError(name, 'a string', value);
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}

export function checkFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') throw typeError(name, 'a function', value);
  return value as F;
}
