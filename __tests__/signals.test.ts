/**
 * Signals and the program's own handlers, and what the bars must not change about the program: its
 * `write` hooks on stdout, its stdout errors. Real programs (test-support/fixtures/*.js, importing the
 * built library) in a real terminal or with plain pipes; the plain-output details with a fake clock and an
 * in-memory stream.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import {
  describeRun,
  endedBySigint,
  ensureBuilt,
  onScreen,
  fixturesDir,
  renderPtyScreen,
  runInPty,
  type PtyScreen,
  type RunOptions,
  type RunResult,
} from '../test-support/pty.js';

beforeAll(() => {
  ensureBuilt();
}, 180_000);

const CTRL_C = '\u0003';
const json = (o: object): string[] => [JSON.stringify(o)];

/** A whole bar line for `desc` (an ended bar may have a mark before n, `✗ 2/600`): captures n. */
const barLine = (desc: string): RegExp => new RegExp(`^${desc}: +\\d+%\\|[█▏▎▍▌▋▊▉ ]+\\| (?:\\S )?(\\d+)/\\d+ \\[[^\\]]+\\]`);

async function run(fixture: string, options: RunOptions): Promise<{ r: RunResult; screen: PtyScreen }> {
  const r = await runInPty(fixture, options);
  return { r, screen: await renderPtyScreen(r) };
}

/** Plain output's lines (stdout and stderr of the program, in order). */
const plainLines = (r: RunResult): string[] => r.bytes.split('\n').filter((l) => l !== '');

describe("the program's own SIGINT/SIGTERM handler, in a terminal", () => {
  // Each: [how it is registered, when, the order that results, the signal].
  const cases = [
    ['once', 'before', 'program first', 'SIGINT'],
    ['once', 'after', 'library first', 'SIGINT'],
    ['on', 'before', 'program first', 'SIGINT'],
    ['on', 'after', 'library first', 'SIGINT'],
    ['prependOnce', 'after', 'program first', 'SIGINT'],
    ['once', 'before', 'program first', 'SIGTERM'],
  ] as const;
  for (const [how, when, order, signal] of cases) {
    test(`process.${how === 'prependOnce' ? 'prependOnceListener' : how}('${signal}') registered ${when} the bars start: the program's catch and the code after the loop run`, async () => {
      const { r, screen } = await run('signal-handler.js', {
        cols: 70,
        rows: 10,
        args: json({ how, when, signal }),
        steps: [
          { waitFor: `ready (${order})` },
          signal === 'SIGINT' ? { send: CTRL_C, label: 'signal' } : { signal, label: 'signal' },
        ],
      });
      onScreen(r, screen, () => {
        expect(r.skippedSteps).toEqual([]);
        expect(r.timedOut).toBe(false);
        expect(r.signal).toBeNull();
        expect(r.exitCode).toBe(0);
        const text = screen.all.join('\n');
        expect(text).toContain('caught: interrupted');
        expect(text).toContain('after the loop');
        expect(text).not.toContain('loop finished');
        const bars = screen.all.filter((row) => barLine('job').test(row));
        expect(bars).toHaveLength(1);
        expect(Number(barLine('job').exec(bars[0] ?? '')?.[1])).toBeLessThan(600);
        expect(screen.cursorVisible).toBe(true);
      });
    });
  }

  test('a handler that ignores Ctrl-C: the job goes on with the cursor shown; the second Ctrl-C (the once handler is gone) ends it by SIGINT', async () => {
    const { r, screen } = await run('signal-handler.js', {
      cols: 70,
      rows: 10,
      args: json({ how: 'once', ignore: true, n: 3000 }),
      steps: [
        { waitFor: 'ready (program first)' },
        // The bars hide the cursor with their first frame, once log-update has loaded (an async job does not
        // wait for it): only then is there a cursor to show again.
        { waitFor: /\u001B\[\?25l/ },
        { send: CTRL_C },
        // The program's handler prints 'ignored' (above the bars), then the library shows the cursor.
        { waitFor: /ignored[^]*\u001B\[\?25h/ },
        { waitFor: 'still running' },
        { send: CTRL_C, label: 'second' },
      ],
    });
    const between = await renderPtyScreen(r, r.marks.second);
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(endedBySigint(r)).toBe(true);
      expect(between.cursorVisible).toBe(true);
      expect(screen.cursorVisible).toBe(true);
      const text = screen.all.join('\n');
      expect(text).toContain('still running');
      expect(text).not.toContain('after the loop');
      expect(screen.all.filter((row) => barLine('job').test(row))).toHaveLength(1);
    });
  });

  test('an exit hook registered with signal-exit (execa, ora…) is no handler: Ctrl-C still ends the job, the hook runs', async () => {
    const { r, screen } = await run('signal-handler.js', {
      cols: 70,
      rows: 10,
      args: json({ how: 'none', signalExit: true }),
      steps: [{ waitFor: 'ready (library first)' }, { send: CTRL_C }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.timedOut).toBe(false);
      expect(endedBySigint(r)).toBe(true);
      const text = screen.all.join('\n');
      expect(text).toContain('exit hook');
      expect(text).not.toContain('loop finished');
      expect(screen.all.filter((row) => barLine('job').test(row))).toHaveLength(1);
      expect(screen.cursorVisible).toBe(true);
    });
  });

  test('process.exit() inside the handler: the last frame stays, the cursor is shown, the exit code is the program’s', async () => {
    const { r, screen } = await run('signal-handler.js', {
      cols: 70,
      rows: 10,
      args: json({ how: 'once', exitCode: 3 }),
      steps: [{ waitFor: 'ready (program first)' }, { send: CTRL_C }],
    });
    onScreen(r, screen, () => {
      expect(r.skippedSteps).toEqual([]);
      expect(r.exitCode).toBe(3);
      expect(screen.cursorVisible).toBe(true);
      expect(screen.all.filter((row) => barLine('job').test(row))).toHaveLength(1);
      expect(screen.all.join('\n')).not.toContain('after the loop');
    });
  });
});

describe('plain output (CI log, file): SIGINT and SIGTERM', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} with no handler of the program's: the final line is printed, then the signal ends the job`, async () => {
      const r = await runInPty('signal-handler.js', {
        tty: false,
        args: json({ how: 'none' }),
        steps: [{ waitFor: 'ready (library first)' }, { signal }],
      });
      expect(r.skippedSteps).toEqual([]);
      expect(r.signal).toBe(signal);
      const lines = plainLines(r);
      expect(lines[0]).toBe('ready (library first)');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(barLine('job'));
      expect(Number(barLine('job').exec(lines[1] ?? '')?.[1])).toBeLessThan(600);
      expect(r.bytes).not.toMatch(/[\u001B\r]/);
    });
  }

  test('SIGTERM during progress.map: the final line and the report of the calls still running', async () => {
    const r = await runInPty('signal-handler.js', {
      tty: false,
      args: json({ how: 'none', kind: 'map' }),
      steps: [{ waitFor: 'ready (library first)' }, { signal: 'SIGTERM' }],
    });
    expect(r.skippedSteps).toEqual([]);
    expect(r.signal).toBe('SIGTERM');
    const lines = plainLines(r);
    expect(lines[1]).toMatch(/^fetch: +30%\|.*\| 12\/40 \[/);
    const report = lines.slice(2);
    expect(report.length).toBeGreaterThanOrEqual(4);
    for (const url of ['url-12', 'url-13', 'url-14', 'url-15']) expect(report.join('\n')).toContain(url);
  });

  test("with the program's own handler: left to the program (its catch runs, the bar ends once, as aborted)", async () => {
    const r = await runInPty('signal-handler.js', {
      tty: false,
      args: json({ how: 'once', when: 'after', signal: 'SIGTERM' }),
      steps: [{ waitFor: 'ready (library first)' }, { signal: 'SIGTERM' }],
    });
    expect(r.skippedSteps).toEqual([]);
    expect(r.exitCode).toBe(0);
    const lines = plainLines(r);
    expect(lines.filter((l) => barLine('job').test(l))).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(['caught: interrupted', 'after the loop']);
  });
});

describe('plain output: the final line', () => {
  test('a job that ends just after a status line does not print the same line twice', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(100, { stream, clock: clock.read, desc: 'ci', plainInterval: 1_000 })) clock.advance(100);
    const lines = stream.lines;
    expect(lines.at(-1)).toMatch(/^ci: 100%\|█+\| 100\/100 \[00:10<00:00, 10\.0 it\/s\]$/);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toHaveLength(10);

    const manual = new MemoryStream();
    const bar = progress.bar({ stream: manual, clock: clock.read, desc: 'job', total: 10, plainInterval: 1_000 });
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      bar.update(1);
    }
    bar.close();
    expect(manual.lines).toEqual([expect.stringMatching(/^job: 100%\|█+\| 10\/10 \[00:01<00:00, 10\.0 it\/s\]$/)]);
  });

  test('the final line is still printed when it differs from the last status line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, desc: 'job', total: 10, plainInterval: 1_000 });
    clock.advance(1_000);
    bar.update(5); // a status line at 5/10
    bar.close(); // stopped at 5/10, same second: the final line differs (no ETA)
    expect(stream.lines).toHaveLength(2);
    expect(stream.lines[0]).toMatch(/ 5\/10 \[00:01</);
    expect(stream.lines[1]).toMatch(/ 5\/10 \[00:01/);
    expect(stream.lines[1]).not.toBe(stream.lines[0]);
  });
});

describe("the program's stdout", () => {
  test('a tee installed on stdout while bars are live keeps receiving output after they close', async () => {
    const { r, screen } = await run('tee.js', { cols: 60, rows: 10 });
    onScreen(r, screen, () => {
      expect(r.exitCode).toBe(0);
      const seen = /tee saw (\[.*\])/.exec(screen.all.join(''))?.[1];
      expect(JSON.parse(seen ?? 'null')).toEqual(['during\n', 'after\n', 'second\n', 'end\n']);
      const rows = screen.all.filter((row) => row !== '' && !row.startsWith('tee saw'));
      expect(rows).toEqual([
        'during',
        expect.stringMatching(barLine('first')),
        'after',
        'second',
        expect.stringMatching(barLine('second')),
        'end',
      ]);
    });
  });

  /** Runs `script` with bash; returns the exit status of the first command of the pipeline and stderr. */
  function shell(script: string): { status: number; stderr: string } {
    const r = spawnSync('bash', ['-c', script], {
      cwd: fixturesDir,
      encoding: 'utf8',
      env: { ...process.env, TAQADDUM_DISABLE: '' },
      timeout: 20_000,
    });
    const status = /status=(\d+)/.exec(r.stderr)?.[1];
    return { status: Number(status), stderr: r.stderr };
  }
  const job = (o: object): string => `"${process.execPath}" "${join(fixturesDir, 'stdout-job.js')}" '${JSON.stringify(o)}'`;

  test('`stream: process.stdout` and `| head -1`: the EPIPE ends the job as it ends the bare program', () => {
    const bare = shell(`${job({ bar: false })} | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`);
    const barred = shell(`${job({})} | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('EPIPE');
    expect(barred.stderr).not.toContain('loop finished');
    expect(barred.status).toBe(bare.status);
    expect(barred.stderr).toContain('EPIPE');
  });

  test('`stream: process.stdout` and `> /dev/full`: exits non-zero with ENOSPC, as the bare program does', () => {
    const bare = shell(`${job({ bar: false })} >/dev/full; echo "status=$?" >&2`);
    const barred = shell(`${job({})} >/dev/full; echo "status=$?" >&2`);
    expect(bare.status).toBe(1);
    expect(barred.stderr).not.toContain('loop finished');
    expect(barred.status).toBe(bare.status);
    expect(barred.stderr).toContain('ENOSPC');
  });

  test("a program with its own 'error' listener on stdout gets every error and goes on, as without the bar", () => {
    const bare = shell(`${job({ bar: false, n: 300, listen: true })} >/dev/full; echo "status=$?" >&2`);
    const barred = shell(`${job({ n: 300, listen: true })} >/dev/full; echo "status=$?" >&2`);
    expect(bare.stderr).toContain('loop finished (300 errors)');
    expect(bare.status).toBe(0);
    expect(barred.status).toBe(0);
    // Its own 300 writes, and the bar's: the bar never takes an error from the program.
    const errors = Number(/loop finished \((\d+) errors\)/.exec(barred.stderr)?.[1]);
    expect(errors).toBeGreaterThanOrEqual(300);
  });

  test("no 'error' listener on the stream while its writes succeed, none left after one failed", async () => {
    const clock = new FakeClock();
    const fine = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), { isTTY: false });
    const bar = progress.bar({ stream: fine, clock: clock.read, total: 10, plainInterval: 10 });
    for (let i = 0; i < 10; i++) {
      clock.advance(10);
      bar.update(1);
      expect(fine.listenerCount('error')).toBe(0);
    }
    bar.close();
    expect(fine.listenerCount('error')).toBe(0);

    // A reader that went away: the bar's writes fail; the job is not told, and no listener stays behind.
    let writes = 0;
    const gone = Object.assign(
      new Writable({
        write: (_chunk, _encoding, done) => {
          writes++;
          done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      }),
      { isTTY: false },
    );
    for (const _ of progress(10, { stream: gone, clock: clock.read, plainInterval: 10 })) clock.advance(10);
    expect(writes).toBe(1); // the first status line failed: the bar went quiet
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(gone.destroyed).toBe(true);
    expect(gone.listenerCount('error')).toBe(0);
    expect(gone.listenerCount('removeListener')).toBe(0);
  });

  test("an error that is not the bars', in the instant one of theirs is on its way, reaches the program as without them", async () => {
    // A stream whose writes fail at once and whose 'error' events the test emits itself.
    class Failing extends EventEmitter {
      readonly isTTY = false;
      readonly writableLength = 0;
      readonly failures: Error[] = [];
      write(_text: string, done?: (error?: Error | null) => void): boolean {
        const error = new Error('write EPIPE');
        this.failures.push(error);
        done?.(error);
        return false;
      }
    }
    const clock = new FakeClock();
    const stream = new Failing();
    const seen: unknown[] = [];
    stream.once('error', (e) => seen.push(e)); // the program's, registered first: it runs before ours
    const bar = progress.bar({ stream, clock: clock.read, total: 10, plainInterval: 10 });
    clock.advance(10);
    bar.update(1); // a status line: the write fails
    expect(stream.failures).toHaveLength(1);
    const programs = new Error("the program's own write failed");
    expect(() => stream.emit('error', programs)).not.toThrow(); // its `once` listener took it
    expect(seen).toEqual([programs]);
    // Node emits each error from a tick of its own (still before the next event-loop turn).
    await new Promise((resolve) => process.nextTick(resolve));
    expect(() => stream.emit('error', stream.failures[0])).not.toThrow(); // the bar's own: taken
    const unhandled = new Error('nobody listens');
    // As Node does with no listener (under Jest, whose Error is another realm's, wrapped: 'Unhandled error. (…)').
    expect(() => stream.emit('error', unhandled)).toThrow(/nobody listens/);
    expect(seen).toHaveLength(1);
    bar.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.listenerCount('error')).toBe(0);
    expect(() => stream.emit('error', stream.failures[0])).toThrow(); // the bars are gone: nothing is taken
  });
});
