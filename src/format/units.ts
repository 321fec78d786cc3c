/**
 * Number, size and duration formatting. Pure functions; pretty-bytes is loaded on first use of bytes.
 */
import { loadSync } from '../lazy.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** Three significant digits of `|value|` and the index of its SI prefix (`value` finite). */
function scaled(value: number): [digits: string, prefix: number] {
  let v = Math.abs(value);
  let i = 0;
  while (i < SI.length - 1 && v >= 999.5) {
    v /= 1000;
    i++;
  }
  if (v >= 99.95) return [v.toFixed(0), i];
  if (v >= 9.995) return [v.toFixed(1), i];
  return [v.toFixed(2), i];
}

/**
 * Three significant digits with an SI prefix: 999 → "999", 1234 → "1.23k", 12_345_678 → "12.3M".
 * Values under 1 keep two decimals ("0.25").
 */
export function formatSI(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const [digits, i] = scaled(value);
  return `${value < 0 ? '-' : ''}${digits}${SI[i]}`;
}

/** A count: exact with thousands kept plain ("4200") unless SI scaling is on. */
export function formatCount(n: number, scale: boolean): string {
  // A whole count below 1000 reads the same scaled or not: "0/20.0M", not "0.00/20.0M".
  if (Number.isInteger(n) && (!scale || (n > -1000 && n < 1000))) return String(n);
  return formatSI(n);
}

type PrettyBytes = (n: number) => string;
let prettyBytes: PrettyBytes | undefined;

/**
 * Bytes in SI units with three significant digits, rounded: 6_290_000 → "6.29 MB", 6e6 → "6.00 MB",
 * 1.09e9 → "1.09 GB", 999_600 → "1.00 MB". pretty-bytes (loaded the first time bytes are shown) picks the
 * unit and rounds to three significant digits; the trailing zeros it leaves out are put back, so the
 * width holds still while the count grows ("6.00 MB", not "6 MB" then "6.01 MB"). Whole byte counts below
 * 1 kB stay exact ("512 B").
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  prettyBytes ??= loadSync<{ default: PrettyBytes }>('pretty-bytes').default;
  const text = prettyBytes(n);
  if (Number.isInteger(n) && n > -1000 && n < 1000) return text;
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

/**
 * A rate: "123 it/s", "1.23M it/s"; below one unit a second it turns over to "2.50 s/it";
 * bytes show as "1.30 MB/s". `undefined` (no sample yet) shows as "? it/s".
 */
export function formatRate(rate: number | undefined, unit: string, bytes: boolean): string {
  if (rate === undefined || !Number.isFinite(rate)) return bytes ? '? B/s' : `? ${unit}/s`;
  if (bytes) return `${formatBytes(rate)}/s`;
  if (rate > 0 && rate < 1) return `${formatSI(1 / rate)} s/${unit}`;
  return `${formatSI(rate)} ${unit}/s`;
}
