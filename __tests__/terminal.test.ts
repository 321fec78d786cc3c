/**
 * In a real terminal: small programs (test-support/fixtures/*.js, which import the built library) run in a
 * pseudo-terminal (test-support/pty.ts, util-linux `script`), and what they print is replayed into a
 * terminal emulator (@xterm/headless). The assertions are on what a person would see on the screen.
 *
 * `dist/` is built in `beforeAll` when it is missing or older than `src/` (CI builds it before the tests).
 * Every fixture uses a small `minInterval` (10–20 ms), and most a fake clock, so each run takes well under
 * a second or two and its numbers do not depend on the machine's speed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { TERMINAL_ENV } from '../src/render/terminal.js';
import {
  describeRun,
  endedBySigint,
  ensureBuilt,
  onScreen,
  renderPtyScreen,
  renderPtyScreens,
  repoRoot,
  runInPty,
  writeEnds,
  WRITE_MARK,
  type PtyScreen,
  type RunOptions,
  type RunResult,
} from '../test-support/pty.js';

beforeAll(() => {
  ensureBuilt();
}, 180_000);

const CTRL_C = '\u0003';
const HIDE_CURSOR = '\u001B[?25l';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A whole bar line for `desc` (an optional indent, `desc: NN%|bar| n/total [timing]`): captures the
 * percentage, n and the total.
 */
function barLine(desc: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(desc)}: +(\\d+)%\\|[█▏▎▍▌▋▊▉ ]+\\| (\\d+)/(\\d+) \\[[^\\]]+\\]$`);
}

const nonEmpty = (rows: readonly string[]): string[] => rows.filter((r) => r !== '');
const count = (rows: readonly string[], pattern: RegExp | string): number =>
  rows.filter((r) => (typeof pattern === 'string' ? r.includes(pattern) : pattern.test(r))).length;
const occurrences = (text: string, part: string): number => text.split(part).length - 1;
const json = (o: object): string[] => [JSON.stringify(o)];

async function run(fixture: string, options: RunOptions): Promise<{ r: RunResult; screen: PtyScreen }> {
  const r = await runInPty(fixture, options);
  return { r, screen: await renderPtyScreen(r) };
}

/**
 * The environment of a program whose terminal says it re-wraps lines on a resize (`TERM_PROGRAM=vscode`:
 * VS Code's terminal is xterm.js, the emulator the tests replay into) or says nothing about it. Whatever
 * terminal runs the tests (tmux sets TMUX) must not decide.
 */
function terminalEnv(reflows: boolean): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = Object.fromEntries(TERMINAL_ENV.map((k) => [k, undefined]));
  if (reflows) env.TERM_PROGRAM = 'vscode';
  return env;
}

/**
 * After the program ends, a shell prompt goes where the cursor is: that row must hold nothing of the bars
 * (at most the terminal's own `^C` echo), and be below the bar line.
 */
function expectCleanPromptRow(screen: PtyScreen, barRow: number): void {
  expect(screen.cursor.y).toBeGreaterThan(barRow);
  const promptRow = screen.rows[screen.cursor.y] ?? '';
  expect(['', '^C']).toContain(promptRow);
  expect(screen.cursor.x).toBe(promptRow.length);
}

describe('in a real terminal', () => {
  test('a single bar ends at 100%, drawn once on screen after 300 frames', async () => {
    const { r, screen } = await run('loop.js', { cols: 60, rows: 8, args: json({ n: 300 }), markWrites: true });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(occurrences(r.bytes, 'rows:')).toBeGreaterThanOrEqual(300); // it really was redrawn 300 times
      expect(screen.rows[0]).toMatch(/^rows: 100%\|█+\| 300\/300 \[00:03<00:00, 100 it\/s\]$/);
      expect(nonEmpty(screen.all)).toEqual([screen.rows[0]]); // no copy anywhere, scrollback included
      expect(screen.allWrapped).not.toContain(true);
      expect(screen.cursor).toEqual({ x: 0, y: 1 });
    });
    // After every frame, not only the last: one bar line, nowhere a second one.
    const ends = writeEnds(r.bytes);
    expect(ends.length).toBeGreaterThanOrEqual(300);
    for (const [i, frame] of (await renderPtyScreens(r, ends)).entries()) {
      onScreen(r, frame, () => {
        expect([i, nonEmpty(frame.all).length]).toEqual([i, 1]);
        expect(frame.rows[0]).toMatch(barLine('rows'));
      });
    }
  });

  test('a 20-column window: no line wraps, the bar line fits', async () => {
    const { r, screen } = await run('loop.js', { cols: 20, rows: 6, args: json({ n: 300 }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(occurrences(r.bytes, 'rows')).toBeGreaterThanOrEqual(300);
      expect(screen.allWrapped).not.toContain(true);
      const lines = nonEmpty(screen.all);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^rows: .*300\/300/);
      expect(screen.cells[0]?.length).toBeLessThanOrEqual(19); // one column spare: the cursor never wraps
    });
  });

  test('a 20-column window with a CJK desc: cut by display width, no wrap', async () => {
    const { r, screen } = await run('loop.js', { cols: 20, rows: 6, args: json({ n: 300, desc: '数据处理数据处理数据处理' }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(screen.allWrapped).not.toContain(true);
      const lines = nonEmpty(screen.all);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^数/);
      expect(screen.cells[0]?.length).toBeLessThanOrEqual(19);
    });
  });

  test('a CJK desc takes two cells per character: its bar lines up with an ASCII desc of the same width', async () => {
    const { r, screen } = await run('loop.js', { cols: 70, rows: 6, args: json({ n: 100, desc: ['数据处理', 'abcdefgh'] }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(screen.rows[0]).toMatch(barLine('数据处理'));
      expect(screen.rows[1]).toMatch(barLine('abcdefgh'));
      const [cjk = [], ascii = []] = screen.cells;
      expect(cjk.slice(0, 8)).toEqual(['数', '', '据', '', '处', '', '理', '']);
      // Same options, same fake clock: everything after the desc is the same, cell for cell.
      expect(cjk.slice(8)).toEqual(ascii.slice(8));
      expect(cjk.length).toBeLessThanOrEqual(69);
      expect(nonEmpty(screen.rows)).toHaveLength(2);
    });
  });

  test('piped output (not a terminal) has no escape codes or carriage returns', async () => {
    const r = await runInPty('loop.js', { tty: false, args: json({ n: 300, after: 'done' }) });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain('\u001B');
    expect(r.bytes).not.toContain('\r');
    const lines = r.bytes.split('\n').filter((l) => l !== '');
    expect(lines.at(-2)).toMatch(/^rows: 100%\|█+\| 300\/300 \[00:03<00:00, 100 it\/s\]$/);
    expect(lines.at(-1)).toBe('done');
  });

  test('Ctrl-C during a synchronous loop ends the process by SIGINT at once; the prompt row is clean', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      // 3000 items of 1 ms of blocking work: Ctrl-C comes once 100 are done.
      args: json({ n: 3000, clock: 'real', busyMs: 1, minInterval: 20, desc: 'spin' }),
      steps: [{ waitFor: /\| \d{3,}\/3000/ }, { send: CTRL_C, label: 'ctrl-c' }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      expect(endedBySigint(r)).toBe(true);
      const bars = screen.rows.flatMap((row, y) => (barLine('spin').test(row) ? [y] : []));
      expect(bars).toHaveLength(1);
      const [, , n] = barLine('spin').exec(screen.rows[bars[0] as number] ?? '') ?? [];
      expect(Number(n)).toBeGreaterThanOrEqual(100);
      expect(Number(n)).toBeLessThan(3000); // interrupted, not run to the end
      expect(count(screen.all, 'spin')).toBe(1);
      expectCleanPromptRow(screen, bars[0] as number);
    });
  });

  test('Ctrl-C during an async loop ends the process by SIGINT; the prompt row is clean', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      args: json({ n: 600, clock: 'real', mode: 'async', sleepMs: 5, minInterval: 20, desc: 'wait' }),
      steps: [{ waitFor: /\| [1-9]\d+\/600/ }, { send: CTRL_C, label: 'ctrl-c' }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      expect(endedBySigint(r)).toBe(true);
      const bars = screen.rows.flatMap((row, y) => (barLine('wait').test(row) ? [y] : []));
      expect(bars).toHaveLength(1);
      const [, , n] = barLine('wait').exec(screen.rows[bars[0] as number] ?? '') ?? [];
      expect(Number(n)).toBeGreaterThanOrEqual(10);
      expect(Number(n)).toBeLessThan(600);
      expect(count(screen.all, 'wait')).toBe(1);
      expectCleanPromptRow(screen, bars[0] as number);
    });
  });

  test('an exception in the loop body: the last frame stays intact, the error is printed below it', async () => {
    const { r, screen } = await run('loop.js', { cols: 100, rows: 30, args: json({ n: 100, throwAt: 42, desc: 'boom' }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(1);
      const bar = screen.all.findIndex((row) => barLine('boom').test(row));
      const error = screen.all.findIndex((row) => row.includes('Error: boom at item 42'));
      expect(bar).toBeGreaterThanOrEqual(0);
      expect(screen.all[bar]).toMatch(/^boom: +42%\|.*\| 42\/100 \[/);
      expect(error).toBeGreaterThan(bar);
      expect(count(screen.all, 'boom:')).toBe(1); // no second copy of the bar, above or below the error
      expect(screen.allWrapped).not.toContain(true);
    });
  });
});

describe('issue 4 features', () => {
  const allLines = (screen: PtyScreen): string[] => nonEmpty(screen.all);

  test('a nested bar (async rows inside a sync loop over files) is drawn below its parent', async () => {
    const { r, screen } = await run('nested.js', { cols: 60, rows: 8, args: json({ freezeAt: 'b.csv:50' }), markWrites: true });
    onScreen(r, screen, () => {
      expect(r.signal).toBe('SIGKILL'); // frozen mid-run, as planned
      expect(allLines(screen)).toHaveLength(2);
      expect(screen.rows[0]).toMatch(/^files: +33%\|.*\| 1\/3 \[/);
      expect(screen.rows[1]).toMatch(barLine('b.csv'));
      expect(screen.rows[1]).toMatch(/ 50\/100 \[/);
      // The finished nested bar of a.csv went away (the default for nested bars).
      expect(count(screen.all, 'a.csv')).toBe(0);
    });
    // After every frame: the files bar on top, at most one file's bar below it, nothing left over.
    const ends = writeEnds(r.bytes);
    expect(ends.length).toBeGreaterThanOrEqual(100);
    for (const [i, frame] of (await renderPtyScreens(r, ends)).entries()) {
      onScreen(r, frame, () => {
        const lines = nonEmpty(frame.all);
        expect([i, lines.length <= 2, lines[0]]).toEqual([i, true, expect.stringMatching(/^files: /)]);
        if (lines.length === 2) expect(lines[1]).toMatch(/^\s*[ab]\.csv: /);
      });
    }
  });

  test('a nested bar (sync inside sync) is drawn below its parent', async () => {
    const { r, screen } = await run('nested.js', { cols: 60, rows: 8, args: json({ freezeAt: 'b.csv:50', inner: 'sync' }) });
    onScreen(r, screen, () => {
      expect(r.signal).toBe('SIGKILL');
      expect(allLines(screen)).toHaveLength(2);
      expect(screen.rows[0]).toMatch(/^files: +33%\|.*\| 1\/3 \[/);
      expect(screen.rows[1]).toMatch(barLine('b.csv'));
      expect(count(screen.all, 'a.csv')).toBe(0);
    });
  });

  test('when nested loops end, only the top-level bar stays', async () => {
    const { r, screen } = await run('nested.js', { cols: 60, rows: 8, args: json({}) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(allLines(screen)).toEqual([screen.rows[0]]);
      expect(screen.rows[0]).toMatch(/^files: 100%\|█+\| 3\/3 \[/);
    });
  });

  test('concurrent bars are drawn in the order they were opened', async () => {
    const { r, screen } = await run('concurrent.js', { cols: 60, rows: 8, args: json({ freezeAfter: 30 }), markWrites: true });
    onScreen(r, screen, () => {
      expect(r.signal).toBe('SIGKILL');
      expect(allLines(screen)).toHaveLength(3);
      expect(screen.rows[0]).toMatch(barLine('alpha'));
      expect(screen.rows[1]).toMatch(barLine('beta'));
      expect(screen.rows[2]).toMatch(barLine('gamma'));
    });
    // Stable positions: after every frame, the bars on screen are in opening order, each once.
    const ends = writeEnds(r.bytes);
    expect(ends.length).toBeGreaterThanOrEqual(3);
    for (const [i, frame] of (await renderPtyScreens(r, ends)).entries()) {
      onScreen(r, frame, () => {
        const lines = nonEmpty(frame.all);
        const order = lines.map((l) => /^(alpha|beta|gamma):/.exec(l)?.[1]);
        expect([i, order]).toEqual([i, ['alpha', 'beta', 'gamma'].slice(0, lines.length)]);
      });
    }
  });

  test('a bar in the middle finishing first: each final line once, no gap, no leftover', async () => {
    const { r, screen } = await run('concurrent.js', { cols: 60, rows: 8, args: json({ n: [60, 20, 60] }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const lines = allLines(screen);
      expect(lines).toHaveLength(3);
      expect(screen.rows.slice(0, 3)).toEqual(lines); // together at the top, no blank row between
      for (const [desc, total] of [['alpha', 60], ['beta', 20], ['gamma', 60]] as const) {
        expect(count(lines, desc)).toBe(1);
        expect(lines.find((l) => l.startsWith(`${desc}:`))).toMatch(new RegExp(`^${desc}: 100%\\|█+\\| ${total}/${total} \\[`));
      }
    });
  });

  test('bars opened with `parent: null` while another loop is in its body are top-level: their final lines stay', async () => {
    // Promise.all([files loop with nested bars, alpha, beta, gamma]); the shards open 30 ms in, while the
    // files loop is in the middle of its first file, with `parent: null` (without it they would be taken
    // for nested bars: nesting is guessed from which loop body is running). alpha ends first.
    const { r, screen } = await run('concurrent.js', { cols: 60, rows: 10, args: json({ withFiles: true, n: [30, 60, 90] }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const lines = allLines(screen);
      expect(lines).toHaveLength(4);
      for (const [desc, total] of [['files', 3], ['alpha', 30], ['beta', 60], ['gamma', 90]] as const) {
        expect(lines.filter((l) => new RegExp(`^${desc}: 100%\\|█+\\| ${total}/${total} \\[`).test(l))).toHaveLength(1);
      }
      expect(count(lines, 'file-')).toBe(0); // the nested bars went away
    });
  });

  test('more bars than rows: what fits, then "… N more"; nothing scrolls away', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `job-${String(i + 1).padStart(2, '0')}`);
    const { r, screen } = await run('concurrent.js', { cols: 60, rows: 8, args: json({ freezeAfter: 40, names }) });
    onScreen(r, screen, () => {
      expect(r.signal).toBe('SIGKILL');
      const lines = allLines(screen);
      expect(lines.length).toBeLessThanOrEqual(7); // the row under the frame holds the cursor
      const shown = lines.slice(0, -1);
      shown.forEach((line, i) => expect(line).toMatch(barLine(names[i] as string)));
      expect(lines.at(-1)).toBe(`… ${names.length - shown.length} more`);
      expect(shown.length).toBeGreaterThanOrEqual(3);
      expect(screen.rows.slice(0, lines.length)).toEqual(lines);
    });
  });

  test.each([
    ['progress.write', 'write', 2],
    ['console.log', 'console.log', 2],
    ['console.error', 'console.error', 1],
    ['process.stdout.write', 'stdout', 1],
    ['process.stderr.write', 'stderr', 1],
  ] as const)('text written with %s while bars are live lands above them, intact', async (_name, how, bars) => {
    const { r, screen } = await run('write.js', { cols: 60, rows: 8, args: json({ how, bars, text: 'checkpoint saved' }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const lines = allLines(screen);
      expect(lines[0]).toBe('checkpoint saved');
      expect(lines).toHaveLength(1 + bars);
      expect(screen.rows.slice(0, lines.length)).toEqual(lines);
      expect(lines.slice(1).every((l) => /^(rows|other): 100%\|█+\| 40\/40 \[/.test(l))).toBe(true);
      expect(count(lines, 'rows:')).toBe(1);
    });
  });

  test('progress.write when not a terminal prints a plain line', async () => {
    const r = await runInPty('write.js', { tty: false, args: json({ how: 'write', text: 'checkpoint saved' }) });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain('\u001B');
    const lines = r.bytes.split('\n').filter((l) => l !== '');
    expect(lines).toContain('checkpoint saved');
    expect(lines.at(-1)).toMatch(/^rows: 100%\|█+\| 40\/40 \[/);
  });

  test('plain output with concurrent bars: every line says which bar it is', async () => {
    const r = await runInPty('concurrent.js', { tty: false, args: json({ n: [30, 10, 30] }) });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain('\u001B');
    const lines = r.bytes.split('\n').filter((l) => l !== '');
    expect(lines.every((l) => /^(alpha|beta|gamma): /.test(l))).toBe(true);
    for (const desc of ['alpha', 'beta', 'gamma']) {
      expect(lines.filter((l) => l.startsWith(`${desc}: 100%`))).toHaveLength(1);
    }
  });

  test('plain output with nested bars: the outer bar reports, the nested ones do not flood the log', async () => {
    // 3 files × 2000 rows, 10 ms each in fake time: 20 s per file, 60 s in all (plainInterval: 10 s).
    const r = await runInPty('nested.js', { tty: false, args: json({ rows: 2000 }) });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain('\u001B');
    expect(r.bytes).not.toContain('\r');
    const lines = r.bytes.split('\n').filter((l) => l !== '');
    expect(lines.every((l) => /^(files|[abc]\.csv): /.test(l))).toBe(true);
    expect(lines.filter((l) => /^[abc]\.csv: /.test(l)).length).toBeLessThanOrEqual(3); // at most a line each
    expect(lines.filter((l) => l.startsWith('files: ')).length).toBeGreaterThanOrEqual(3); // status every 10 s
    expect(lines.at(-1)).toMatch(/^files: 100%\|█+\| 3\/3 \[01:00<00:00, /);
  });

  test('a broken stream (EPIPE on stderr): the bars switch off quietly and the job runs to its end', async () => {
    const r = await runInPty('loop.js', { tty: false, closeStderr: true, args: json({ n: 300, after: 'job done' }) });
    expect(r.bytes).toBe('job done\n');
    expect(r.exitCode).toBe(0);
  });

  test('Ctrl-C in an async loop: the cursor, hidden while the bar draws, is shown again', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      args: json({ n: 600, clock: 'real', mode: 'async', sleepMs: 5, minInterval: 20, desc: 'wait' }),
      // By the 10th item (50 ms) the renderer's timer has run, so the cursor is hidden by then.
      steps: [{ waitFor: /\| [1-9]\d+\/600/ }, { send: CTRL_C, label: 'ctrl-c' }],
    });
    const before = await renderPtyScreen(r, r.marks['ctrl-c']);
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(endedBySigint(r)).toBe(true);
      expect(before.cursorVisible).toBe(false);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('Ctrl-C in a synchronous loop: the cursor is visible afterwards', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      args: json({ n: 3000, clock: 'real', busyMs: 1, minInterval: 20, desc: 'spin' }),
      steps: [{ waitFor: /\| \d{3,}\/3000/ }, { send: CTRL_C }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(endedBySigint(r)).toBe(true);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('Ctrl-C in a synchronous loop inside an async one (bars already drawing from the timer): ends at once', async () => {
    const { r, screen } = await run('mixed.js', {
      cols: 60,
      rows: 8,
      // The outer loop awaits 100 ms (the timer runs, so the renderer may have armed its signal
      // handlers), then 2000 rows of 1 ms blocking work each; Ctrl-C comes as soon as rows are counted.
      steps: [{ waitFor: /part-1: +\d+%\|[^|]*\| [1-9]\d*\/2000/ }, { send: CTRL_C }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      expect(endedBySigint(r)).toBe(true);
      const part = screen.all.find((l) => /part-1: /.test(l)) ?? '';
      const n = Number(/\| (\d+)\/2000/.exec(part)?.[1]);
      expect(n).toBeLessThan(2000); // interrupted, not run to the end of the file
      expect(count(screen.all, 'part-2')).toBe(0);
      expect(screen.cursorVisible).toBe(true);
      expect(count(screen.all, 'files:')).toBe(1);
    });
  });

  test('Ctrl-C while a manual bar is updated from a sync loop (after the timer armed handlers): ends at once', async () => {
    const { r, screen } = await run('manual-sync.js', {
      cols: 60,
      rows: 8,
      // Ctrl-C after 200+ rows (1 ms each): past the renderer's starvation check (one missed 20 ms tick).
      // A Ctrl-C within that first instant is lost, a documented limit: Node drops a queued signal when
      // its last listener goes, and nothing can tell that one is queued.
      steps: [{ waitFor: /manual: +\d+%\|[^|]*\| [2-9]\d\d\/3000/ }, { send: CTRL_C }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      expect(endedBySigint(r)).toBe(true);
      expect(count(screen.all, 'loop finished normally')).toBe(0);
      const n = Number(/\| (\d+)\/3000/.exec(screen.all.find((l) => /manual: /.test(l)) ?? '')?.[1]);
      expect(n).toBeLessThan(3000);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('SIGTERM in an async loop: ends by SIGTERM, last frame intact, cursor shown again', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      args: json({ n: 600, clock: 'real', mode: 'async', sleepMs: 5, minInterval: 20, desc: 'wait' }),
      steps: [{ waitFor: /\| [1-9]\d+\/600/ }, { signal: 'SIGTERM', label: 'term' }],
    });
    const before = await renderPtyScreen(r, r.marks.term);
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.signal === 'SIGTERM' || r.exitCode === 143).toBe(true);
      expect(before.cursorVisible).toBe(false);
      expect(screen.cursorVisible).toBe(true);
      expect(nonEmpty(screen.all)).toHaveLength(1);
      expect(screen.rows[0]).toMatch(barLine('wait'));
    });
  });

  test('an exception in an async loop: the cursor, hidden while the bar draws, is shown again', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 100,
      rows: 30,
      args: json({ n: 100, throwAt: 42, mode: 'async', clock: 'real', sleepMs: 5, desc: 'boom' }),
    });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(1);
      expect(r.bytes).toContain(HIDE_CURSOR);
      expect(screen.cursorVisible).toBe(true);
      const bar = screen.all.findIndex((row) => barLine('boom').test(row));
      expect(screen.all[bar]).toMatch(/ 42\/100 \[/);
      expect(screen.all.findIndex((row) => row.includes('Error: boom at item 42'))).toBeGreaterThan(bar);
    });
  });

  test('process.exit() in the loop: the exit code stands, the last frame stays, the cursor is shown', async () => {
    const { r, screen } = await run('loop.js', {
      cols: 60,
      rows: 8,
      args: json({ n: 100, exitAt: 30, exitCode: 3, mode: 'async', clock: 'real', sleepMs: 5, desc: 'bye' }),
    });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(3);
      expect(r.bytes).toContain(HIDE_CURSOR);
      expect(screen.cursorVisible).toBe(true);
      expect(nonEmpty(screen.all)).toEqual([screen.rows[0]]);
      expect(screen.rows[0]).toMatch(/^bye: +30%\|.*\| 30\/100 \[/);
    });
  });

  test.each(['async', 'sync'] as const)(
    'a resize to a narrower window (the terminal re-wraps the old frame) is redrawn cleanly: %s loop',
    async (mode) => {
      const { r, screen } = await run('resize.js', {
        cols: 60,
        rows: 8,
        args: json({ mode }),
        env: terminalEnv(true),
        steps: [{ waitFor: '50/100' }, { resize: { cols: 40, rows: 8 }, label: 'resized' }],
      });
      const atResize = await renderPtyScreen(r, r.marks.resized);
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        expect(r.skippedSteps).toEqual([]);
        expect(atResize.wrapped).toContain(true); // the case that matters: the old frame was re-wrapped
        expect(screen.cols).toBe(40);
        expect(screen.allWrapped).not.toContain(true);
        expect(nonEmpty(screen.all)).toEqual([screen.rows[0]]);
        expect(screen.rows[0]).toMatch(/^resize: 100%.* 100\/100/);
        expect(screen.cells[0]?.length).toBeLessThanOrEqual(39);
      });
    },
  );
});

describe('resizing the window under nested bars, with a line of the program\'s own output above them', () => {
  const WIDE = `x${'数'.repeat(10)}`; // 21 cells: at 20 columns its last 数 has one cell left and moves on
  /**
   * Runs fixtures/resize-nested.js (`start`, then a bar over three files and a bar over each file's rows),
   * resizes the window while the second file is half done, and returns the screen after each of the
   * program's writes from then on (the first one after the resize is the program's next frame).
   */
  async function resized(from: number, to: number, reflows: { program: boolean; emulator: boolean }, o: object = {}) {
    const second = (o as { files?: string[] }).files?.[1] ?? 'b.csv';
    const r = await runInPty('resize-nested.js', {
      cols: from,
      rows: 14,
      args: json({ pauses: [`${second}:50`], ...o }),
      env: terminalEnv(reflows.program),
      markWrites: true,
      steps: [{ waitFor: new RegExp(`${escapeRegExp(second)}[^\n]*50/100`) }, { resize: { cols: to, rows: 14 }, label: 'resized' }],
    });
    const at = r.marks.resized as number;
    const ends = writeEnds(r.bytes).filter((e) => e > at && r.bytes.slice(at, e).replaceAll(WRITE_MARK, '') !== '');
    const screens = await renderPtyScreens(r, [at, ...ends], { reflow: reflows.emulator });
    return { r, atResize: screens[0] as PtyScreen, screens: screens.slice(1) };
  }

  const FILES = /^f[^:]*: +(\d+%.* )?\d\/3/; // the bar over the files (its desc may be cut: `fil…`; no % when narrow)
  const ROWS = /^[abcx][^:]*: +(\d+%.* )?\d+\/100/; // the bar over a file's rows (no % when narrow)

  /**
   * The lines printed before `start` (`fill`), `start`, and below it whole bar lines only, one of each at
   * most: nothing stale, nothing wrapped. At the end, only the files bar's final line.
   */
  function expectClean(r: RunResult, screens: readonly PtyScreen[]): void {
    expect(r.exitCode).toBe(0);
    expect(r.skippedSteps).toEqual([]);
    expect(screens.length).toBeGreaterThan(10);
    for (const screen of screens) {
      onScreen(r, screen, () => {
        const lines = nonEmpty(screen.all).filter((l) => !/^fill \d+$/.test(l));
        expect(lines[0]).toBe('start');
        const bars = lines.slice(1);
        expect(count(bars, FILES)).toBe(1);
        expect(count(bars, ROWS)).toBeLessThanOrEqual(1);
        expect(bars).toHaveLength(count(bars, FILES) + count(bars, ROWS));
        expect(screen.allWrapped).not.toContain(true);
      });
    }
    const last = screens.at(-1) as PtyScreen;
    onScreen(r, last, () => {
      expect(nonEmpty(last.all).filter((l) => !/^fill \d+$/.test(l))).toEqual(['start', expect.stringMatching(/^f[^:]*: 100%.* 3\/3/)]);
    });
  }

  test.each([
    [80, 40, {}],
    [80, 20, {}],
    [60, 33, {}],
    [100, 37, {}],
    [81, 20, { files: ['a.csv', WIDE, 'c.csv'] }], // a wide character at a row's last cell takes an extra row
    [80, 40, { fill: 30 }], // the bars at the bottom of a full screen: the terminal scrolls as it re-wraps
    [40, 80, {}], // wider: nothing re-wraps
  ])('%i → %i columns %j, a terminal that re-wraps (and says so): the line stays, no stale bar row', async (from, to, o) => {
    const { r, atResize, screens } = await resized(from, to, { program: true, emulator: true }, o);
    if (to < from) expect(atResize.allWrapped).toContain(true); // the case that matters: the old frame was re-wrapped
    expectClean(r, screens);
  });

  test.each([
    [80, 40, {}],
    [100, 37, {}],
    [81, 20, { files: ['a.csv', WIDE, 'c.csv'] }],
  ])('%i → %i columns %j, a terminal that cuts lines instead (xterm, st): the line stays, no stale bar row', async (from, to, o) => {
    const { r, screens } = await resized(from, to, { program: false, emulator: false }, o);
    expectClean(r, screens);
  });

  test('a terminal that does not say whether it re-wraps: never a line of the program\'s output erased', async () => {
    // Erasing as if it cut lines leaves the top of the re-wrapped old frame behind: a stale picture, but
    // nothing the program printed is lost.
    const { r, screens } = await resized(80, 40, { program: false, emulator: true });
    expect(r.exitCode).toBe(0);
    for (const screen of screens) onScreen(r, screen, () => expect(nonEmpty(screen.all)[0]).toBe('start'));
    const last = screens.at(-1) as PtyScreen;
    onScreen(r, last, () => expect(nonEmpty(last.all).at(-1)).toMatch(/^f[^:]*: 100%.* 3\/3/));
  });
});

describe('many lines printed above a live bar', () => {
  test('500 console.log lines in a sync loop: all there, in order, the bar below them; about the bytes of the lines alone', async () => {
    const n = 500;
    const bare = await runInPty('log-flood.js', { cols: 80, rows: 24, args: json({ n, bar: false }) });
    const { r, screen } = await run('log-flood.js', { cols: 80, rows: 24, args: json({ n }) });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(nonEmpty(screen.all)).toEqual([...Array.from({ length: n }, (_, i) => `line ${i}`), expect.stringMatching(/^flood: 100%\|█+\| 500\/500 /)]);
      // A frame per `minInterval` (100 ms) at most, not one per line: each is ~100 bytes, a line ~10.
      expect(r.bytes.length).toBeLessThan(bare.bytes.length * 1.5);
    });
  });
});

/**
 * Before the first frame: log-update (what draws the frames, ~70 ms of CPU to load) is not loaded in a
 * fresh process. test-support/fixtures/first-frame.js notes when it finished loading (it watches Node's
 * loader) next to what the program saw, and prints that on its last line.
 */
describe('before log-update is loaded', () => {
  /** The run, its screen, the rows above the events line, and the events. */
  async function firstFrame(args: object): Promise<{ r: RunResult; screen: PtyScreen; rows: string[]; events: string[] }> {
    const { r, screen } = await run('first-frame.js', { cols: 80, rows: 24, args: json(args) });
    const events = /events: (\[.*\])\r?\n/.exec(r.bytes)?.[1] ?? '[]';
    const rows = nonEmpty(screen.all);
    const end = rows.findIndex((row) => row.startsWith('events: '));
    return { r, screen, rows: end < 0 ? rows : rows.slice(0, end), events: JSON.parse(events) as string[] };
  }

  test('the first failure rejects `gather` before log-update has loaded; the ✗ line is drawn, the cursor visible', async () => {
    const { r, screen, rows, events } = await firstFrame({ job: 'fail' });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      // The job ended before any frame was due: log-update was never needed.
      expect(events).toEqual(['rejected', 'moduleLoaded false']);
      expect(rows).toEqual([
        expect.stringMatching(/^job: +50%\|█+[▏▎▍▌▋▊▉]? *\| ✗ 1\/2 \[.*1 failed\]$/),
        '  1 still pending:',
        expect.stringMatching(/^ +#0 +<1s$/),
      ]);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('with another bar open, log-update loads after the rejection; both final lines are drawn, the cursor visible', async () => {
    const { r, screen, rows, events } = await firstFrame({ job: 'fail', other: true });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(events).toEqual(['rejected', 'log-update loaded', 'moduleLoaded true']);
      expect(rows[0]).toMatch(/^job: +50%.*✗ 1\/2 \[/);
      expect(rows.at(-1)).toMatch(/^other: 100%\|█+\| 1\/1 \[/);
      expect(count(rows, /^other: /)).toBe(1);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('lines printed while it loads (console.log, progress.write, stdout) come out in order, the bar below them', async () => {
    const { r, screen, rows, events } = await firstFrame({ job: 'lines' });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const before = events.indexOf('log-update loaded');
      expect(before).toBeGreaterThan(0); // some lines were printed before it was there
      const n = events.filter((e) => e.endsWith(' printed')).length + 5;
      expect(rows).toEqual([...Array.from({ length: n }, (_, i) => `line ${i}`), expect.stringMatching(/^job: +\d+%\|.*\| \d+\/100 \[/)]);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('process.exit() before it has loaded: the lines and the final line are there, in order, the cursor visible', async () => {
    const { r, screen, events } = await firstFrame({ job: 'exit' });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(3);
      expect(events).toEqual(['moduleLoaded false']);
      expect(nonEmpty(screen.all)).toEqual(['about to exit', expect.stringMatching(/^events: /), expect.stringMatching(/^exiting: 2 it \[/)]);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test.each(['sync', 'nested', 'manual'] as const)(
    'a sync loop cannot wait for it: its first frame is drawn during the loop (%s)',
    async (job) => {
      const { r, screen, rows, events } = await firstFrame({ job });
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        const frame = events.find((e) => e.startsWith('first frame at item '));
        expect(frame).toBeDefined();
        expect(Number(frame?.slice('first frame at item '.length))).toBeLessThan(job === 'manual' ? 299 : 199);
        expect(events.indexOf('log-update loaded')).toBeLessThan(events.indexOf(frame as string));
        // A nested bar does not stay (by default): its parent's final line does.
        const final = job === 'nested' ? /^files: 1 it \[/ : /^sync: 100%\|█+\| (200\/200|300\/300) \[/;
        expect(rows).toEqual([expect.stringMatching(final)]);
      });
    },
  );
});

describe('README pictures', () => {
  /** Draws `scene` with scripts/screenshot.js into a scratch file and returns the SVG. */
  function drawScene(scene: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'taqaddum-shot-'));
    const out = join(dir, `${scene}.svg`);
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'screenshot.js'), '--scene', scene, '--out', out], { encoding: 'utf8', env });
    const fresh = existsSync(out) ? readFileSync(out, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return fresh;
  }

  test('docs/screenshot.svg is what `npm run docs:screenshot` draws from the current renderer', () => {
    const fresh = drawScene('bars');
    expect(fresh).toContain('数');
    if (fresh !== readFileSync(join(repoRoot, 'docs', 'screenshot.svg'), 'utf8')) {
      throw new Error('docs/screenshot.svg is out of date (the output changed): run `npm run docs:screenshot`');
    }
  });

  test('docs/templates.svg is what `npm run docs:screenshot` draws: README\'s five templates, with colours and the spinner', () => {
    // The fixture plays README's templates as README writes them.
    const fixture = readFileSync(join(repoRoot, 'test-support', 'fixtures', 'templates-screenshot.js'), 'utf8');
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const inFixture = [...fixture.matchAll(/^ {2}(\w+): ('.*'),$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    expect(inFixture.map((t) => t.split(':')[0])).toEqual(['tqdm', 'download', 'minimal', 'spinner', 'coloured']);
    for (const t of inFixture) expect(readme).toContain(`  ${t},`);
    expect(readme).toContain('(https://raw.githubusercontent.com/taqaddum/taqaddum/main/docs/templates.svg)');

    const fresh = drawScene('templates');
    const text = (fill: string) =>
      [...fresh.matchAll(new RegExp(`<text y="[\\d.]+" fill="${fill}"([^>]*)>(.*?)</text>`, 'g'))].map((m) => ({
        attrs: m[1],
        chars: (m[2] ?? '').replace(/<[^>]*>/g, ''),
      }));
    // From the emulator's cells: the coloured template's bold desc, cyan bar (rectangles), yellow percentage.
    expect(text('#d8dae6')).toContainEqual({ attrs: ' font-weight="bold"', chars: 'train' });
    expect(fresh).toMatch(/<rect [^>]*fill="#89dceb"\/>/); // cyan: ANSI 6 in the picture's theme
    expect(text('#f9e2af')).toEqual([{ attrs: '', chars: '84%' }]); // yellow: ANSI 3
    // The spinner turned with the (simulated) time, and the other four lines are there.
    expect(fresh).toMatch(/<tspan x="[\d.]+">[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]<\/tspan><tspan x="[\d.]+">c<\/tspan>/);
    for (const words of ['rows:42%|', 'ubuntu.iso', 'resize35%', '127page']) {
      expect(text('#d8dae6').map((t) => t.chars).join('\n')).toContain(words);
    }
    if (fresh !== readFileSync(join(repoRoot, 'docs', 'templates.svg'), 'utf8')) {
      throw new Error('docs/templates.svg is out of date (the output changed): run `npm run docs:screenshot`');
    }
  });

  test('docs/stragglers.svg is what `npm run docs:screenshot` draws: three hung calls named under the bar while the rest complete', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    // It opens README's "Promises" section, right above the report signal's recipe.
    const section = readme.slice(readme.indexOf('\n## Promises'));
    expect(section).toMatch(
      /^\n## Promises[^\n]*\n\n!\[[^\]]+\]\(https:\/\/raw\.githubusercontent\.com\/taqaddum\/taqaddum\/main\/docs\/stragglers\.svg\)\n/,
    );
    expect(section.indexOf('kill -USR2')).toBeLessThan(section.indexOf('\n## ', 1));
    expect(section.indexOf('kill -USR2')).toBeLessThan(800);

    const fresh = drawScene('stragglers');
    const rows = [...fresh.matchAll(/<text y="([\d.]+)" fill="#d8dae6">(.*?)<\/text>/g)].map((m) => ({
      y: Number(m[1]),
      chars: (m[2] ?? '').replace(/<[^>]*>/g, ''),
    }));
    const line = (y: number): string => rows.filter((r) => r.y === y).map((r) => r.chars).join('');
    const ys = [...new Set(rows.map((r) => r.y))].sort((a, b) => a - b);
    // The prompt's row, the bar (the rest still completing: not done, not stalled), the three named.
    expect(ys.slice(1).map(line)).toEqual([
      expect.stringMatching(/^users:\d+%\|\|(\d+)\/2000\[[^\]]*,16running,3slow\]$/),
      expect.stringMatching(/^#37https:\/\/api\.example\.org\/users\/1037waiting\d+s$/),
      expect.stringMatching(/^#412https:\/\/api\.example\.org\/users\/1412waiting\d+s$/),
      expect.stringMatching(/^#903https:\/\/api\.example\.org\/users\/1903waiting\d+s$/),
    ]);
    if (fresh !== readFileSync(join(repoRoot, 'docs', 'stragglers.svg'), 'utf8')) {
      throw new Error('docs/stragglers.svg is out of date (the output changed): run `npm run docs:screenshot`');
    }
  });
});
