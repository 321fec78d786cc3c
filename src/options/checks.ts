/**
 * The argument and option checks, and their messages: every message names the option (or argument) and
 * shows the offending value and its type, e.g. "Expected `total` to be a non-negative number, got `-1`
 * (number)". A value of the wrong type is a TypeError, a number out of range a RangeError.
 *
 * Pure: no I/O. Every `check*` function returns the value it accepts, so a caller writes
 * `const n = checkNonNegative('n', value)`; the option tables (table.ts) call them as `check(name, value)`.
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

/** "Expected `name` to be <expected>, got <value>", and `note` (a hint, with its leading space) after it. */
export function typeError(name: string, expected: string, value: unknown, note = ''): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}${note}`);
}

export function rangeError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** A key no option table (nor the caller) knows; `hint` says which keys are taken, where that helps. */
export function unknownOption(key: string, hint?: string): TypeError {
  return new TypeError(hint === undefined ? `Unknown option \`${key}\`` : `Unknown option \`${key}\` (${hint})`);
}

/** An option that exists, given where it means nothing (`weight` with a range). */
export function notApplicable(name: string, where: string): TypeError {
  return new TypeError(`The \`${name}\` option does not apply to ${where}`);
}

/** `bar.update(n)`: a finite step that would make the count infinite (`count` is the count before it). */
export function countOverflow(count: number, n: number): RangeError {
  return new RangeError(`Expected \`n\` to keep the count finite (it is ${count}), got ${describeValue(n)}`);
}

/**
 * The `options` argument of every function: `undefined` (no options) or a plain object; anything else
 * (`null`, a number, a string, an array) is a TypeError with the same message everywhere.
 */
export function checkOptionsRecord(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw typeError('options', 'an object', options);
  }
  return options as Record<string, unknown>;
}

/**
 * Every number check: not a number (or NaN) is a TypeError, a number `accept` refuses a RangeError, both
 * saying `expected`.
 */
export function checkNumber(name: string, value: unknown, expected: string, accept: (n: number) => boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(name, expected, value);
  if (!accept(value)) throw rangeError(name, expected, value);
  return value;
}

const finiteNonNegative = (n: number): boolean => n >= 0 && Number.isFinite(n);
const nonNegative = (n: number): boolean => n >= 0;
const nonNegativeInteger = (n: number): boolean => n >= 0 && Number.isSafeInteger(n);

/** A finite number >= 0 (integers not required: byte totals and weights may be fractional). */
export function checkNonNegative(name: string, value: unknown): number {
  return checkNumber(name, value, 'a non-negative number', finiteNonNegative);
}

/** A non-negative number, or Infinity (used by intervals that may be switched off). */
export function checkNonNegativeOrInfinity(name: string, value: unknown): number {
  return checkNumber(name, value, 'a non-negative number', nonNegative);
}

export function checkNonNegativeInteger(name: string, value: unknown): number {
  return checkNumber(name, value, 'a non-negative integer', nonNegativeInteger);
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

/**
 * Whether `value` can be used as an AbortSignal: it has a boolean `aborted` and adds and removes event
 * listeners. Checked by shape rather than `instanceof AbortSignal`: a signal from another realm (a `vm`
 * context, a test environment's globals) or from a polyfill fails `instanceof` yet works, since nothing
 * here uses more than `aborted`, `reason` and the two listener methods; Node's own checks
 * (`stream.addAbortSignal`, which `progress.stream()` hands the signal to) are by shape too.
 */
function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function'
  );
}

/** The `signal` option, wherever it is taken; `undefined` is no signal. */
export function checkSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!isAbortSignal(value)) throw typeError(name, 'an AbortSignal', value);
  return value;
}
