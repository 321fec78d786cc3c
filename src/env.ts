/**
 * Environment switches, read when a bar is created (never at import time).
 * - `TAQADDUM_DISABLE`: any value except '', '0' or 'false' turns every bar off.
 * - `TAQADDUM_MODE`, `TAQADDUM_MIN_INTERVAL`, `TAQADDUM_PLAIN_INTERVAL`, `TAQADDUM_WIDTH`: the defaults of
 *   the options of the same name (`envSetting`; options/bar.ts checks them and `ignoreSetting` reports a
 *   bad one, once per variable per process).
 * - `CI`: a CI job; `mode: 'auto'` writes plain lines there even to a terminal (`ciEnvironment`).
 * - `TERM=dumb`: the terminal cannot move the cursor, so output is plain lines.
 * - `FORCE_COLOR`, `NO_COLOR`: colours on a terminal (`colorsWanted`).
 * - `TAQADDUM_REPORT_SIGNAL`: the signal that asks for a report of the live bars (read by render/signals.ts
 *   when it arms, see `reportSignalSetting`).
 * - `WT_SESSION`, `ConEmuANSI`, `TERM_PROGRAM`, `TMUX`…: whether the terminal shows taskbar progress
 *   (`taskbarSupported`, read by the renderer at its first terminal frame).
 * - `UV_THREADPOOL_SIZE`: libuv's, read by the `taqaddum` command (`threadPoolSize`).
 */
export function envDisabled(): boolean {
  const v = process.env.TAQADDUM_DISABLE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Whether this runs as a CI job: `CI` set to anything but '', '0' or 'false' (GitHub Actions, GitLab,
 * CircleCI, Travis, Buildkite, Azure Pipelines and Jenkins' plugins all set it). Some of them give the job a
 * pseudo-terminal, but what it writes ends up in a log: frames would fill it with cursor codes.
 */
export function ciEnvironment(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** A `TAQADDUM_*` setting as written, trimmed; `undefined` when unset or blank (as if it were not there). */
export function envSetting(name: string): string | undefined {
  const v = process.env[name];
  if (v === undefined) return undefined;
  const trimmed = v.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Variables already reported as ignored: each is reported once per process, however many bars read it. */
const reported = new Set<string>();

/**
 * A setting that is not valid is ignored, and said so once on stderr (one line naming the variable, its
 * value, what was expected and what is used instead): a typo in a job's environment must neither crash it
 * nor pass unnoticed, nor repeat for every bar. On a terminal with live bars the line lands above them
 * (process.stderr is captured there).
 */
export function ignoreSetting(name: string, value: string, expected: string, instead: string): void {
  if (reported.has(name)) return;
  reported.add(name);
  const shown = JSON.stringify(value).slice(1, -1); // control characters escaped: the line stays one line
  const line = `taqaddum: ignoring ${name}=\`${shown}\` (expected ${expected}); using ${instead}\n`;
  try {
    // A worker's process.stderr is relayed by the main thread, which may be busy until the end (the
    // command's copy loop) or gone: a worker writes the descriptor itself.
    if (process.getBuiltinModule('node:worker_threads').isMainThread) process.stderr.write(line);
    else process.getBuiltinModule('node:fs').writeSync(2, line);
  } catch {
    // stderr is gone: nothing to tell, and the bar goes on with the default
  }
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

/**
 * The threads of libuv's pool, as libuv reads `UV_THREADPOOL_SIZE` when the pool starts: unset, 4; else
 * its leading number (`atoi`), and at least 1 (so a value that is not a number means 1).
 */
export function threadPoolSize(): number {
  const v = process.env.UV_THREADPOOL_SIZE;
  return v === undefined ? 4 : Math.max(Number.parseInt(v, 10) || 0, 1);
}
