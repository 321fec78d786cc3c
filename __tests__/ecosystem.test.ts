/**
 * Beside the packages people use with taqaddum, for real: chalk, pino, winston and debug, knex with
 * better-sqlite3, p-limit and p-map, and a program's own signal handlers. Each case is a small program
 * (test-support/fixtures/ecosystem/*.js, importing the built library, `dist/index.js`) run in a real
 * pseudo-terminal (test-support/pty.ts); what it printed is replayed into a terminal emulator
 * (@xterm/headless) and the assertions are on what a person would see on the final screen, or, without a
 * terminal (`tty: false`), on the lines of the log.
 *
 * `dist/` is built in `beforeAll` when it is missing or older than `src/` (CI builds it before the tests).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import xterm from '@xterm/headless';
import {
  describeRun,
  endedBySigint,
  ensureBuilt,
  onScreen,
  renderPtyScreen,
  runInPty,
  type PtyScreen,
  type RunOptions,
  type RunResult,
} from '../test-support/pty.js';

/**
 * Tests that showed a defect of issue 8 on 0.1.0 say which, so a failure points at its history:
 * - 1: `process.once` signal handlers; 2: one sanitiser for user text, colour codes kept on a terminal;
 *   11: lazy thenables run ahead of the loop.
 * - 'gather-reruns-thenables': found by this suite. When `gather` failed fast, it probed pending inputs with
 *   a second `.then`; for a lazy thenable (a knex or Prisma query) that ran the query again.
 */
type Defect = 1 | 2 | 11 | 'gather-reruns-thenables';

function regression(defect: Defect, name: string, fn: () => Promise<void>): void {
  test(`${name} [issue 8: ${defect}]`, fn);
}

beforeAll(() => {
  ensureBuilt();
}, 180_000);

/**
 * Fixture runs are registered when the tests are collected, in test order. A test that awaits its run
 * also starts the next ones, so that about three run at once (`inTurn`): the programs spend most of their
 * time waiting (timers, the terminal, SQLite), and this keeps the file well under a minute on two shared
 * cores. Run alone (`-t`), a test starts only its own runs and the next two.
 */
const RUNS_AT_ONCE = 3;
const jobs: (() => Promise<unknown>)[] = [];
const queue: (() => void)[] = [];
let running = 0;

async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= RUNS_AT_ONCE) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

const CTRL_C = '\u0003';
const ESC = '\u001B';
const HIDE_CURSOR = '\u001B[?25l';
const json = (o: object): string[] => [JSON.stringify(o)];
const nonEmpty = (rows: readonly string[]): string[] => rows.filter((r) => r !== '');
const count = (rows: readonly string[], pattern: RegExp | string | ((row: string) => boolean)): number => {
  if (typeof pattern === 'function') return rows.filter(pattern).length;
  return rows.filter((r) => (typeof pattern === 'string' ? r.includes(pattern) : pattern.test(r))).length;
};
const occurrences = (text: string, part: string): number => text.split(part).length - 1;
/** The lines of a plain (not a terminal) run. */
const logLines = (r: RunResult): string[] => nonEmpty(r.bytes.split(/\r?\n/));

/** The final line of the `rows` bar of the loggers fixture (60 items). */
const ROWS_DONE = /^rows: 100%\|█+\| 60\/60 \[[^\]]+\]$/;

/** A finished run: the output, the final screen (on a terminal), and what the fixture reported (_result.js). */
interface Run<T> {
  r: RunResult;
  screen: PtyScreen;
  result: T;
}

let runCount = 0;

async function runFixture<T>(fixture: string, options: RunOptions): Promise<Run<T>> {
  const file = join(tmpdir(), `taqaddum-ecosystem-${process.pid}-${++runCount}.json`);
  try {
    const r = await runInPty(`ecosystem/${fixture}`, { ...options, env: { ...options.env, TAQADDUM_TEST_RESULT: file } });
    const screen = await renderPtyScreen(r);
    const result = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined) as T;
    return { r, screen, result };
  } finally {
    rmSync(file, { force: true });
  }
}

/** Registers a run of `fixture` (in test-support/fixtures/ecosystem/); call the result to await it. */
function later<T = undefined>(fixture: string, options: RunOptions): () => Promise<Run<T>> {
  const index = jobs.length;
  let started: Promise<Run<T>> | undefined;
  const start = (): Promise<Run<T>> => (started ??= inTurn(() => runFixture<T>(fixture, options)));
  jobs.push(start);
  return () => {
    const own = start();
    // The next runs start now; a failure there is reported by the test that awaits it.
    for (const next of jobs.slice(index + 1, index + RUNS_AT_ONCE)) next().catch(() => {});
    return own;
  };
}

/** A cell's foreground colour: 'default', a palette index (chalk's basic colours: green is 2), or 'rgb'. */
type Fg = 'default' | number | 'rgb';
interface ColourCell {
  char: string;
  fg: Fg;
}

/** The visible rows of the final screen, cell by cell with their foreground colour (right-trimmed). */
async function colourRows(r: RunResult): Promise<ColourCell[][]> {
  const term = new Terminal({ cols: r.cols, rows: r.rows, allowProposedApi: true, scrollback: 1000 });
  await new Promise<void>((resolve) => term.write(r.bytes, resolve));
  const buffer = term.buffer.active;
  const rows: ColourCell[][] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    const row: ColourCell[] = [];
    for (let x = 0; x < term.cols; x++) {
      const cell = line?.getCell(x);
      if (cell === undefined) break;
      const fg: Fg = cell.isFgDefault() ? 'default' : cell.isFgPalette() ? cell.getFgColor() : 'rgb';
      row.push({ char: cell.getChars() || ' ', fg });
    }
    while (row.length > 0 && row[row.length - 1]?.char === ' ' && row[row.length - 1]?.fg === 'default') row.pop();
    rows.push(row);
  }
  term.dispose();
  return rows;
}

const text = (cells: readonly ColourCell[]): string => cells.map((c) => c.char).join('');

describe('chalk: a coloured desc', () => {
  const colouredRun = later('chalk.js', { cols: 80, rows: 6, args: json({ colour: true, status: 'ok' }) });
  const uncolouredRun = later('chalk.js', { cols: 80, rows: 6, args: json({ colour: false, status: 'ok' }) });
  const long = 'a long description of the rows being read';
  const narrowRun = later('chalk.js', { cols: 30, rows: 6, args: json({ colour: true, desc: long }) });
  const narrowUncoloured = later('chalk.js', { cols: 30, rows: 6, args: json({ colour: false, desc: long }) });
  // FORCE_COLOR: chalk colours although stdout is not a terminal, as in many CI setups.
  const colouredLog = later('chalk.js', { tty: false, env: { FORCE_COLOR: '1' }, args: json({ colour: true, status: 'ok' }) });
  const uncolouredLog = later('chalk.js', { tty: false, args: json({ colour: false, status: 'ok' }) });

  regression(2, 'keeps its colour on a terminal, takes no room, and leaves the rest of the line uncoloured', async () => {
    const [{ r, screen }, plain] = await Promise.all([colouredRun(), uncolouredRun()]);
    const rows = await colourRows(r);
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(plain.screen.rows[0]).toMatch(/^rows: 100%\|█+\| 60\/60 \[00:00<00:00, 100 it\/s, status=ok\]$/);
      // The colour codes take no room: the line is the uncoloured one, character for character.
      expect(nonEmpty(screen.all)).toEqual(nonEmpty(plain.screen.all));
      const line = rows[0] ?? [];
      expect(text(line)).toBe(plain.screen.rows[0]);
      expect(line.slice(0, 4).map((c) => [c.char, c.fg])).toEqual([...'rows'].map((ch) => [ch, 2])); // green
      const ok = text(line).lastIndexOf('ok');
      expect(line.slice(ok, ok + 2).map((c) => c.fg)).toEqual([1, 1]); // red
      // Everything else is in the terminal's own colour: nothing bleeds out of a coloured field.
      const others = line.filter((_, x) => x >= 4 && (x < ok || x >= ok + 2));
      expect(others.filter((c) => c.fg !== 'default').map((c) => c.char)).toEqual([]);
    });
  });

  regression(2, 'shortened in a narrow window, a coloured desc shows no code and colours nothing after it', async () => {
    const [{ r, screen }, plain] = await Promise.all([narrowRun(), narrowUncoloured()]);
    const rows = await colourRows(r);
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(plain.screen.rows[0]).toMatch(/^a .*60\/60/);
      // Shortened exactly as the same desc without colour: the codes take no room, and none shows.
      expect(nonEmpty(screen.all)).toEqual(nonEmpty(plain.screen.all));
      expect(screen.allWrapped).not.toContain(true);
      const line = rows[0] ?? [];
      const colon = text(line).indexOf(': ');
      expect(colon).toBeGreaterThan(0);
      expect(line[0]?.fg).toBe(2);
      expect(line.slice(colon).filter((c) => c.fg !== 'default').map((c) => c.char)).toEqual([]);
    });
  });

  regression(2, 'in a log (not a terminal, chalk colouring anyway) the line has no escape codes', async () => {
    const [{ r }, plain] = await Promise.all([colouredLog(), uncolouredLog()]);
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain(ESC);
    expect(logLines(plain.r).at(-1)).toMatch(/^rows: 100%\|█+\| 60\/60 \[.*status=ok\]$/);
    expect(r.bytes).toBe(plain.r.bytes);
  });
});

describe('loggers: lines land above the bars', () => {
  /** The 12 lines the loggers fixture logs (`line 0`, `line 5` … `line 55`), as each logger prints them. */
  const expectedLines: Record<string, (i: number, k: number) => RegExp> = {
    pino: (i) => new RegExp(`^\\{"level":30,"msg":"line ${i}"\\}$`),
    winston: (i, k) => new RegExp(`^${k % 2 === 0 ? 'info' : 'error'}: line ${i}$`),
    // debug: `  app line 5 +41ms` on a terminal, `2025-…Z app line 5` in a log.
    debug: (i) => new RegExp(`app line ${i}( \\+\\d+m?s)?$`),
    'winston-stream': (i) => new RegExp(`^info: line ${i}$`),
    // consola's fancy reporter: `ℹ line 0` with the time at the right edge; a warning is a badge, a blank
    // line above and below (blank lines are not compared here).
    'consola-fancy': (i, k) => new RegExp(`^${k % 2 === 0 ? 'ℹ' : ' WARN '} line ${i} +\\d{1,2}:\\d{2}:\\d{2}( [AP]M)?$`),
    'consola-basic': (i, k) => new RegExp(`^\\[${k % 2 === 0 ? 'info' : 'warn'}\\] line ${i}$`),
    // consola.info, then console.log: through consola in a log (`[log] line 5`), as written above the bars.
    'consola-wrapped': (i, k) => new RegExp(`^${k % 2 === 0 ? '\\[info\\] ' : '(\\[log\\] )?'}line ${i}$`),
  };
  const LINES = Array.from({ length: 12 }, (_, k) => k * 5);
  const isLogLine = (row: string): boolean => /line \d+/.test(row);

  function expectLogLines(lines: readonly string[], logger: string): void {
    const expected = (expectedLines[logger] ?? expectedLines[logger.split('-')[0] as string]) as (i: number, k: number) => RegExp;
    expect(lines).toHaveLength(LINES.length);
    lines.forEach((line, k) => expect(line).toMatch(expected(LINES[k] as number, k)));
  }

  const captured = (['pino-stdout', 'pino-stderr', 'pino-auto', 'winston', 'winston-stream', 'debug', 'consola-fancy', 'consola-basic', 'consola-wrapped'] as const).map(
    (logger) => [logger, later('loggers.js', { cols: 80, rows: 30, args: json({ logger }) })] as const,
  );
  const describeLogger: Record<string, string> = {
    'pino-stdout': 'pino(options, process.stdout)',
    'pino-stderr': 'pino(options, process.stderr)',
    'pino-auto': 'pino(options, process.stdout.isTTY ? process.stdout : pino.destination(1))',
    winston: 'winston, Console transport (info to stdout, error to stderr)',
    'winston-stream': 'winston, Stream transport given process.stdout',
    'consola-fancy': 'consola 3, fancy reporter (info to stdout, warn to stderr)',
    'consola-basic': 'consola 3, basic reporter (info to stdout, warn to stderr)',
    'consola-wrapped': 'consola 3 after consola.wrapStd() (it takes over the streams\' write)',
    debug: 'debug (process.stderr)',
    'pino-default': 'pino(options): sonic-boom, asynchronous',
    'pino-dest-sync': 'pino(options, pino.destination({ dest: 1, sync: true }))',
  };
  for (const [logger, runIt] of captured) {
    test(`${logger}: ${describeLogger[logger]}: every line intact, in order, above one bar line at the bottom`, async () => {
      const { r, screen } = await runIt();
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        const lines = nonEmpty(screen.all);
        expectLogLines(lines.slice(0, -1), logger);
        expect(lines.at(-1)).toMatch(ROWS_DONE);
        expect(count(lines, 'rows:')).toBe(1); // no torn or stale copy of the bar anywhere
        expect(screen.allWrapped).not.toContain(true);
        if (logger === 'consola-fancy') {
          // Its own layout, as without the bars: a warning is a badge with a blank line above and below.
          expect(screen.all.slice(0, 2 * LINES.length).map((row, y) => (y % 2 === 1 ? row : 'text'))).toEqual(
            Array.from({ length: 2 * LINES.length }, (_, y) => (y % 2 === 1 ? '' : 'text')),
          );
          expect(screen.cursor.y).toBe(2 * LINES.length + 1);
        } else expect(screen.cursor.y).toBe(lines.length); // the prompt goes below the bar
      });
    });
  }

  const direct = (['pino-default', 'pino-dest-sync'] as const).map(
    (logger) => [logger, later('loggers.js', { cols: 80, rows: 30, args: json({ logger }) })] as const,
  );
  for (const [logger, runIt] of direct) {
    const name = `${logger}: ${describeLogger[logger]} writes to file descriptor 1 itself, past the capture`;
    test(`${name}: every line reaches the terminal, but the next frame erases it (documented)`, async () => {
      const { r, screen } = await runIt();
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        // Nothing is lost on its way: each line was written to the terminal once, whole.
        for (const i of LINES) expect([i, occurrences(r.bytes, `{"level":30,"msg":"line ${i}"}\r\n`)]).toEqual([i, 1]);
        // But the bars cannot know: each line is written where the cursor waits below the bar, and the
        // next frame erases it and leaves the old bar line above. This is what the README warns about.
        const lines = nonEmpty(screen.all);
        expect(count(lines, isLogLine)).toBeLessThan(LINES.length);
        expect(count(lines, /^rows: /)).toBeGreaterThan(1);
        expect(lines.at(-1)).toMatch(ROWS_DONE);
      });
    });
  }

  const transport = later('loggers.js', { cols: 80, rows: 30, args: json({ logger: 'pino-transport' }) });
  test('pino-transport: pino({ transport }) writes from a worker thread to the file descriptor: every line reaches the terminal once, whole', async () => {
    const { r } = await transport();
    expect(r.exitCode).toBe(0);
    // Where each lands on screen depends on when the worker writes (under the bar, erased by the next
    // frame, or after the last one): the README sends these setups to where stdout is not the terminal.
    for (const i of LINES) expect([i, occurrences(r.bytes, `{"level":30,"msg":"line ${i}"}\r\n`)]).toEqual([i, 1]);
  });

  const redirected = (['pino-default', 'pino-auto'] as const).map(
    (logger) => [logger, later<{ status: number; lines: string[] }>('loggers.js', { cols: 80, rows: 10, args: json({ logger, redirect: true }) })] as const,
  );
  for (const [logger, runIt] of redirected) {
    const redirectName = `${logger}: ${logger === 'pino-auto' ? describeLogger[logger] : 'pino(options)'} with stdout redirected to a file (\`node job.js > job.log\`)`;
    test(`${redirectName}: every line in the file, the bar alone on the terminal`, async () => {
      const { r, screen, result } = await runIt();
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        expect(result.status).toBe(0);
        expectLogLines(result.lines, 'pino');
        expect(nonEmpty(screen.all)).toHaveLength(1);
        expect(screen.rows[0]).toMatch(ROWS_DONE);
      });
    });
  }

  const logged = (['pino-stdout', 'pino-default', 'pino-auto', 'winston', 'winston-stream', 'debug', 'consola-basic', 'consola-wrapped'] as const).map(
    (logger) => [logger, later('loggers.js', { tty: false, args: json({ logger }) })] as const,
  );
  for (const [logger, runIt] of logged) {
    test(`${logger} in a log (not a terminal): every line, in order; the bar prints its final line once`, async () => {
      const { r } = await runIt();
      expect(r.exitCode).toBe(0);
      expect(r.bytes).not.toContain('\r');
      const lines = logLines(r);
      expectLogLines(lines.filter(isLogLine), logger);
      expect(count(lines, /^rows: /)).toBe(1);
      expect(count(lines, ROWS_DONE)).toBe(1);
      expect(lines).toHaveLength(LINES.length + 1);
      // Written by the same thread into the same pipe, the bar's final line comes last; pino's own
      // destination writes from libuv's thread pool, so there only the count is certain.
      if (logger !== 'pino-default' && logger !== 'pino-auto') expect(lines.at(-1)).toMatch(ROWS_DONE);
    });
  }
});

describe('knex query builders (lazy thenables) over in-memory SQLite', () => {
  interface KnexResult {
    mode: string;
    names: string[];
    /** For each loop body: how many queries the database had started by then. */
    startedAtBody: number[];
    /** Queries the database ran in all. */
    started: number;
    error?: string;
  }
  const N = 50;
  const names = Array.from({ length: N }, (_, id) => `row-${id}`);
  const oneAtATime = Array.from({ length: N }, (_, i) => i + 1);
  const knexRun = (o: object, rows = 6): (() => Promise<Run<KnexResult>>) =>
    later<KnexResult>('knex.js', { cols: 80, rows, args: json(o) });
  const bare = knexRun({ mode: 'bare' });
  const forAwait = knexRun({ mode: 'for-await' });
  const gathered = knexRun({ mode: 'gather' });
  const mapped = knexRun({ mode: 'map', concurrency: 4 });
  const failing = knexRun({ mode: 'gather-fail', failAt: 3 }, 12);

  test('the yardstick: a bare for await over the builders starts each query when the loop gets to it', async () => {
    const { r, result } = await bare();
    expect(r.exitCode).toBe(0);
    expect(result.names).toEqual(names);
    expect(result.startedAtBody).toEqual(oneAtATime);
  });

  regression(11, 'for await over progress(50 builders) runs them one at a time, as a bare for await does', async () => {
    const { r, screen, result } = await forAwait();
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(result.names).toEqual(names);
      expect(result.startedAtBody).toEqual(oneAtATime);
      expect(result.started).toBe(N); // each ran once
      expect(nonEmpty(screen.all)).toHaveLength(1);
      expect(screen.rows[0]).toMatch(/^queries: 100%\|█+\| 50\/50 \[/);
    });
  });

  test.each([
    ['progress.gather(builders) gets every row in order, running each query once', () => gathered()],
    ['progress.map with a function that returns a builder: every row in order, each query run once', () => mapped()],
  ])('%s', async (_name, runIt) => {
    const { r, screen, result } = await runIt();
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expect(result.names).toEqual(names);
      expect(result.started).toBe(N);
      expect(nonEmpty(screen.all)).toHaveLength(1);
      expect(screen.rows[0]).toMatch(/^queries: 100%\|█+\| 50\/50 \[/);
    });
  });

  regression(
    'gather-reruns-thenables',
    'progress.gather(builders) with a failing query: rejects with its error, runs no query twice, does not list it as pending',
    async () => {
      const { r, screen, result } = await failing();
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        expect(result.error).toMatch(/no such table: no_such_table/);
        // Promise.all calls each builder's `then` once; so must gather, even when it fails.
        expect(result.started).toBe(N);
        const bar = screen.rows.findIndex((row) => /^queries: .*✗/.test(row));
        expect(bar).toBeGreaterThanOrEqual(0);
        const report = screen.rows.slice(bar + 1).filter((row) => /^\s+#\d+/.test(row));
        expect(report.length).toBeGreaterThan(0);
        expect(report.filter((row) => /^\s+#3\s/.test(row))).toEqual([]); // #3 failed: it is not pending
      });
    },
  );
});

describe("the program's own signal handlers", () => {
  interface Case {
    how: 'once' | 'on';
    when: 'before' | 'after';
    signal: 'SIGINT' | 'SIGTERM';
    api: 'loop' | 'map';
  }
  const N = 600;
  const name = (c: Case): string =>
    `process.${c.how}('${c.signal}', …) registered ${c.when === 'before' ? 'before the bar starts' : 'from inside the loop'}, ${
      c.api === 'map' ? 'progress.map (the README recipe)' : 'an async loop'
    }, ${c.signal === 'SIGINT' ? 'Ctrl-C' : 'kill -TERM'}: the program's catch, cleanup and exit status`;

  const start = (c: Case): (() => Promise<Run<undefined>>) =>
    later('signals.js', {
      cols: 80,
      rows: 14,
      args: json({ ...c, n: N }),
      steps: [
        // The bars have armed their own signal handlers (they hide the cursor when they do), and counted some.
        { waitFor: HIDE_CURSOR },
        { waitFor: new RegExp(`\\| [1-9]\\d*/${N}`) },
        c.signal === 'SIGINT' ? { send: CTRL_C } : { signal: c.signal },
      ],
    });

  async function expectHandled(c: Case, runIt: () => Promise<Run<undefined>>): Promise<void> {
    const { r, screen } = await runIt();
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      // The program decided: its handler ran once, its catch and the code after the loop ran, and the
      // exit status is its own.
      expect(endedBySigint(r)).toBe(false);
      expect(r.signal).toBeNull();
      expect(r.exitCode).toBe(3);
      expect(count(screen.all, `handler ran: ${c.signal}`)).toBe(1);
      const bar = screen.all.findIndex((row) => new RegExp(`^rows: .*✗ \\d+/${N} \\[`).test(row));
      const cleanup = screen.all.indexOf('cleanup ran: interrupted');
      const after = screen.all.indexOf('after the loop');
      expect(bar).toBeGreaterThanOrEqual(0);
      expect(cleanup).toBeGreaterThan(bar);
      expect(after).toBeGreaterThan(cleanup);
      expect(count(screen.all, /^rows: /)).toBe(1);
      expect(count(screen.all, 'the loop finished')).toBe(0);
      expect(screen.cursorVisible).toBe(true);
    });
  }

  const cases: [Case, Defect | undefined][] = [
    [{ how: 'once', when: 'before', signal: 'SIGINT', api: 'loop' }, 1],
    [{ how: 'once', when: 'before', signal: 'SIGTERM', api: 'loop' }, 1],
    [{ how: 'once', when: 'before', signal: 'SIGINT', api: 'map' }, 1],
    [{ how: 'once', when: 'after', signal: 'SIGINT', api: 'loop' }, undefined],
    [{ how: 'on', when: 'before', signal: 'SIGINT', api: 'loop' }, undefined],
  ];
  for (const [c, defect] of cases) {
    const runIt = start(c);
    if (defect === undefined) test(name(c), () => expectHandled(c, runIt));
    else regression(defect, name(c), () => expectHandled(c, runIt));
  }
});

describe('p-limit and p-map around and inside progress.map / progress.gather', () => {
  interface PoolResult {
    count: number;
    same: boolean;
    firstDifference: number;
    settled: number;
    maxActive: number;
    withinLimit: boolean;
  }
  const N = 120;
  const poolRun = (mode: string, rows = 6): (() => Promise<Run<PoolResult>>) =>
    later<PoolResult>('pools.js', { cols: 80, rows, args: json({ mode, n: N }) });

  function expectAllInOrder(result: PoolResult): void {
    expect({ count: result.count, same: result.same, firstDifference: result.firstDifference }).toEqual({
      count: N,
      same: true,
      firstDifference: -1,
    });
    expect(result.settled).toBe(N);
    expect(result.withinLimit).toBe(true);
  }

  const limitGather = poolRun('limit-gather');
  test('progress.gather(urls.map((u) => limit(() => fetchLike(u)))): counts the tasks as they settle, 4 at a time', async () => {
    const { r, screen, result } = await limitGather();
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expectAllInOrder(result);
      expect(result.maxActive).toBe(4);
      expect(nonEmpty(screen.all)).toHaveLength(1);
      expect(screen.rows[0]).toMatch(/^fetch: 100%\|█+\| 120\/120 \[/);
      // The frames as they were drawn: the count climbed step by step while p-limit let the tasks
      // through, long before gather resolved.
      const shown = [...r.bytes.matchAll(/ (\d+)\/120 \[/g)].map((m) => Number(m[1]));
      expect(shown.every((v, i) => i === 0 || v >= (shown[i - 1] as number))).toBe(true);
      expect(new Set(shown.filter((v) => v > 0 && v < N)).size).toBeGreaterThanOrEqual(20);
    });
  });

  const modes = [
    ['limit-in-map', 'a shared p-limit(2) inside a map of concurrency 8', /^fetch: 100%\|█+\| 120\/120 \[/],
    ['pmap-in-map', 'p-map (3 at a time) inside each call of a map over 12 batches', /^batches: 100%\|█+\| 12\/12 \[/],
    ['pmap-around-map', "p-map reading progress.map's results", /^fetch: 100%\|█+\| 120\/120 \[/],
    ['pmap-iterable', 'progress() over pMapIterable', /^fetch: 100%\|█+\| 120\/120 \[/],
  ] as const;
  for (const [mode, what, bar] of modes) {
    const runIt = poolRun(mode);
    test(`${mode}: ${what}: every result, in order, within the limits; one finished bar`, async () => {
      const { r, screen, result } = await runIt();
      onScreen(r, screen, () => {
        expect(r.exitCode).toBe(0);
        expectAllInOrder(result);
        expect(nonEmpty(screen.all)).toHaveLength(1);
        expect(screen.rows[0]).toMatch(bar);
        expect(screen.allWrapped).not.toContain(true);
      });
    });
  }

  const shards = poolRun('pmap-around-gather', 8);
  test('p-map over three shards, two at a time, one progress.gather each: three finished bars, every result in order', async () => {
    const { r, screen, result } = await shards();
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      expectAllInOrder(result);
      const lines = nonEmpty(screen.all);
      expect(lines.map((l) => l.slice(0, 7)).sort()).toEqual(['shard-0', 'shard-1', 'shard-2']);
      for (const l of lines) expect(l).toMatch(/^shard-\d: 100%\|█+\| 40\/40 \[/);
      expect(screen.allWrapped).not.toContain(true);
    });
  });
});
