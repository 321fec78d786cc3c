/**
 * The arguments of the exported formatters (`formatSI`, `formatBytes`, `formatRate`, `formatDuration`,
 * `formatProgress`): their public types with TSDoc, one table per options object, and the checks.
 */
import type { Postfix } from '../bar-api.js';
import { checkBoolean, checkNonNegative, checkNumber, checkOptionsRecord, checkString, typeError } from './checks.js';
import { MAX_WIDTH } from './bar.js';
import { formatPostfix } from './postfix.js';
import type { Option } from './table.js';
import { optionSet, resolveTable } from './table.js';

/** Options of `formatSI(value, options)`. */
export interface SIOptions {
  /**
   * What one prefix step is worth: 1000 (`k`, `M`, `G`) or 1024 (binary prefixes `Ki`, `Mi`, `Gi`).
   * @default 1000
   * @example formatSI(1536, { divisor: 1024 }) // "1.50Ki"
   */
  divisor?: 1000 | 1024;
}

/** Options of `formatBytes(bytes, options)`. */
export interface BytesOptions {
  /**
   * Powers of 1024 (`KiB`, `MiB`) instead of SI (`kB`, `MB`).
   * @default false
   * @example formatBytes(1536, { binary: true }) // "1.50 KiB"
   */
  binary?: boolean;
}

/** Options of `formatRate(rate, options)`. */
export interface RateOptions {
  /**
   * The unit's name; `'B'` shows bytes (`1.30 MB/s`).
   * @default 'it'
   * @example formatRate(0.001, { unit: 'file' }) // "16.7 min/file"
   */
  unit?: string;
  /**
   * 1024: binary sizes and prefixes (`1.24 MiB/s`, `1.21Ki it/s`), as the bar option of that name.
   * @default 1000
   * @example formatRate(1_300_000, { unit: 'B', unitDivisor: 1024 }) // "1.24 MiB/s"
   */
  unitDivisor?: 1000 | 1024;
}

/**
 * What `formatProgress(state, width)` draws a line of: the numbers a bar shows. Only `n` is needed; the
 * rest reads as a bar would show it without them.
 */
export interface ProgressInfo {
  /** The count so far. */
  n: number;
  /** The expected final count; without one the line has no percentage and no bar. */
  total?: number | undefined;
  /** The label before the bar. */
  desc?: string;
  /** The unit's name (`'it'` if absent); `'B'` shows bytes. */
  unit?: string;
  /** Seconds since the start (`0` if absent). */
  elapsed?: number;
  /** Units per second; absent or `undefined`: `? it/s`. */
  rate?: number | undefined;
  /** Seconds left; by default `(total − n) / rate` when both are known, else `?`. */
  eta?: number | undefined;
  /** Fields after the rate: a string, or an object shown as `key=value` pairs. */
  postfix?: Postfix;
  /** Marks the count as a bar that failed does (`✗ 420/1000`). */
  failed?: boolean;
  /** SI prefixes on counts, as the bar option (`'auto'`: from 100,000 on). */
  unitScale?: boolean | 'auto';
  /** 1000 or 1024, as the bar option. */
  unitDivisor?: 1000 | 1024;
}

/** `ProgressInfo` checked, with its defaults. */
export interface ResolvedInfo {
  n: number;
  total: number | undefined;
  desc: string;
  unit: string;
  elapsed: number;
  rate: number | undefined;
  eta: number | undefined;
  postfix: string;
  failed: boolean;
  unitScale: boolean | 'auto';
  unitDivisor: 1000 | 1024;
}

export function checkDivisor(name: string, value: unknown): 1000 | 1024 {
  return checkNumber(name, value, '1000 or 1024', (d) => d === 1000 || d === 1024) as 1000 | 1024;
}

/** A number to format: any number (NaN and ±Infinity show as `?`); anything else is a TypeError. */
export function checkValue(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(name, 'a number', value);
  return value;
}

/** A line's width: a positive integer up to 1000 columns, or `Infinity` (a log line: nothing cut). */
export function checkLineWidth(name: string, value: unknown): number {
  return checkNumber(
    name,
    value,
    `a positive integer up to ${MAX_WIDTH}, or Infinity`,
    (w) => w === Infinity || (Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH),
  );
}

const finiteOrUndefined = (name: string, value: unknown): number | undefined =>
  checkNumber(name, value, 'a finite number or undefined', Number.isFinite);

const SI_OPTIONS = optionSet({
  divisor: { check: checkDivisor, default: 1000 },
} satisfies { readonly [K in keyof SIOptions]-?: Option<Required<SIOptions>[K]> });

const BYTES_OPTIONS = optionSet({
  binary: { check: checkBoolean, default: false },
} satisfies { readonly [K in keyof BytesOptions]-?: Option<Required<BytesOptions>[K]> });

const RATE_OPTIONS = optionSet({
  unit: { check: checkString, default: 'it' },
  unitDivisor: { check: checkDivisor, default: 1000 },
} satisfies { readonly [K in keyof RateOptions]-?: Option<Required<RateOptions>[K]> });

const INFO = optionSet({
  n: { check: (name: string, value: unknown) => checkNumber(name, value, 'a finite number', Number.isFinite), default: NaN },
  total: { check: checkNonNegative, default: undefined },
  desc: { check: checkString, default: '' },
  unit: { check: checkString, default: 'it' },
  elapsed: { check: checkNonNegative, default: 0 },
  rate: { check: finiteOrUndefined, default: undefined },
  eta: { check: finiteOrUndefined, default: undefined },
  postfix: { check: (_name: string, value: unknown) => formatPostfix(value), default: '' },
  failed: { check: checkBoolean, default: false },
  unitScale: {
    check: (name: string, value: unknown) => {
      if (value !== 'auto' && typeof value !== 'boolean') throw typeError(name, "a boolean or 'auto'", value);
      return value;
    },
    default: 'auto',
  },
  unitDivisor: { check: checkDivisor, default: 1000 },
} satisfies { readonly [K in keyof ProgressInfo]-?: Option<ResolvedInfo[K]> });

export function resolveSIOptions(raw: unknown): { divisor: 1000 | 1024 } {
  return resolveTable(SI_OPTIONS, checkOptionsRecord(raw), []);
}

export function resolveBytesOptions(raw: unknown): { binary: boolean } {
  return resolveTable(BYTES_OPTIONS, checkOptionsRecord(raw), []);
}

export function resolveRateOptions(raw: unknown): { unit: string; unitDivisor: 1000 | 1024 } {
  return resolveTable(RATE_OPTIONS, checkOptionsRecord(raw), []);
}

/** `formatProgress`'s `state`: an object with a finite `n`, every other field checked as its bar option is. */
export function resolveProgressInfo(raw: unknown): ResolvedInfo {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw typeError('state', 'an object', raw);
  const info = resolveTable(INFO, raw as Record<string, unknown>, []) as ResolvedInfo;
  if (Number.isNaN(info.n)) throw typeError('n', 'a finite number', (raw as { n?: unknown }).n);
  return info;
}
