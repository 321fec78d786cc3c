/**
 * Defaults from the environment: `TAQADDUM_MODE`, `TAQADDUM_MIN_INTERVAL`, `TAQADDUM_PLAIN_INTERVAL` and
 * `TAQADDUM_WIDTH` stand for the defaults of the options `mode`, `minInterval`, `plainInterval` and `width`
 * (as tqdm's `TQDM_*` variables do): an option given in code still wins. Each is read when a bar is
 * created without that option (the option table's late default), never at import. A value that is not
 * valid is ignored, with one line on stderr per variable per process (env.ts), and the built-in default
 * used: a typo in a job's environment never stops the job.
 */
import { envSetting, ignoreSetting } from '../env.js';

/** How a bar's output is written (the `mode` option; see `BarOptions.mode`). */
export type OutputMode = 'auto' | 'live' | 'plain' | 'json';

export const OUTPUT_MODES: readonly OutputMode[] = ['auto', 'live', 'plain', 'json'];

/** The built-in defaults the variables stand in for. */
export const DEFAULT_MIN_INTERVAL = 100;
export const DEFAULT_PLAIN_INTERVAL = 10_000;

/** `TAQADDUM_MODE` (any case), else `'auto'`. */
export function envMode(): OutputMode {
  const text = envSetting('TAQADDUM_MODE');
  if (text === undefined) return 'auto';
  const mode = text.toLowerCase() as OutputMode;
  if (OUTPUT_MODES.includes(mode)) return mode;
  ignoreSetting('TAQADDUM_MODE', text, 'auto, live, plain or json', 'auto');
  return 'auto';
}

/** A number of milliseconds: `Number()` of the text (`250`, `1e3`; `Infinity` only where `infinite`). */
function envMilliseconds(name: string, fallback: number, infinite: boolean): number {
  const text = envSetting(name);
  if (text === undefined) return fallback;
  const ms = Number(text);
  if (ms >= 0 && (infinite || Number.isFinite(ms))) return ms;
  const expected = infinite ? 'a non-negative number of milliseconds, or Infinity' : 'a non-negative number of milliseconds';
  ignoreSetting(name, text, expected, `the default, ${fallback}`);
  return fallback;
}

/** `TAQADDUM_MIN_INTERVAL`, else 100 ms. */
export function envMinInterval(): number {
  return envMilliseconds('TAQADDUM_MIN_INTERVAL', DEFAULT_MIN_INTERVAL, false);
}

/** `TAQADDUM_PLAIN_INTERVAL`, else 10 s (`Infinity`: final lines only). */
export function envPlainInterval(): number {
  return envMilliseconds('TAQADDUM_PLAIN_INTERVAL', DEFAULT_PLAIN_INTERVAL, true);
}

/** `TAQADDUM_WIDTH` (columns, 1 to `max`), else `undefined`: the terminal's width. */
export function envWidth(max: number): number | undefined {
  const text = envSetting('TAQADDUM_WIDTH');
  if (text === undefined) return undefined;
  const width = Number(text);
  if (Number.isInteger(width) && width >= 1 && width <= max) return width;
  ignoreSetting('TAQADDUM_WIDTH', text, `a number of columns from 1 to ${max}`, 'the default width');
  return undefined;
}
