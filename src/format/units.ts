/**
 * Number, size and duration formatting. Pure functions; pretty-bytes is loaded on first use of bytes.
 */
import { loadSync } from '../core/lazy.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/**
 * Three significant digits with an SI prefix: 999 → "999", 1234 → "1.23k", 12_345_678 → "12.3M".
 * Values under 1 keep two decimals ("0.25").
 */
export function formatSI(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  let i = 0;
  while (i < SI.length - 1 && v >= 999.5) {
    v /= 1000;
    i++;
  }
  let digits: string;
  if (v >= 99.95) digits = v.toFixed(0);
  else if (v >= 9.995) digits = v.toFixed(1);
  else digits = v.toFixed(2);
  return `${sign}${digits}${SI[i]}`;
}

/** A count: exact with thousands kept plain ("4200") unless SI scaling is on. */
export function formatCount(n: number, scale: boolean): string {
  if (scale) return formatSI(n);
  if (Number.isInteger(n)) return String(n);
  return formatSI(n);
}

type PrettyBytes = (n: number, options?: { maximumFractionDigits?: number }) => string;
let prettyBytes: PrettyBytes | undefined;

/** Bytes in SI units via pretty-bytes ("4.2 MB"), loaded the first time bytes are shown. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  prettyBytes ??= loadSync<{ default: PrettyBytes }>('pretty-bytes').default;
  return prettyBytes(n, { maximumFractionDigits: 1 });
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
 * bytes show as "1.3 MB/s". `undefined` (no sample yet) shows as "? it/s".
 */
export function formatRate(rate: number | undefined, unit: string, bytes: boolean): string {
  if (rate === undefined || !Number.isFinite(rate)) return bytes ? '? B/s' : `? ${unit}/s`;
  if (bytes) return `${formatBytes(rate)}/s`;
  if (rate > 0 && rate < 1) return `${formatSI(1 / rate)} s/${unit}`;
  return `${formatSI(rate)} ${unit}/s`;
}
