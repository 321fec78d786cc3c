/**
 * Environment switches, read when a bar is created (never at import time).
 * - `TAQADDUM_DISABLE`: any value except '', '0' or 'false' turns every bar off.
 * - `TERM=dumb`: the terminal cannot move the cursor, so output is plain lines.
 * - `FORCE_COLOR`, `NO_COLOR`: colours on a terminal (`colorsWanted`).
 * - `TAQADDUM_REPORT_SIGNAL`: the signal that asks for a report of the live bars (read by render/signals.ts
 *   when it arms, see `reportSignalSetting`).
 * - `WT_SESSION`, `ConEmuANSI`, `TERM_PROGRAM`, `TMUX`…: whether the terminal shows taskbar progress
 *   (`taskbarSupported`, read by the renderer at its first terminal frame).
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
 * The environment variables `taskbarSupported` reads (the tests clear them, so that a run does not depend
 * on the terminal it was started from).
 */
export const TASKBAR_ENV = ['TMUX', 'STY', 'WT_SESSION', 'ConEmuANSI', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION'] as const;

/**
 * Whether the terminal is known to show OSC 9;4 progress (the `taskbar` option's default), read when a
 * terminal renderer draws its first frame. Known: Windows Terminal (`WT_SESSION`, 1.6+), ConEmu
 * (`ConEmuANSI=ON`), Ghostty (`TERM_PROGRAM=ghostty`: 1.2+ shows it, older versions parse and ignore it),
 * WezTerm (`TERM_PROGRAM=WezTerm`) and iTerm2 from 3.6.6 (`TERM_PROGRAM=iTerm.app`; older versions take
 * any OSC 9 for a desktop notification, so they would pop one up per change). Under tmux or GNU screen
 * (`TMUX`, `STY`) the sequence never reaches the outer terminal (tmux drops OSC sequences it does not
 * know unless wrapped for its passthrough), whatever the outer terminal is: off.
 */
export function taskbarSupported(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TMUX || env.STY) return false;
  if (env.WT_SESSION || env.ConEmuANSI === 'ON') return true;
  const program = env.TERM_PROGRAM;
  if (program === 'ghostty' || program === 'WezTerm' || env.TERM === 'xterm-ghostty') return true;
  if (program === 'iTerm.app') return versionAtLeast(env.TERM_PROGRAM_VERSION, [3, 6, 6]);
  return false;
}

/** Whether a dotted version (`3.6.10`, `3.6.6beta1`) is at least `min`; unknown or unreadable: no. */
function versionAtLeast(version: string | undefined, min: readonly number[]): boolean {
  if (version === undefined) return false;
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const part = parts[i] ?? 0;
    if (Number.isNaN(part)) return false;
    if (part !== min[i]) return part > (min[i] as number);
  }
  return true;
}
