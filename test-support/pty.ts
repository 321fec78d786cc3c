/**
 * Runs a small Node program in a real pseudo-terminal and hands back every byte it printed.
 *
 * The terminal comes from util-linux `script` (Debian's `bsdutils`, which is Essential, so it is on every
 * Debian/Ubuntu machine; no native module, no download). `script -qfec CMD /dev/null` opens a pty, runs CMD
 * in it as a new session, and copies everything written to the terminal to its stdout, which we read;
 * what we write to its stdin is typed into the terminal (so `\x03` is a real Ctrl-C: the terminal's line
 * discipline turns it into SIGINT for the foreground process group, and echoes `^C`, as a real one does).
 * CMD sets the window size with `stty`, then starts `fixtures/_launch.js`, which starts the fixture and
 * records its pid, its tty and how it ended (exit code or signal) in a scratch directory.
 *
 * A resize sets the pty's size with `stty -F /dev/pts/N`: the kernel then sends SIGWINCH to the
 * foreground process group, as when a terminal window is resized. The byte offset at which each resize
 * (and each labelled step) happened is recorded, so that the emulator can be resized at the same point
 * when the bytes are replayed (`renderPtyScreen`). Output the program wrote just before the resize but
 * that reached us after it is replayed at the new size, as a real terminal would show it; starting
 * `stty` takes a few milliseconds, so a fixture should be quiet when it is resized (see
 * fixtures/resize.js) unless that race is what is being tested.
 *
 * `tty: false` runs the fixture with a plain pipe instead (stdout and stderr into the same pipe, as with
 * `2>&1`), as when output goes to a file or a CI log.
 *
 * Linux only (`/proc`, `stty -F`, util-linux `script`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root directory. */
export const repoRoot = resolve(here, '..');
/** The fixtures directory (small programs that import the built library, `dist/index.js`). */
export const fixturesDir = join(here, 'fixtures');
const launcher = join(fixturesDir, '_launch.js');

/** Something the harness does while the program runs, in order. */
export type Step =
  /** Wait until the output so far (ANSI codes included) contains this text or matches this pattern. */
  | { waitFor: string | RegExp; label?: string }
  /** Type keys into the terminal: `'\x03'` is Ctrl-C. */
  | { send: string; label?: string }
  /** Send a signal to the program itself (not to the terminal). */
  | { signal: NodeJS.Signals; label?: string }
  /** Resize the terminal window. */
  | { resize: { cols: number; rows: number }; label?: string };

export interface RunOptions {
  /** Terminal width. @default 80 */
  cols?: number;
  /** Terminal height. @default 24 */
  rows?: number;
  /** Run in a pseudo-terminal (true) or with plain pipes (false). @default true */
  tty?: boolean;
  /** Arguments for the fixture. */
  args?: readonly string[];
  /** Extra environment variables (`undefined` removes one). */
  env?: Record<string, string | undefined>;
  steps?: readonly Step[];
  /** The program is killed (SIGKILL) if it runs longer than this (under Jest's 20 s test timeout). @default 15000 */
  timeoutMs?: number;
  /** Mark the end of each of the program's writes in the output (see `writeEnds`). @default false */
  markWrites?: boolean;
  /**
   * Without a terminal only: close the reading end of the program's stderr at once, so that its writes
   * there fail with EPIPE (as when `node job.js 2>&1 | head` is done reading). Only stdout is collected.
   */
  closeStderr?: boolean;
}

export interface RunResult {
  /** Everything written to the terminal (stdout and stderr, and the terminal's own echo), as UTF-8. */
  bytes: string;
  /** The program's exit code, or null if a signal ended it. */
  exitCode: number | null;
  /** The signal that ended the program, or null. */
  signal: NodeJS.Signals | null;
  /** The program ran past `timeoutMs` and was killed. */
  timedOut: boolean;
  /** Initial terminal size. */
  cols: number;
  rows: number;
  /** Offsets into `bytes` at which labelled steps ran (only steps that ran before the program ended). */
  marks: Record<string, number>;
  /** Resizes, with the offset into `bytes` at which each happened. */
  resizes: { offset: number; cols: number; rows: number }[];
  /** Steps that did not run because the program ended first (their labels, or their kind). */
  skippedSteps: string[];
}

const ESCAPE_SINGLE = /'/g;
const shellQuote = (s: string): string => `'${s.replace(ESCAPE_SINGLE, `'\\''`)}'`;

function stepName(step: Step): string {
  if (step.label !== undefined) return step.label;
  if ('waitFor' in step) return `waitFor ${String(step.waitFor)}`;
  if ('send' in step) return `send ${JSON.stringify(step.send)}`;
  if ('signal' in step) return `signal ${step.signal}`;
  return `resize ${step.resize.cols}x${step.resize.rows}`;
}

function hasScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `fixture` (a file in `fixturesDir`, or a path) and resolves when it has ended and all its output
 * has been read.
 */
export async function runInPty(fixture: string, options: RunOptions = {}): Promise<RunResult> {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  const tty = options.tty ?? true;
  const file = resolve(fixturesDir, fixture);
  if (!existsSync(file)) throw new Error(`No fixture ${file}`);
  const scratch = mkdtempSync(join(tmpdir(), 'taqaddum-pty-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', SHELL: '/bin/sh' };
  // Jest's flags are not for the fixture; a stray size or switch would change what it draws.
  // CI and the TAQADDUM_* settings would turn frames into plain lines or change their defaults.
  const stray = ['NODE_OPTIONS', 'COLUMNS', 'LINES', 'TAQADDUM_DISABLE', 'NO_COLOR', 'FORCE_COLOR', 'CI'];
  stray.push('TAQADDUM_MODE', 'TAQADDUM_MIN_INTERVAL', 'TAQADDUM_PLAIN_INTERVAL', 'TAQADDUM_WIDTH');
  for (const key of stray) {
    delete env[key];
  }
  if (options.markWrites === true) env.TAQADDUM_TEST_MARK_WRITES = '1';
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const args = [launcher, scratch, file, ...(options.args ?? [])];
  let command: string;
  let commandArgs: string[];
  if (tty) {
    if (!hasScript()) throw new Error('The terminal tests need `script` from util-linux (Debian: bsdutils)');
    const inner = `stty cols ${cols} rows ${rows} && exec ${[process.execPath, ...args].map(shellQuote).join(' ')}`;
    command = 'script';
    commandArgs = ['-qfec', inner, '/dev/null'];
  } else if (options.closeStderr === true) {
    command = process.execPath;
    commandArgs = args;
  } else {
    // One pipe for both, as `2>&1` does: what the program writes keeps its order.
    command = '/bin/sh';
    commandArgs = ['-c', 'exec "$0" "$@" 2>&1', process.execPath, ...args];
  }
  const child = spawn(command, commandArgs, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  if (!tty && options.closeStderr === true) child.stderr.destroy();

  const chunks: Buffer[] = [];
  let received = 0;
  const decoder = new StringDecoder('utf8');
  let text = ''; // what has been received so far, decoded (for `waitFor`)
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const nextEvent = (): Promise<void> => new Promise<void>((r) => (wake = r));
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    received += chunk.length;
    text += decoder.write(chunk);
    notify();
  };
  child.stdout.on('data', onData);
  // With `script` or `sh`, stderr is only their own complaints.
  child.stderr.on('data', (c: Buffer) => onData(Buffer.from(`[${command}] ${c.toString()}`)));
  let ended = false;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveClosed) => {
    child.on('close', (code, signal) => {
      ended = true;
      notify();
      resolveClosed({ code, signal });
    });
  });
  child.stdin.on('error', () => {}); // typing into a terminal that has gone away

  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    const started = readStarted(scratch);
    if (started !== undefined) {
      try {
        process.kill(started.pid, 'SIGKILL');
      } catch {}
    }
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 15_000);

  const marks: Record<string, number> = {};
  const resizes: RunResult['resizes'] = [];
  const skippedSteps: string[] = [];
  const steps = options.steps ?? [];
  const started = async (): Promise<{ pid: number; tty: string } | undefined> => {
    for (;;) {
      const s = readStarted(scratch);
      if (s !== undefined || ended) return s;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (ended) {
      skippedSteps.push(...steps.slice(i).map(stepName));
      break;
    }
    if ('waitFor' in step) {
      const pattern = step.waitFor;
      const found = (): boolean => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
      while (!found() && !ended) await nextEvent();
      if (!found()) {
        skippedSteps.push(...steps.slice(i).map(stepName));
        break;
      }
    } else if ('send' in step) {
      if (!tty) throw new Error('`send` needs a terminal');
      child.stdin.write(step.send);
    } else if ('signal' in step) {
      const s = await started();
      if (s === undefined) {
        skippedSteps.push(...steps.slice(i).map(stepName));
        break;
      }
      try {
        process.kill(s.pid, step.signal);
      } catch {}
    } else {
      if (!tty) throw new Error('`resize` needs a terminal');
      const s = await started();
      if (s === undefined || s.tty === '') {
        skippedSteps.push(...steps.slice(i).map(stepName));
        break;
      }
      const offset = received;
      const r = spawnSync('stty', ['-F', s.tty, 'cols', String(step.resize.cols), 'rows', String(step.resize.rows)]);
      if (r.status !== 0) {
        if (ended) {
          skippedSteps.push(...steps.slice(i).map(stepName));
          break;
        }
        throw new Error(`stty failed: ${r.stderr.toString()}`);
      }
      resizes.push({ offset, ...step.resize });
    }
    if (step.label !== undefined) marks[step.label] = received;
  }

  const closedWith = await closed;
  clearTimeout(timeout);
  child.stdin.end();
  const raw = Buffer.concat(chunks);
  const status = readJson<{ code: number | null; signal: NodeJS.Signals | null }>(join(scratch, 'status.json'));
  rmSync(scratch, { recursive: true, force: true });
  // Byte offsets → string offsets.
  const toText = (offset: number): number => raw.subarray(0, offset).toString('utf8').length;
  for (const key of Object.keys(marks)) marks[key] = toText(marks[key] as number);
  for (const r of resizes) r.offset = toText(r.offset);
  return {
    bytes: raw.toString('utf8'),
    exitCode: status ? status.code : closedWith.code,
    signal: status ? status.signal : closedWith.signal,
    timedOut,
    cols,
    rows,
    marks,
    resizes,
    skippedSteps,
  };
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function readStarted(scratch: string): { pid: number; tty: string } | undefined {
  return readJson<{ pid: number; tty: string }>(join(scratch, 'started.json'));
}

/** Ended by SIGINT: killed by it, or exited with the conventional status 130. */
export function endedBySigint(r: Pick<RunResult, 'exitCode' | 'signal'>): boolean {
  return r.signal === 'SIGINT' || r.exitCode === 130;
}

/** What the emulator shows; like `renderScreen` (test-support/screen.ts), plus wrap flags and scrollback. */
export interface PtyScreen {
  cols: number;
  /** The visible rows, right-trimmed. */
  rows: string[];
  /** The visible rows without trailing empty ones, joined by newlines. */
  text: string;
  /** For each visible row: it is the continuation of the row above (the line was too long and wrapped). */
  wrapped: boolean[];
  /** Every line in the buffer, scrollback first, right-trimmed. */
  all: string[];
  /** For each line in `all`: wrapped from the line above. */
  allWrapped: boolean[];
  /**
   * The visible rows cell by cell (right-trimmed): a wide character (CJK, most emoji) fills its first cell
   * and leaves '' in its second, as on the screen.
   */
  cells: string[][];
  cursor: { x: number; y: number };
  cursorVisible: boolean;
}

/** How the emulator behaves. */
export interface EmulatorOptions {
  /**
   * Re-wrap the lines on screen when the window gets narrower or wider, as most terminals do; `false`
   * emulates one that cuts them instead (xterm, st, the Linux console), with xterm.js's "Windows mode"
   * (which also takes a row whose last cell is not blank to wrap on: bar lines never fill the last cell).
   * @default true
   */
  reflow?: boolean;
}

/**
 * Replays `result.bytes` (up to `upTo`, an offset such as one of `result.marks`) into @xterm/headless at
 * the run's size, resizing the emulator where the run resized the pty, and reads back the screen.
 */
export async function renderPtyScreen(result: RunResult, upTo = result.bytes.length, options: EmulatorOptions = {}): Promise<PtyScreen> {
  const [screen] = await renderPtyScreens(result, [upTo], options);
  return screen as PtyScreen;
}

/**
 * The screen at each of `offsets` (ascending), replaying the bytes once: e.g. after every frame.
 */
export async function renderPtyScreens(
  result: RunResult,
  offsets: readonly number[],
  options: EmulatorOptions = {},
): Promise<PtyScreen[]> {
  const windowsMode = options.reflow === false;
  const term = new Terminal({ cols: result.cols, rows: result.rows, allowProposedApi: true, scrollback: 1000, windowsMode });
  const write = (data: string): Promise<void> => new Promise<void>((r) => term.write(data, r));
  const resizes = [...result.resizes];
  let at = 0;
  const advance = async (to: number): Promise<void> => {
    while (resizes.length > 0 && (resizes[0] as { offset: number }).offset <= to) {
      const r = resizes.shift() as RunResult['resizes'][number];
      await write(result.bytes.slice(at, r.offset));
      at = r.offset;
      term.resize(r.cols, r.rows);
    }
    await write(result.bytes.slice(at, to));
    at = to;
  };
  const screens: PtyScreen[] = [];
  for (const offset of offsets) {
    if (offset < at) throw new Error('renderPtyScreens: offsets must be ascending');
    await advance(offset);
    screens.push(readScreen(term));
  }
  term.dispose();
  return screens;
}

function readScreen(term: InstanceType<typeof Terminal>): PtyScreen {
  const buffer = term.buffer.active;
  const read = (y: number): { text: string; wrapped: boolean } => {
    const line = buffer.getLine(y);
    // Only the cells inside the window: without re-wrapping, xterm.js keeps a cut line's hidden end.
    return { text: (line?.translateToString(true, 0, term.cols) ?? '').trimEnd(), wrapped: line?.isWrapped ?? false };
  };
  const visible = Array.from({ length: term.rows }, (_, y) => read(buffer.viewportY + y));
  const cells = Array.from({ length: term.rows }, (_, y) => {
    const line = buffer.getLine(buffer.viewportY + y);
    const row: string[] = [];
    for (let x = 0; x < term.cols; x++) {
      const cell = line?.getCell(x);
      row.push(cell === undefined ? ' ' : cell.getWidth() === 0 ? '' : cell.getChars() || ' ');
    }
    while (row.length > 0 && row[row.length - 1] === ' ') row.pop();
    return row;
  });
  const all = Array.from({ length: buffer.length }, (_, y) => read(y));
  const trimmed = visible.map((l) => l.text);
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  const core = (term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
  const hidden = core?.coreService?.isCursorHidden;
  return {
    cols: term.cols,
    rows: visible.map((l) => l.text),
    text: trimmed.join('\n'),
    wrapped: visible.map((l) => l.wrapped),
    all: all.map((l) => l.text),
    allWrapped: all.map((l) => l.wrapped),
    cells,
    cursor: { x: buffer.cursorX, y: buffer.cursorY },
    cursorVisible: hidden === undefined ? true : !hidden,
  };
}

/** What fixtures write after each write of theirs when `markWrites` is on (an APC string: terminals ignore it). */
export const WRITE_MARK = '\u001B_taqaddum-write\u001B\\';

/**
 * Offsets just after each of the program's writes (needs `markWrites`). A frame is one write, so between
 * two of them the screen shows whole frames; the terminal may get a write in several pieces.
 */
export function writeEnds(bytes: string): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(WRITE_MARK); i >= 0; i = bytes.indexOf(WRITE_MARK, i + 1)) out.push(i + WRITE_MARK.length);
  return out;
}

/**
 * Builds `dist/` (`npm run build`) if it is missing or older than a file in `src/`: the fixtures import the
 * built library. CI builds before testing, so there this does nothing.
 */
export function ensureBuilt(): void {
  const root = repoRoot;
  const entry = join(root, 'dist', 'index.js');
  const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : -1;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > builtAt,
    );
  if (builtAt >= 0 && !newer(join(root, 'src'))) return;
  const startedAt = Date.now();
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  // tsc writes the JavaScript even when a file elsewhere fails to type-check (the type-check is its own
  // CI step): carry on if the entry point was written.
  const written = existsSync(entry) && statSync(entry).mtimeMs >= startedAt - 1000;
  if (r.status !== 0 && !written) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}

/** A readable dump of a run for failure messages: the screen with row numbers, and how it ended. */
/** Runs assertions; on failure, the message gets the screen as it was. */
export function onScreen(r: RunResult, screen: PtyScreen, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error) error.message += `\n\nThe screen:\n${describeRun(r, screen)}`;
    throw error;
  }
}

export function describeRun(result: RunResult, screen: PtyScreen): string {
  const how = result.signal !== null ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
  const rows = screen.rows.map((r, i) => `${String(i).padStart(2)}|${r}${screen.wrapped[i] ? '   (wrapped)' : ''}`);
  const timedOut = result.timedOut ? ' (timed out)' : '';
  const cursor = `cursor ${screen.cursorVisible ? 'visible' : 'HIDDEN'} at ${screen.cursor.x},${screen.cursor.y}`;
  return [`ended with ${how}${timedOut}; ${cursor}`, ...rows].join('\n');
}
