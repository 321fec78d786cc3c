/**
 * Number, size and duration formatting. Pure functions; pretty-bytes is loaded on first use of bytes.
 */
import { loadSync } from '../lazy.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
/** Binary (IEC) prefixes, for `unitDivisor: 1024`: 1 Ki = 1024. */
const IEC = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

/** What one prefix step is worth: 1000 (SI, `k`, `M`) or 1024 (binary, `Ki`, `Mi`). */
export type UnitDivisor = 1000 | 1024;

/**
 * Three significant digits of `|value|` and the index of its prefix (`value` finite). With 1024 a value
 * from 1000 to 1023 keeps four digits ("1023"), as binary sizes do, rather than "1.00Ki" for 1000.
 */
function scaled(value: number, divisor: UnitDivisor): [digits: string, prefix: number] {
  let v = Math.abs(value);
  let i = 0;
  while (i < SI.length - 1 && v >= divisor - 0.5) {
    v /= divisor;
    i++;
  }
  if (v >= 99.95) return [v.toFixed(0), i];
  if (v >= 9.995) return [v.toFixed(1), i];
  return [v.toFixed(2), i];
}

/**
 * Three significant digits with an SI prefix: 999 → "999", 1234 → "1.23k", 12_345_678 → "12.3M".
 * Values under 1 keep two decimals ("0.25"). With `divisor` 1024, binary prefixes: 1536 → "1.50Ki".
 */
export function formatSI(value: number, divisor: UnitDivisor = 1000): string {
  if (!Number.isFinite(value)) return '?';
  const [digits, i] = scaled(value, divisor);
  return `${value < 0 ? '-' : ''}${digits}${(divisor === 1024 ? IEC : SI)[i]}`;
}

/** A count: exact with thousands kept plain ("4200") unless scaling is on (SI, or binary with 1024). */
export function formatCount(n: number, scale: boolean, divisor: UnitDivisor = 1000): string {
  // A whole count below 1000 reads the same scaled or not: "0/20.0M", not "0.00/20.0M".
  if (Number.isInteger(n) && (!scale || (n > -divisor && n < divisor))) return String(n);
  return formatSI(n, divisor);
}

type PrettyBytes = (n: number, options?: { binary?: boolean }) => string;
let prettyBytes: PrettyBytes | undefined;

/**
 * Bytes in SI units with three significant digits, rounded: 6_290_000 → "6.29 MB", 6e6 → "6.00 MB",
 * 1.09e9 → "1.09 GB", 999_600 → "1.00 MB". pretty-bytes (loaded the first time bytes are shown) picks the
 * unit and rounds to three significant digits; the trailing zeros it leaves out are put back, so the
 * width holds still while the count grows ("6.00 MB", not "6 MB" then "6.01 MB"). Whole byte counts below
 * 1 kB stay exact ("512 B"). With `binary`, powers of 1024: 1536 → "1.50 KiB", 5e9 → "4.66 GiB" (and
 * whole counts below 1 KiB stay exact: "1000 B").
 */
export function formatBytes(n: number, binary = false): string {
  if (!Number.isFinite(n)) return '?';
  prettyBytes ??= loadSync<{ default: PrettyBytes }>('pretty-bytes').default;
  const text = binary ? prettyBytes(n, { binary: true }) : prettyBytes(n);
  const below = binary ? 1024 : 1000;
  if (Number.isInteger(n) && n > -below && n < below) return text;
  const space = text.indexOf(' ');
  return `${threeDigits(text.slice(0, space))}${text.slice(space)}`;
}

/** "6" → "6.00", "6.3" → "6.30", "12.5" → "12.5", "0.5" → "0.50" (a number already rounded to 3 digits). */
function threeDigits(number: string): string {
  const sign = number.startsWith('-') ? '-' : '';
  const digits = sign ? number.slice(1) : number;
  const point = digits.indexOf('.');
  const whole = point < 0 ? digits : digits.slice(0, point);
  const fraction = point < 0 ? '' : digits.slice(point + 1);
  const want = whole === '0' ? 2 : 3 - whole.length;
  if (want <= fraction.length) return number;
  return `${sign}${whole}.${fraction.padEnd(want, '0')}`;
}

/**
 * A duration in seconds as `MM:SS`, `H:MM:SS` or `Nd HH:MM:SS`.
 * Negative, NaN and infinite values show as "?" (a duration is never shown negative or wrapped).
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '?';
  const total = Math.floor(seconds);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (h === 0) return mmss;
  if (h < 24) return `${h}:${mmss}`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}:${mmss}`;
}

/** Seconds, minutes, hours, days: the time one item takes reads in the first that keeps it under 1000. */
const PER_ITEM: readonly (readonly [unit: string, seconds: number])[] = [
  ['s', 1],
  ['min', 60],
  ['h', 3600],
  ['d', 86_400],
];

/** The time one item takes, `seconds` > 1: "2.50 s", "120 s", then "16.7 min", "2.78 h", "1.16 d". */
function perItem(seconds: number): string {
  for (const [unit, length] of PER_ITEM) {
    const v = seconds / length;
    if (v < 999.5 || unit === 'd') return `${formatSI(v)} ${unit}`;
  }
  return '?'; // not reached: days take the rest
}

/**
 * A rate: "123 it/s", "1.23M it/s"; below one unit a second it turns over to the time one takes,
 * "2.50 s/it", and past 1000 s to minutes, hours or days ("16.7 min/it", not "1.00k s/it"); bytes show
 * as "1.30 MB/s" ("1.24 MiB/s" with `divisor` 1024, and binary prefixes for other units: "1.21Ki it/s").
 * `undefined` (no sample yet) shows as "? it/s".
 */
export function formatRate(rate: number | undefined, unit: string, bytes: boolean, divisor: UnitDivisor = 1000): string {
  if (rate === undefined || !Number.isFinite(rate)) return bytes ? '? B/s' : `? ${unit}/s`;
  if (bytes) return `${formatBytes(rate, divisor === 1024)}/s`;
  if (rate > 0 && rate < 1) return `${perItem(1 / rate)}/${unit}`;
  return `${formatSI(rate, divisor)} ${unit}/s`;
}
