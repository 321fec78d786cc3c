/**
 * The formatters the bars use, for lines and logs of your own with the same look: counts with SI prefixes,
 * bytes, rates, durations, and a whole line for a state of your own (`formatProgress`). Pure: they write
 * nothing; their arguments are checked as options are (a TypeError or RangeError naming the argument).
 */
import type { Snapshot } from './core/state.js';
import { formatLine } from './format/line.js';
import { formatBytes as bytes, formatDuration as duration, formatRate as rate, formatSI as si } from './format/units.js';
import type { BytesOptions, ProgressInfo, RateOptions, SIOptions } from './options/formatters.js';
import {
  checkLineWidth,
  checkValue,
  resolveBytesOptions,
  resolveProgressInfo,
  resolveRateOptions,
  resolveSIOptions,
} from './options/formatters.js';

export type { BytesOptions, ProgressInfo, RateOptions, SIOptions };

/**
 * Three significant digits with an SI prefix, as a bar shows scaled counts and rates.
 * NaN and ±Infinity show as `?`.
 * @example formatSI(1234) // "1.23k"; formatSI(12_345_678) // "12.3M"; formatSI(0.25) // "0.25"
 * @example formatSI(1536, { divisor: 1024 }) // "1.50Ki"
 */
export function formatSI(value: number, options?: SIOptions): string {
  checkValue('value', value);
  return si(value, resolveSIOptions(options).divisor);
}

/**
 * A size in bytes, three significant digits (whole counts under 1 kB exact), as a bar with `unit: 'B'`.
 * @example formatBytes(6_290_000) // "6.29 MB"; formatBytes(512) // "512 B"
 * @example formatBytes(1536, { binary: true }) // "1.50 KiB"
 */
export function formatBytes(bytesCount: number, options?: BytesOptions): string {
  checkValue('bytes', bytesCount);
  return bytes(bytesCount, resolveBytesOptions(options).binary);
}

/**
 * A rate in units per second, as a bar shows it: `123 it/s`; below one a second, the time one unit takes
 * (`2.50 s/it`, `16.7 min/it`); bytes as `1.30 MB/s`; `undefined` as `? it/s`.
 * @example formatRate(1_234_000) // "1.23M it/s"; formatRate(0.4, { unit: 'file' }) // "2.50 s/file"
 */
export function formatRate(unitsPerSecond: number | undefined, options?: RateOptions): string {
  if (unitsPerSecond !== undefined) checkValue('rate', unitsPerSecond);
  const o = resolveRateOptions(options);
  return rate(unitsPerSecond, o.unit, o.unit === 'B', o.unitDivisor);
}

/**
 * A duration in seconds, as the elapsed time and the ETA read: `MM:SS`, `H:MM:SS`, `Nd HH:MM:SS`.
 * Negative, NaN and infinite values show as `?`.
 * @example formatDuration(65) // "01:05"; formatDuration(3723) // "1:02:03"
 */
export function formatDuration(seconds: number): string {
  checkValue('seconds', seconds);
  return duration(seconds);
}

/**
 * The whole line a bar would draw for `state`, at most `width` columns (the same fitting: the bar takes
 * what is left, a narrow width drops parts in the bar's order). `Infinity` (the default) is a log line:
 * nothing dropped, the bar as wide as an 80-column line leaves it. No escape codes: colour codes in the
 * text are removed.
 * @example formatProgress({ desc: 'rows', n: 420, total: 1000, elapsed: 3.4, rate: 123 }, 70)
 * // "rows:  42%|██████████▌              | 420/1000 [00:03<00:05, 123 it/s]"
 */
export function formatProgress(state: ProgressInfo, width = Infinity): string {
  const s = resolveProgressInfo(state);
  const w = checkLineWidth('width', width);
  const bytesUnit = s.unit === 'B';
  let eta = s.eta;
  if (eta === undefined && s.total !== undefined) {
    const left = s.total - s.n;
    if (left <= 0) eta = 0;
    else if (s.rate !== undefined && s.rate > 0 && left / s.rate < Infinity) eta = left / s.rate;
  }
  const snapshot: Snapshot = {
    desc: s.desc,
    n: s.n,
    total: s.total,
    unit: s.unit,
    bytes: bytesUnit,
    unitScale: s.unitScale === 'auto' ? Math.max(s.n, s.total ?? 0) >= 100_000 : s.unitScale,
    unitDivisor: s.unitDivisor,
    elapsed: s.elapsed,
    rate: s.rate,
    eta,
    postfix: s.postfix,
    outcome: s.failed ? 'failed' : 'running',
  };
  return formatLine(snapshot, w, false);
}
