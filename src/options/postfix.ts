/**
 * The `postfix` option (and `bar.set({ postfix })`): checked and turned into its text once, when given.
 */
import { typeError } from './checks.js';

export type { Postfix } from '../bar-api.js';

type Inspect = (value: unknown, options: object) => string;
let inspect: Inspect | undefined;

/**
 * A postfix value: a fractional number with 3 significant digits (`0.25`, `12.3`, and exponent form
 * outside 1e-4 … 1e3: `1.23e+08`, `1.00e-05`); objects, arrays and functions one line as Node's
 * `util.inspect` shows them (`[ 1, 2 ]`, `{ a: 1 }`), node:util being loaded the first time one is shown;
 * anything else as `String()` makes it. Escape codes are dealt with when the line is drawn.
 */
function formatPostfixValue(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    const exp = v.toExponential(2); // rounded first: 999.7 is "1.00e+3", shown in exponent form
    const e = Number(exp.slice(exp.indexOf('e') + 1));
    if (e >= -4 && e < 3) return String(Number(v.toPrecision(3)));
    const mark = exp.indexOf('e') + 2; // after the exponent's sign: two digits at least, "1.00e-05"
    return exp.length - mark < 2 ? `${exp.slice(0, mark)}0${exp.slice(mark)}` : exp;
  }
  if ((typeof v === 'object' && v !== null) || typeof v === 'function' || typeof v === 'symbol') {
    inspect ??= process.getBuiltinModule('node:util').inspect as Inspect;
    return inspect(v, { breakLength: Infinity, depth: 2, maxArrayLength: 20, maxStringLength: 100, colors: false });
  }
  return String(v);
}

/** Renders a postfix: strings as they are, records as `key=value` pairs (values: see `formatPostfixValue`). */
export function formatPostfix(postfix: unknown): string {
  if (postfix === undefined || postfix === null) return '';
  if (typeof postfix === 'string') return postfix;
  if (typeof postfix !== 'object' || Array.isArray(postfix)) throw typeError('postfix', 'a string or an object', postfix);
  return Object.entries(postfix as Record<string, unknown>)
    .map(([k, v]) => `${k}=${formatPostfixValue(v)}`)
    .join(', ');
}
