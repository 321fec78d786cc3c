/**
 * Taskbar progress (OSC 9;4, src/render/taskbar.ts): the rule that picks what the indicator shows, the
 * terminals it is on for by default, the sequences a terminal stream gets (once per change, in the frame's
 * write), and in a real terminal: on where the terminal says it shows it, invisible on screen, cleared
 * when the job ends however it ends.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { taskbarSupported } from '../src/env.js';
import { taskbarSequence, taskbarState, wholePercent, type TaskbarBar } from '../src/render/taskbar.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { endedBySigint, ensureBuilt, onScreen, renderPtyScreen, runInPty, type RunResult } from '../test-support/pty.js';

const OSC = /\u001B\]9;4;(\d);(\d+)\u0007/g;
/** The taskbar sequences in `text`, in order, as `state;percent`. */
const sequences = (text: string): string[] => [...text.matchAll(OSC)].map((m) => `${m[1]};${m[2]}`);

const bar = (on: boolean, topLevel: boolean, percent: number | undefined): TaskbarBar => ({ on, topLevel, percent: () => percent });

describe('the rule: what the indicator shows', () => {
  test('one bar with a total: its percent', () => {
    expect(taskbarState([bar(true, true, 42)], undefined)).toEqual({ state: 'progress', percent: 42 });
  });

  test('the oldest live top-level bar with a total drives it, not a nested bar nor a later one', () => {
    const live = [bar(true, true, undefined), bar(true, false, 90), bar(true, true, 30), bar(true, true, 70)];
    expect(taskbarState(live, undefined)).toEqual({ state: 'progress', percent: 30 });
  });

  test('bars with the option off are not looked at', () => {
    expect(taskbarState([bar(false, true, 10), bar(true, true, 60)], undefined)).toEqual({ state: 'progress', percent: 60 });
    expect(taskbarState([bar(false, true, 10)], undefined)).toEqual({ state: 'clear' });
  });

  test('no top-level bar with a total: busy while a top-level bar is live; a nested bar alone does not make it busy', () => {
    expect(taskbarState([bar(true, true, undefined), bar(true, false, 50)], undefined)).toEqual({ state: 'busy' });
    expect(taskbarState([bar(true, false, 50)], undefined)).toEqual({ state: 'clear' });
  });

  test('after a failure: red with the driving bar\'s percent, else the failed bar\'s; cleared when no bar with the option is live', () => {
    expect(taskbarState([bar(true, true, 55)], 20)).toEqual({ state: 'error', percent: 55 });
    expect(taskbarState([bar(true, true, undefined)], 20)).toEqual({ state: 'error', percent: 20 });
    expect(taskbarState([bar(true, false, undefined)], 20)).toEqual({ state: 'error', percent: 20 });
    expect(taskbarState([], 20)).toEqual({ state: 'clear' });
    expect(taskbarState([bar(false, true, 5)], 20)).toEqual({ state: 'clear' });
  });

  test('no live bar: cleared', () => {
    expect(taskbarState([], undefined)).toEqual({ state: 'clear' });
  });

  test('whole percent: rounded down (100 only when done), within 0–100; a total of 0 is complete', () => {
    expect([wholePercent(0, 3), wholePercent(1, 3), wholePercent(2, 3), wholePercent(999, 1000), wholePercent(3, 3)]).toEqual([
      0, 33, 66, 99, 100,
    ]);
    expect([wholePercent(5, 3), wholePercent(-1, 3), wholePercent(0, 0)]).toEqual([100, 0, 100]);
  });

  test('the sequences: ESC ] 9 ; 4 ; state ; percent BEL', () => {
    expect(taskbarSequence({ state: 'clear' })).toBe('\u001B]9;4;0;0\u0007');
    expect(taskbarSequence({ state: 'progress', percent: 7 })).toBe('\u001B]9;4;1;7\u0007');
    expect(taskbarSequence({ state: 'error', percent: 40 })).toBe('\u001B]9;4;2;40\u0007');
    expect(taskbarSequence({ state: 'busy' })).toBe('\u001B]9;4;3;0\u0007');
  });
});

describe('which terminals get it by default', () => {
  test.each([
    [{ WT_SESSION: 'b6e0…' }, true],
    [{ ConEmuANSI: 'ON' }, true],
    [{ ConEmuANSI: 'OFF' }, false],
    [{ TERM_PROGRAM: 'ghostty' }, true],
    [{ TERM: 'xterm-ghostty' }, true],
    [{ TERM_PROGRAM: 'WezTerm' }, true],
    [{ TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.6.6' }, true],
    [{ TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.10.0' }, true],
    [{ TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.6.5' }, false], // OSC 9 is a notification there
    [{ TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.5.14' }, false],
    [{ TERM_PROGRAM: 'iTerm.app' }, false],
    [{ TERM: 'xterm-256color' }, false],
    [{ TERM_PROGRAM: 'vscode' }, false],
    [{ TERM_PROGRAM: 'Apple_Terminal' }, false],
    [{ TERM_PROGRAM: 'WezTerm', TMUX: '/tmp/tmux-1000/default,1,0' }, false], // tmux drops it
    [{ WT_SESSION: 'x', TMUX: '/tmp/tmux-1000/default,1,0' }, false],
    [{ TERM_PROGRAM: 'ghostty', STY: '123.pts-0.host' }, false],
  ])('%j: %s', (env, on) => {
    expect(taskbarSupported(env as NodeJS.ProcessEnv)).toBe(on);
  });
});

describe('a terminal stream: the sequences in the frames\' writes', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['WT_SESSION', 'TMUX', 'TERM_PROGRAM']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  function job(options: { taskbar?: boolean; stream?: MemoryStream } = {}): { stream: MemoryStream; writes: string[] } {
    const stream = options.stream ?? new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const clock = new FakeClock();
    const b = progress.bar({ stream, clock: clock.read, total: 200, captureOutput: false, ...(options.taskbar === undefined ? {} : { taskbar: options.taskbar }) });
    // 50 frames at 0.5 % steps: the whole percent changes every other frame.
    for (let i = 0; i < 50; i++) {
      clock.advance(100);
      b.update(1);
    }
    clock.advance(100);
    b.close();
    return { stream, writes: stream.writes };
  }

  test('taskbar: true: each whole percent once, in order, inside a frame\'s write, then cleared when the bar closes', () => {
    const { stream, writes } = job({ taskbar: true });
    const seen = sequences(stream.text);
    expect(seen).toEqual([...Array.from({ length: 26 }, (_, p) => `1;${p}`), '0;0']);
    // Never a write of its own: each sequence rides in a frame's write, ahead of the frame.
    for (const w of writes.filter((w) => OSC.test(w))) expect(w.replace(OSC, '')).toMatch(/\S/);
    expect(writes.filter((w) => sequences(w).length > 1)).toEqual([]);
  });

  test('by default: off on a terminal that does not say it shows it, on in Windows Terminal, off under tmux', () => {
    expect(sequences(job().stream.text)).toEqual([]);
    process.env.WT_SESSION = 'test';
    expect(sequences(job().stream.text)).toHaveLength(27);
    process.env.TMUX = '/tmp/tmux-1000/default,1,0';
    expect(sequences(job().stream.text)).toEqual([]);
    expect(sequences(job({ taskbar: true }).stream.text)).toHaveLength(27); // asked for: sent
  });

  test('taskbar: false turns it off where it is on by default', () => {
    process.env.TERM_PROGRAM = 'WezTerm';
    expect(sequences(job({ taskbar: false }).stream.text)).toEqual([]);
  });

  test('never in plain output, even when asked for', () => {
    const { stream } = job({ taskbar: true, stream: new MemoryStream() });
    expect(stream.text).not.toContain('\u001B');
    expect(stream.lines.at(-1)).toMatch(/^ *25%\|/);
  });

  test('a bar without a total: busy, then cleared', () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const clock = new FakeClock();
    const b = progress.bar({ stream, clock: clock.read, captureOutput: false, taskbar: true });
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      b.update(1);
    }
    b.close();
    expect(sequences(stream.text)).toEqual(['3;0', '0;0']);
  });

  test('a bar that fails turns it red, with the main bar\'s percent, until the last bar closes', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const clock = new FakeClock();
    const main = progress.bar({ stream, clock: clock.read, total: 10, desc: 'main', captureOutput: false, taskbar: true });
    clock.advance(100);
    main.update(2);
    async function* side(): AsyncGenerator<number> {
      yield 1;
      throw new Error('side failed');
    }
    await expect(async () => {
      for await (const _ of progress(side(), { stream, clock: clock.read, total: 5, desc: 'side', parent: null, taskbar: true })) {
        clock.advance(100);
      }
    }).rejects.toThrow('side failed');
    clock.advance(100);
    main.update(3);
    clock.advance(100);
    main.update(5);
    main.close();
    expect(sequences(stream.text)).toEqual(['1;0', '1;20', '2;20', '2;50', '2;100', '0;0']);
  });

  test('bars on two terminal streams: the first to show something keeps the indicator until it clears it', () => {
    const out = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const err = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const clock = new FakeClock();
    const a = progress.bar({ stream: err, clock: clock.read, total: 4, captureOutput: false, taskbar: true });
    const b = progress.bar({ stream: out, clock: clock.read, total: 10, captureOutput: false, taskbar: true });
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      a.update(1);
      b.update(1);
    }
    a.close();
    clock.advance(100);
    b.update(1);
    b.close();
    expect(sequences(err.text)).toEqual(['1;0', '1;25', '1;50', '1;75', '0;0']);
    expect(sequences(out.text)).toEqual(['1;40', '0;0']);
  });

  test('taskbar: \'x\' is a TypeError naming the option and the value', () => {
    expect(() => progress.bar({ taskbar: 'x' as unknown as boolean })).toThrow(TypeError);
    expect(() => progress.bar({ taskbar: 'x' as unknown as boolean })).toThrow('Expected `taskbar` to be a boolean, got `"x"`');
  });
});

describe('in a real terminal', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  const WEZTERM = { TERM_PROGRAM: 'WezTerm' };
  const WT = { WT_SESSION: '7c1f2a3e-test' };
  const run = (env: Record<string, string>, options: object = {}, steps = {}): Promise<RunResult> =>
    runInPty('taskbar.js', { cols: 80, rows: 12, env, args: [JSON.stringify(options)], ...steps });

  test('WezTerm: the percent climbs once per change, ends cleared; the screen is the same as without the sequences', async () => {
    const r = await run(WEZTERM, { end: 'done' });
    const seen = sequences(r.bytes);
    expect(r.exitCode).toBe(0);
    // The first frame comes once the drawing code has loaded (a few items in); the last before the bar
    // closes, near the end (closing clears it: no frame at 100 % is needed first).
    expect(seen.at(0)).toMatch(/^1;([0-9]|[1-4][0-9])$/);
    expect(seen.at(-2)).toMatch(/^1;(9[0-9]|100)$/);
    expect(seen.at(-1)).toBe('0;0');
    expect(seen.length).toBeGreaterThan(5);
    const percents = seen.slice(0, -1).map((s) => Number(s.split(';')[1]));
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1] as number); // no repeats
    // xterm.js (like xterm) does nothing visible with OSC 9: the screen, scrollback and cursor are those of
    // the same bytes without the sequences.
    const screen = await renderPtyScreen(r);
    const without = await renderPtyScreen({ ...r, bytes: r.bytes.replace(OSC, '') });
    onScreen(r, screen, () => {
      expect(screen.all).toEqual(without.all);
      expect(screen.cursor).toEqual(without.cursor);
      expect(screen.text).toMatch(/^rows: 100%\|█+\| 40\/40 \[/);
      expect(screen.text).not.toContain('9;4');
    });
  });

  test('off by default in a terminal that does not say it shows it (xterm), and under tmux', async () => {
    const [xterm, tmux] = await Promise.all([run({}, { end: 'done' }), run({ ...WT, TMUX: '/tmp/tmux-1000/default,1,0' }, { end: 'done' })]);
    for (const r of [xterm, tmux]) {
      expect(r.exitCode).toBe(0);
      expect(r.bytes).toMatch(/rows: 100%/);
      expect(r.bytes).not.toContain('\u001B]9;');
    }
  });

  test('not a terminal (a pipe), even with taskbar: true: no sequence', async () => {
    const r = await runInPty('taskbar.js', { tty: false, env: WT, args: [JSON.stringify({ end: 'done', taskbar: true })] });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).toMatch(/rows: 100%/);
    expect(r.bytes).not.toContain('\u001B');
  });

  test('Windows Terminal, Ctrl-C: cleared before the process ends by the signal', async () => {
    const r = await run(WT, { end: 'ctrl-c' }, { steps: [{ waitFor: 'ready' }, { send: '\u0003', label: 'ctrl-c' }] });
    expect(endedBySigint(r)).toBe(true);
    const seen = sequences(r.bytes);
    expect(seen.at(-1)).toBe('0;0');
    expect(seen.at(-2)).toMatch(/^1;(4\d|50)$/);
    expect(r.bytes.lastIndexOf('\u001B]9;4;0;0\u0007')).toBeGreaterThan(r.marks['ctrl-c'] ?? Infinity);
  });

  test('an uncaught exception and process.exit(): cleared', async () => {
    const [thrown, exited] = await Promise.all([run(WT, { end: 'exception' }), run(WT, { end: 'exit' })]);
    expect(thrown.exitCode).toBe(1);
    expect(thrown.bytes).toContain('boom');
    expect(exited.exitCode).toBe(3);
    for (const r of [thrown, exited]) {
      const seen = sequences(r.bytes);
      expect(seen.at(-1)).toBe('0;0');
      expect(seen.at(-2)).toMatch(/^1;(4\d|50)$/);
    }
    // Cleared before Node prints the error, with the bars' last frame.
    expect(thrown.bytes.lastIndexOf('\u001B]9;4;0;0\u0007')).toBeLessThan(thrown.bytes.indexOf('Error: boom'));
  });

  test('a second bar fails: red from then on with the main bar\'s percent, cleared at the end', async () => {
    const r = await run(WEZTERM, { end: 'failed' });
    expect(r.exitCode).toBe(0);
    const seen = sequences(r.bytes);
    const firstError = seen.findIndex((s) => s.startsWith('2;'));
    expect(firstError).toBeGreaterThan(0);
    expect(seen.slice(0, firstError).every((s) => s.startsWith('1;'))).toBe(true);
    expect(seen.slice(firstError, -1).every((s) => s.startsWith('2;'))).toBe(true);
    expect(seen.at(-2)).toMatch(/^2;(9[0-9]|100)$/);
    expect(seen.at(-1)).toBe('0;0');
  });
});
