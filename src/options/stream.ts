/**
 * The options of `progress.stream()`: the bar's (with `unit: 'B'` by default) and the stream's own.
 */
import type { BarOptions, Resolved } from './bar.js';
import { resolveOptions } from './bar.js';
import { checkBoolean, checkNonNegative, checkOptionsRecord, checkSignal } from './checks.js';
import { checkWeight } from './iterable.js';
import type { Option } from './table.js';
import { optionSet, resolveTable } from './table.js';

/** Options of `progress.stream()`. */
export interface StreamOptions<T = Buffer> extends Omit<BarOptions, 'unit'> {
  /**
   * The name of one unit of progress. `'B'` counts the bytes of every chunk and shows them as sizes
   * (`4.2 MB`, `12 MB/s`); any other unit counts one per chunk (or `weight(chunk)`) and puts the
   * stream in object mode.
   * @default 'B'
   * @example progress.stream({ unit: 'rows' }) // an object-mode stream of parsed rows
   */
  unit?: string;
  /**
   * How much one chunk advances the bar.
   * @default the chunk's byte length with unit 'B', else 1
   * @example progress.stream({ unit: 'rows', weight: (batch) => batch.length })
   */
  weight?: ((chunk: T) => number) | undefined;
  /**
   * Object mode on both sides (chunks may be any value, not only bytes).
   * @default true unless the unit is 'B'
   * @example progress.stream({ unit: 'B', objectMode: true }) // Uint8Array chunks from an object-mode source
   */
  objectMode?: boolean;
  /**
   * Node's buffer limit for each side: bytes, or chunks in object mode.
   * @default Node's (64 KiB of bytes, 16 chunks)
   * @example progress.stream({ highWaterMark: 1 << 20 })
   */
  highWaterMark?: number;
  /**
   * Aborting it destroys the stream with an `AbortError` whose `cause` is `signal.reason` (a `pipeline`
   * then rejects with it) and closes the bar as aborted; a signal already aborted does so at once.
   * @default none
   * @example progress.stream({ signal: AbortSignal.timeout(60_000) })
   */
  signal?: AbortSignal | undefined;
}

/** The stream's own options, checked in this order after the bar's. */
const STREAM_OPTIONS = optionSet({
  objectMode: { check: checkBoolean, default: undefined },
  highWaterMark: { check: checkNonNegative, default: undefined },
  signal: { check: checkSignal, default: undefined },
  weight: { check: checkWeight<unknown>, default: undefined },
} satisfies { readonly [K in Exclude<keyof StreamOptions, keyof BarOptions>]-?: Option<unknown> });

const STREAM_KEYS = STREAM_OPTIONS.names;

/** `progress.stream()`'s options after validation. */
export interface ResolvedStreamOptions {
  bar: Resolved;
  /** Object mode on both sides: by default, unless the unit is bytes. */
  objectMode: boolean;
  /** `undefined`: Node's. */
  highWaterMark: number | undefined;
  signal: AbortSignal | undefined;
  weight: ((chunk: unknown) => number) | undefined;
  /** A `total` was given (else a file piped in gives its size). */
  totalGiven: boolean;
}

export function resolveStreamOptions(options: unknown): ResolvedStreamOptions {
  const raw = checkOptionsRecord(options);
  const bar = resolveOptions(raw.unit === undefined ? { ...raw, unit: 'B' } : raw, undefined, STREAM_KEYS);
  const own = resolveTable(STREAM_OPTIONS, raw);
  return {
    bar,
    objectMode: own.objectMode ?? !bar.bytes,
    highWaterMark: own.highWaterMark,
    signal: own.signal,
    weight: own.weight,
    totalGiven: raw.total !== undefined,
  };
}
