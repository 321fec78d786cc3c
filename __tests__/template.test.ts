/**
 * The `format` option (templates and functions), colours, `ascii` and the spinner: what a person sees on a
 * terminal screen (@xterm/headless, cell colours included) and in plain output.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import xterm from '@xterm/headless';
import { progress } from '../src/index.js';
import type { FormatState } from '../src/index.js';
import type { Look } from '../src/format/line.js';
import { DEFAULT_TEMPLATE, DEFAULT_UNKNOWN_TEMPLATE, formatLine, renderBar, SPINNER_FRAMES, spinnerFrame } from '../src/format/line.js';
import { parseTemplate } from '../src/format/template.js';
import { displayWidth } from '../src/format/width.js';
import { internal } from '../test-support/bar-internals.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { makeSnapshot } from '../test-support/snapshot.js';

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

const look = (format: string, over: Partial<Look> = {}): Look => ({
  template: parseTemplate(format),
  color: undefined,
  ascii: false,
  paint: false,
  ...over,
});

const TQDM = '{desc}: {percentage}|{bar}| {n}/{total} [{elapsed}<{eta}, {rate}{postfix}]';

/** A terminal that says it has colours. */
class ColourStream extends MemoryStream {
  constructor(private readonly colours = true) {
    super({ isTTY: true, columns: 60, rows: 10 });
  }
  hasColors(): boolean {
    return this.colours;
  }
}

/** Runs `n` items through a bar drawing on `stream`, 10 ms of fake time each. */
function run(stream: MemoryStream, options: Record<string, unknown>, n = 50, failAt = -1): void {
  const clock = new FakeClock();
  try {
    for (const i of progress(n, { stream, clock: clock.read, captureOutput: false, minInterval: 0, ...options })) {
      if (i === failAt) throw new Error('boom');
      clock.advance(10);
    }
  } catch {
    // the bar closed as failed
  }
}

interface Cell {
  char: string;
  /** The foreground palette colour (0–15), or -1 for the default colour. */
  fg: number;
  bold: boolean;
}

/** Row `y` of the screen, cell by cell, with colours. */
async function cells(bytes: string, y = 0, cols = 60): Promise<Cell[]> {
  const term = new Terminal({ cols, rows: 10, allowProposedApi: true, convertEol: true });
  await new Promise<void>((resolve) => term.write(bytes, resolve));
  const line = term.buffer.active.getLine(y);
  const out: Cell[] = [];
  for (let x = 0; line !== undefined && x < line.length; x++) {
    const c = line.getCell(x);
    if (c === undefined) continue;
    out.push({ char: c.getChars() || ' ', fg: c.isFgPalette() ? c.getFgColor() : -1, bold: c.isBold() !== 0 });
  }
  term.dispose();
  return out;
}

const saved = { FORCE_COLOR: process.env.FORCE_COLOR, NO_COLOR: process.env.NO_COLOR };
beforeEach(() => {
  delete process.env.FORCE_COLOR;
  delete process.env.NO_COLOR;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('templates: parsing, once, at the call', () => {
  test('an unknown field is a TypeError at the call that names it, and lists the fields', () => {
    expect(() => progress.bar({ format: '{desc} {rte}', disable: true })).toThrow(
      new TypeError(
        'Unknown field `{rte}` in `format` (fields: desc, percentage, bar, n, total, unit, elapsed, eta, rate, postfix, status, spinner, counts)',
      ),
    );
    expect(() => progress([1], { format: '{bar:grn}' })).toThrow(/Unknown style `grn` in `\{bar:grn\}` of `format`/);
    expect(() => progress.bar({ format: 'a {desc', disable: true })).toThrow(/Unclosed `\{` at column 3 of `format`/);
    expect(() => progress.bar({ format: 'a } b', disable: true })).toThrow(/Unmatched `\}` at column 3/);
    expect(() => progress.bar({ format: '{[{desc}', disable: true })).toThrow(/not closed with `\]\}`/);
    expect(() => progress.bar({ format: 42 as unknown as string, disable: true })).toThrow(/`format`/);
    expect(() => progress.bar({ color: 'purple', disable: true })).toThrow(/Expected `color` to be a colour name/);
  });

  test('literal braces, styles joined by dots', () => {
    const s = makeSnapshot();
    expect(formatLine(s, 80, false, look('{{{n}}} of {total:bold.cyan}'))).toBe('{420} of 1000');
  });

  test('the default layout is the default template, and tqdm\'s template draws the same line', () => {
    for (const s of [makeSnapshot(), makeSnapshot({ postfix: 'loss=0.1' }), makeSnapshot({ desc: '' })]) {
      for (const width of [Infinity, 100, 60, 40]) {
        expect(formatLine(s, width, false, look(DEFAULT_TEMPLATE))).toBe(formatLine(s, width));
      }
    }
    const unknown = makeSnapshot({ total: undefined, eta: undefined });
    expect(formatLine(unknown, 60, false, look(DEFAULT_UNKNOWN_TEMPLATE))).toBe(formatLine(unknown, 60));
    expect(formatLine(makeSnapshot(), 70, false, look(TQDM))).toBe(formatLine(makeSnapshot(), 70));
    const withPostfix = formatLine(makeSnapshot({ postfix: 'k=v' }), 70, false, look('{desc}: {percentage}|{bar}| {n}/{total} [{elapsed}<{eta}, {rate}, {postfix}]'));
    expect(withPostfix).toMatch(/^rows:  42%\|█+▍ +\| 420\/1000 \[00:03<00:05, 123 it\/s, k=v\]$/);
    expect(displayWidth(withPostfix)).toBe(70);
  });

  test('text next to an empty field goes with it: no desc, no total', () => {
    const noDesc = makeSnapshot({ desc: '' });
    expect(formatLine(noDesc, 60, false, look(TQDM))).toBe(formatLine(noDesc, 60));
    const unknown = makeSnapshot({ total: undefined, eta: undefined });
    // Text goes with the field right after it: the `| ` before `{n}` stays. Groups say better what goes with what.
    expect(formatLine(unknown, 60, false, look(TQDM))).toBe('rows| 420 [00:03, 123 it/s]');
    expect(formatLine(unknown, 60, false, look('{[{desc}: ]}{[{percentage}|{bar}| ]}{n}{[/{total}]} [{elapsed}{[<{eta}]}, {rate}]'))).toBe(
      'rows: 420 [00:03, 123 it/s]',
    );
    expect(formatLine(unknown, 60, false, look('{[{desc}: ]}{n}{[/{total}]} {unit}'))).toBe('rows: 420 it');
    expect(formatLine(unknown, 60, false, look('Saving {bar} {n}'))).toBe('Saving 420');
  });
});

describe('templates: the width model', () => {
  const download = '{desc:bold} {bar:cyan} {n}/{total} · {rate} · {eta}';
  test('never wider than the width; {bar} takes what is left', () => {
    const s = makeSnapshot({ desc: 'ubuntu.iso', n: 29.4e6, total: 48e6, unit: 'B', bytes: true, rate: 12.8e6 });
    for (let width = 1; width <= 120; width++) {
      for (const format of [TQDM, download, '{percentage} {bar}', '{bar}']) {
        const line = formatLine(s, width, true, look(format, { paint: true }));
        expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
    const line = formatLine(s, 60, false, look(download));
    expect(line).toMatch(/^ubuntu\.iso █+[▏▎▍▌▋▊▉]? + 29\.4 MB\/48\.0 MB · 12\.8 MB\/s · 00:05$/);
    expect(displayWidth(line)).toBe(60);
    expect(displayWidth(formatLine(s, 60, false, look('{bar}')))).toBe(60);
  });

  test('a narrow width drops fields in the stated order: bar, postfix, timings, percentage, desc, status', () => {
    const s = makeSnapshot({ postfix: 'k=v', tasks: { running: 8, pending: 580, failed: 3, stalled: undefined } });
    const format = '{desc} {percentage} {bar} {n}/{total} {elapsed} {eta} {rate} {status} {postfix}';
    const at = (width: number): string => formatLine(s, width, false, look(format));
    expect(at(80)).toMatch(/^rows  42% █+[▏▎▍▌▋▊▉]? + 420\/1000 00:03 00:05 123 it\/s 8 running, 3 failed k=v$/);
    expect(displayWidth(at(80))).toBe(80);
    expect(at(68)).toBe('rows  42% ██   420/1000 00:03 00:05 123 it/s 8 running, 3 failed k=v');
    expect(at(67)).toBe('rows  42% 420/1000 00:03 00:05 123 it/s 8 running, 3 failed k=v');
    expect(at(63)).toBe('rows  42% 420/1000 00:03 00:05 123 it/s 8 running, 3 failed');
    expect(at(45)).toBe('rows  42% 420/1000 8 running, 3 failed');
    expect(at(35)).toBe('rows 420/1000 8 running, 3 failed');
    expect(at(30)).toBe('420/1000 8 running, 3 failed');
    expect(at(28)).toBe('rows 420/1000'); // the status goes before a desc that fits whole
    expect(at(12)).toBe('420/1000');
    expect(at(5)).toBe('420/…');
  });
});

describe('format as a function', () => {
  test('gets a frozen state and the width; its line is cut to the width and sanitised', () => {
    const states: FormatState[] = [];
    const widths: number[] = [];
    const stream = new MemoryStream({ isTTY: true, columns: 31, rows: 5 });
    run(stream, {
      desc: 'rows',
      format: (state: FormatState, width: number) => {
        states.push(state);
        widths.push(width);
        return `${state.desc} ${state.n}/${state.total} \u001B]0;title\u0007${'='.repeat(40)}`;
      },
    });
    const last = states[states.length - 1] as FormatState;
    expect(Object.isFrozen(last)).toBe(true);
    expect(last).toMatchObject({ n: 50, total: 50, desc: 'rows', unit: 'it', percentage: 100, failed: 0, done: true, outcome: 'done', postfix: '' });
    expect(last.elapsed).toBeCloseTo(0.5);
    expect(widths.every((w) => w === 30)).toBe(true);
    expect(stream.text).not.toContain('title');
    return renderScreen(stream.text, 31, 5).then((screen) => {
      expect(screen.rows[0]).toBe(`rows 50/50 ${'='.repeat(18)}…`);
    });
  });

  test('plain output: the same function, given 80 columns, not cut', () => {
    const stream = new MemoryStream();
    run(stream, { desc: 'rows', format: (s: FormatState) => `${s.desc}|${s.n}|${'-'.repeat(90)}` });
    expect(stream.lines[stream.lines.length - 1]).toBe(`rows|50|${'-'.repeat(90)}`);
  });

  test('a function that throws: the job runs on, the default line shows, one warning says why', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const stream = new MemoryStream();
      let calls = 0;
      let items = 0;
      const clock = new FakeClock();
      for (const _ of progress(20, {
        stream,
        clock: clock.read,
        plainInterval: 0,
        minInterval: 0,
        format: () => {
          calls++;
          throw new Error('my bug');
        },
      })) {
        items++;
        clock.advance(10);
      }
      expect(items).toBe(20);
      expect(calls).toBe(1);
      expect(stream.lines[stream.lines.length - 1]).toMatch(/^100%\|█+\| 20\/20 \[00:00<00:00, 100 it\/s\]$/);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toBe('The `format` function of a bar threw; it shows the default line from now on: my bug');
      expect(warn.mock.calls[0]?.[1]).toMatchObject({ type: 'TaqaddumFormatWarning' });
    } finally {
      warn.mockRestore();
    }
  });
});

describe('plain output uses the template, with no colour and no spinner', () => {
  test('a template, a colour and an unknown total: plain lines carry no escape codes and no spinner', () => {
    const stream = new MemoryStream();
    run(stream, { desc: 'rows', total: 50, color: 'cyan', format: '{spinner} {desc:bold}: {percentage} {bar:green} {n}' });
    expect(stream.text).not.toContain('\u001B');
    expect(stream.lines[stream.lines.length - 1]).toMatch(/^rows: 100% █+ 50$/);
    const unknown = new MemoryStream();
    const clock = new FakeClock();
    function* rows(): Generator<number> {
      for (let i = 0; i < 50; i++) yield i;
    }
    for (const _ of progress(rows(), { stream: unknown, clock: clock.read, desc: 'lines' })) clock.advance(10);
    expect(unknown.lines[unknown.lines.length - 1]).toMatch(/^lines: 50 it \[00:00, \d+ it\/s\]$/);
  });
});

describe('colour on a terminal', () => {
  test('the bar takes `color` while it runs and turns green when done; styled fields keep their style', async () => {
    const stream = new ColourStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, captureOutput: false, total: 10, desc: 'rows', color: 'cyan', format: '{desc:bold} {bar} {n}' });
    clock.advance(100);
    bar.update(5);
    const running = internal(bar).line(clock.now, 60, true);
    const row = await cells(running);
    expect(row.filter((c) => c.char === '█').every((c) => c.fg === 6)).toBe(true); // cyan
    expect(row.slice(0, 4).every((c) => c.bold && c.char !== ' ')).toBe(true);
    expect(row[4]?.bold).toBe(false);
    bar.update(5);
    bar.close();
    const done = await cells(stream.text);
    expect(done.filter((c) => c.char === '█').length).toBeGreaterThan(40);
    expect(done.filter((c) => c.char === '█').every((c) => c.fg === 2)).toBe(true); // green
  });

  test('a failed bar turns red; the default layout is coloured only there and when done', async () => {
    const failed = new ColourStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream: failed, clock: clock.read, captureOutput: false, total: 50, desc: 'rows' });
    clock.advance(200);
    bar.update(20);
    internal(bar).closeAs('failed');
    const row = await cells(failed.text);
    expect(row.map((c) => c.char).join('').trimEnd()).toMatch(/^rows:  40%\|[█▏▎▍▌▋▊▉]+ +\| ✗ 20\/50 \[00:00<\?, \d+ it\/s\]$/);
    const isBar = (c: Cell): boolean => '█▏▎▍▌▋▊▉'.includes(c.char) && c.char !== ' ';
    expect(row.filter(isBar).length).toBeGreaterThan(5);
    expect(row.filter(isBar).every((c) => c.fg === 1)).toBe(true); // red
    const after = row.findIndex((c) => c.char === '✗');
    expect([...row.slice(0, 11), ...row.slice(after)].every((c) => c.fg === -1)).toBe(true); // only the bar is coloured
  });

  test('a bar with no colour of its own stays uncoloured when done; a style on {bar} wins over `color`', async () => {
    const plainDone = new ColourStream();
    run(plainDone, { total: 50 });
    expect((await cells(plainDone.text)).every((c) => c.fg === -1)).toBe(true);
    const styled = new ColourStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream: styled, clock: clock.read, captureOutput: false, total: 10, color: 'cyan', format: '{bar:magenta} {n}' });
    clock.advance(100);
    bar.update(5);
    const running = await cells(internal(bar).line(clock.now, 30, true), 0, 30);
    expect(running.filter((c) => c.char === '█').every((c) => c.fg === 5)).toBe(true); // magenta
    bar.update(5);
    bar.close();
    expect((await cells(styled.text)).filter((c) => c.char === '█').every((c) => c.fg === 2)).toBe(true); // green
  });

  test('NO_COLOR turns it off, FORCE_COLOR on (on a terminal only), read when the bar is created', () => {
    const draw = (stream: MemoryStream): string => {
      run(stream, { total: 50, color: 'cyan' });
      return stream.text;
    };
    expect(draw(new ColourStream())).toContain('\u001B[32m');
    expect(draw(new ColourStream(false))).not.toContain('\u001B[3');
    process.env.NO_COLOR = '1';
    expect(draw(new ColourStream())).not.toContain('\u001B[3');
    process.env.FORCE_COLOR = '1';
    expect(draw(new ColourStream(false))).toContain('\u001B[32m');
    expect(draw(new MemoryStream())).not.toContain('\u001B');
    process.env.FORCE_COLOR = '0';
    delete process.env.NO_COLOR;
    expect(draw(new ColourStream())).not.toContain('\u001B[3');
  });

  test('a chalk-coloured desc keeps its colour, and colour codes take no width', async () => {
    const stream = new ColourStream();
    run(stream, { desc: '\u001B[35mrows\u001B[39m', total: 50, width: 40, format: '{desc} {bar:yellow} {n}' });
    const row = await cells(stream.text);
    expect(row.slice(0, 4).every((c) => c.fg === 5)).toBe(true); // magenta
    expect(row.map((c) => c.char).join('').trimEnd()).toHaveLength(40);
  });
});

describe('ascii', () => {
  test('tqdm\'s ASCII bar: # for a full cell, a digit for the tenths of the next', () => {
    expect(renderBar(0.45, 10, true)).toBe('####5     ');
    expect(renderBar(1, 4, true)).toBe('####');
    expect(renderBar(0, 4, true)).toBe('    ');
    expect(renderBar(0.3, 4, true)).toBe('#2  ');
    const line = formatLine(makeSnapshot(), 60, true, { template: undefined, color: undefined, ascii: true, paint: false });
    expect(line).toMatch(/^rows:  42%\|#+\d? +\| 420\/1000 \[00:03<00:05, 123 it\/s\]$/);
    expect(line).toHaveLength(60);
    expect(/^[\x20-\x7e]*$/.test(line)).toBe(true);
  });

  test('on a terminal screen, with the ASCII spinner for an unknown total', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 60, rows: 5 });
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, captureOutput: false, desc: 'rows', ascii: true });
    clock.advance(250);
    bar.update(7);
    expect(internal(bar).line(clock.now, 60, true)).toMatch(/^- rows: 7 it \[00:00, \d+(\.\d+)? it\/s\]$/);
    bar.set({ total: 10 });
    bar.close();
    const screen = await renderScreen(stream.text, 60, 5);
    expect(screen.rows[0]).toMatch(/^rows:  70%\|#+7? +\| 7\/10 \[00:00<\?, \d+(\.\d+)? it\/s\]$/);
  });
});

describe('spinner', () => {
  test('moves with the bar\'s time on a terminal: one frame per 100 ms; none in plain output or once ended', () => {
    const s = (elapsed: number): ReturnType<typeof makeSnapshot> => makeSnapshot({ total: undefined, eta: undefined, elapsed });
    const frames = [0, 0.1, 0.2, 0.25, 0.3, 1.0].map((e) => formatLine(s(e), 60, true).slice(0, 2));
    expect(frames).toEqual(['⠋ ', '⠙ ', '⠹ ', '⠹ ', '⠸ ', '⠋ ']);
    expect(spinnerFrame(0.95)).toBe(SPINNER_FRAMES[9]);
    expect(formatLine(s(0.3), 60, false)).toBe('rows: 420 it [00:00, 123 it/s]');
    expect(formatLine(makeSnapshot({ total: undefined, eta: undefined, outcome: 'done' }), 60, true)).toBe(
      'rows: 420 it [00:03, 123 it/s]',
    );
    // Known total: the default layout has no spinner; a template can ask for one.
    expect(formatLine(makeSnapshot(), 60, true)).toBe(formatLine(makeSnapshot(), 60, false));
    expect(formatLine(makeSnapshot({ elapsed: 0.2 }), 60, true, look('{spinner} {n}/{total}'))).toBe('⠹ 420/1000');
  });

  test('a silent job on a terminal: each frame shows the spinner where the bar\'s time has got to', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 60, rows: 5 });
    const clock = new FakeClock();
    const screens: string[] = [];
    function* slow(): Generator<number> {
      for (let i = 0; i < 6; i++) yield i;
    }
    // A slow sync loop: every item laps and draws a frame, as the keep-alive timer does while an async job is silent.
    for (const _ of progress(slow(), { stream, clock: clock.read, captureOutput: false, desc: 'wait', minInterval: 100 })) {
      clock.advance(130);
      screens.push(stream.text);
    }
    const firsts: string[] = [];
    for (const text of screens) firsts.push(((await renderScreen(text, 60, 5)).rows[0] ?? '').slice(0, 2));
    expect(firsts.every((f) => SPINNER_FRAMES.includes(f[0] as string) && f[1] === ' ')).toBe(true);
    expect(new Set(firsts).size).toBeGreaterThanOrEqual(4);
    expect((await renderScreen(stream.text, 60, 5)).rows[0]).toMatch(/^wait: 6 it \[00:00, \d+(\.\d+)? it\/s\]$/);
  });
});
