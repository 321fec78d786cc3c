/**
 * Environment switches, read when a bar is created (never at import time).
 * - `TAQADDUM_DISABLE`: any value except '', '0' or 'false' turns every bar off.
 * - `TERM=dumb`: the terminal cannot move the cursor, so output is plain lines.
 * - `FORCE_COLOR`, `NO_COLOR`: colours on a terminal (`colorsWanted`).
 * - `TAQADDUM_REPORT_SIGNAL`: the signal that asks for a report of the live bars (read by render/signals.ts
 *   when it arms, see `reportSignalSetting`).
 * - `UV_THREADPOOL_SIZE`: libuv's, read by the `taqaddum` command (`threadPoolSize`).
 */
export function envDisabled(): boolean {
  const v = process.env.TAQADDUM_DISABLE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export function dumbTerminal(): boolean {
  return process.env.TERM === 'dumb';
}

/**
 * Whether lines to a terminal may be coloured, read when a bar is created: `FORCE_COLOR` decides when set
 * (`0` or `false` turns colours off, any other value on), else a non-empty `NO_COLOR` turns them off (as
 * Node's own `hasColors()` reads them), else the stream says (`hasColors()`; none: no colours). Never
 * for a stream that is not a terminal: plain output has no colour codes.
 */
export function colorsWanted(stream: { isTTY?: boolean | undefined; hasColors?: (() => boolean) | undefined }): boolean {
  if (stream.isTTY !== true || dumbTerminal()) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  const no = process.env.NO_COLOR;
  if (no !== undefined && no !== '') return false;
  try {
    return typeof stream.hasColors === 'function' && stream.hasColors() === true;
  } catch {
    return false;
  }
}

/** `TAQADDUM_REPORT_SIGNAL` as set (`undefined` when unset or empty), read when the signal handlers arm. */
export function reportSignalSetting(): string | undefined {
  const v = process.env.TAQADDUM_REPORT_SIGNAL;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * The threads of libuv's pool, as libuv reads `UV_THREADPOOL_SIZE` when the pool starts: unset, 4; else
 * its leading number (`atoi`), and at least 1 (so a value that is not a number means 1).
 */
export function threadPoolSize(): number {
  const v = process.env.UV_THREADPOOL_SIZE;
  return v === undefined ? 4 : Math.max(Number.parseInt(v, 10) || 0, 1);
}
