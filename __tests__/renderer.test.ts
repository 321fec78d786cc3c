/**
 * The renderer as a person sees it: throttled frames, one write per frame, a clock read far less than once
 * per item, a keep-alive timer, lines that fit the terminal (checked on a real emulator), plain output for
 * logs, and the switches that turn drawing off.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { progress } from '../src/index.js';
import type { Renderer } from '../src/render/renderer.js';
import { rendererFor } from '../src/render/renderer.js';
import { rowsAfterReflow, terminalReflows } from '../src/render/terminal.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { ensureBuilt, fixturesDir } from '../test-support/pty.js';
import { renderCells, renderTty } from '../test-support/screen-cells.js';

const ESC = '\x1b';

function tty(columns = 80, rows = 24): MemoryStream {
  return new MemoryStream({ isTTY: true, columns, rows });
}

/** Options for a bar on `stream` with a fake clock; TTY bars leave process.stdout/stderr alone. */
function opts(stream: MemoryStream, clock: FakeClock): { stream: MemoryStream; clock: () => number; captureOutput: false } {
  return { stream, clock: clock.read, captureOutput: false };
}

/** Sets environment variables for the duration of `fn`. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const restore = (): void => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    restore();
  }
}

describe('throttle', () => {
  test.each([
    [10_000, 1_000, 100],
    [100_000, 5_000, 100],
    [1_000_000, 3_000, 100],
    [1_000, 100_000, 100],
    [50, 10_000, 100],
    [20_000, 2_000, 16],
    [5_000, 60_000, 1_000],
  ])('%i items over %i ms (minInterval %i): at most T/minInterval + 2 writes', (items, ms, minInterval) => {
    const stream = tty();
    const clock = new FakeClock();
    const step = ms / items;
    for (const _ of progress(items, { ...opts(stream, clock), minInterval })) clock.advance(step);
    expect(stream.writes.length).toBeLessThanOrEqual(Math.floor(ms / minInterval) + 2);
    // …and it does draw along the way, not only at the start and the end.
    expect(stream.writes.length).toBeGreaterThanOrEqual(Math.min(items, Math.floor(ms / minInterval)) / 2);
  });

  test('property: any pace, any minInterval, manual or wrapped: at most T/minInterval + 2 writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 400, noNaN: true })), {
          maxLength: 3_000,
        }),
        fc.integer({ min: 1, max: 500 }),
        fc.boolean(),
        (gaps, minInterval, manual) => {
          const stream = tty();
          const clock = new FakeClock();
          if (manual) {
            const bar = progress.bar({ ...opts(stream, clock), minInterval, total: gaps.length });
            for (const gap of gaps) {
              clock.advance(gap);
              bar.update();
            }
            bar.close();
          } else {
            let i = 0;
            for (const _ of progress(gaps, { ...opts(stream, clock), minInterval })) clock.advance(gaps[i++]!);
          }
          expect(stream.writes.length).toBeLessThanOrEqual(Math.floor(clock.now / minInterval) + 2);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('one write per frame, also with two bars on the stream', () => {
    const stream = tty();
    const clock = new FakeClock();
    const a = progress.bar({ ...opts(stream, clock), desc: 'a', total: 5_000 });
    const b = progress.bar({ ...opts(stream, clock), desc: 'b', total: 5_000 });
    const renderer: Renderer = rendererFor(stream, clock.read);
    const frame = renderer.frame.bind(renderer);
    const perFrame: number[] = [];
    renderer.frame = (now: number): void => {
      const before = stream.writes.length;
      frame(now);
      perFrame.push(stream.writes.length - before);
    };
    for (let i = 0; i < 5_000; i++) {
      clock.advance(1);
      a.update();
      if (i % 2 === 0) b.update(2);
    }
    a.close();
    b.close();
    expect(perFrame.length).toBeGreaterThan(10);
    expect(Math.max(...perFrame)).toBe(1);
  });

  test('no write when the frame has not changed', () => {
    const stream = tty();
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), desc: 'idle', total: 10 });
    const renderer = rendererFor(stream, clock.read);
    const writes = stream.writes.length;
    const frames = renderer.frames;
    expect(writes).toBe(1); // the first frame
    for (let i = 0; i < 4; i++) {
      clock.advance(200); // still 00:00, still "? it/s"
      bar.set({});
    }
    expect(renderer.frames).toBeGreaterThan(frames); // frames were drawn…
    expect(stream.writes.length).toBe(writes); // …but nothing was written
    clock.advance(1_000);
    bar.set({});
    expect(stream.writes.length).toBe(writes + 1); // elapsed ticked to 00:01
    bar.close();
  });

  test('the countdown reads the clock at most once per 64 items, and at most about once per 20 µs of loop', () => {
    for (const [items, msPerItem] of [
      [1_000_000, 0.00005], // 20M items/s
      [1_000_000, 0.001], // 1M items/s
      [1_000_000, 0.01], // 100k items/s
    ] as const) {
      let t = 0;
      let reads = 0;
      const clock = (): number => {
        reads++;
        return t;
      };
      const stream = tty();
      const bar = progress.bar({ stream, clock, captureOutput: false, total: items });
      for (let i = 0; i < items; i++) {
        t += msPerItem;
        bar.update();
      }
      bar.close();
      const manualReads = reads;

      reads = 0;
      t = 0;
      for (const _ of progress(items, { stream: tty(), clock, captureOutput: false })) t += msPerItem;
      const loopReads = reads;

      // A read per 64 items at most (a loop that slows down is seen within 64 items: core/pace.ts), and per
      // 20 µs of loop at most where items are slower: a read then costs under 1 % of the loop.
      for (const r of [manualReads, loopReads]) {
        expect(r).toBeLessThan(items / 64 + (items * msPerItem) / 0.02 + 64);
      }
    }
  });
});

describe('keep-alive timer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('draws while no item arrives (TTY)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'clearTimeout', 'performance', 'Date', 'hrtime'] });
    const stream = tty();
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), desc: 'slow', total: 10, minInterval: 100 });
    bar.update();
    const writes = stream.writes.length;
    clock.advance(2_000);
    jest.advanceTimersByTime(100);
    expect(stream.writes.length).toBe(writes + 1);
    clock.advance(3_000);
    jest.advanceTimersByTime(100);
    expect(stream.writes.length).toBe(writes + 2);
    jest.useRealTimers();
    expect((await renderTty(stream.text, 80, 5)).rows[0]!.text).toMatch(/^slow: +10%\|.*\| 1\/10 \[00:05</);
    bar.close();
    expect((await renderTty(stream.text, 80, 5)).cursorVisible).toBe(true); // however the timer hid it
  });

  test('prints a plain status line while idle (not a TTY)', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'clearTimeout', 'performance', 'Date', 'hrtime'] });
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, desc: 'ci', total: 10, plainInterval: 1_000 });
    bar.update(3);
    expect(stream.lines).toEqual([]);
    clock.advance(1_500);
    jest.advanceTimersByTime(1_000);
    expect(stream.lines).toHaveLength(1);
    expect(stream.lines[0]).toMatch(/^ci: +30%\|.*\| 3\/10 \[00:01</);
    bar.close();
  });

  test('the timer stops when the last bar closes and never keeps the process alive', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'clearTimeout', 'performance', 'Date', 'hrtime'] });
    const stream = tty();
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), total: 10 });
    expect(jest.getTimerCount()).toBe(1);
    bar.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();

    const stream2 = tty();
    const real = progress.bar({ ...opts(stream2, new FakeClock()), total: 10 });
    // White-box: the renderer's interval timer must be unref'd.
    const timer = (rendererFor(stream2, () => 0) as unknown as { keepAlive: { timer?: NodeJS.Timeout } }).keepAlive.timer;
    expect(timer).toBeDefined();
    expect(timer!.hasRef()).toBe(false);
    real.close();
  });
});

describe('terminal output on an emulator', () => {
  async function runRows(desc: string, cols: number): Promise<{ mid: string; final: string; stream: MemoryStream }> {
    const stream = tty(cols, 10);
    const clock = new FakeClock();
    const it = progress(1_000, { ...opts(stream, clock), desc });
    let mid = '';
    for (const i of it) {
      clock.advance(7);
      if (i === 500) mid = stream.text;
    }
    return { mid, final: stream.text, stream };
  }

  test.each([20, 40, 80, 120])('at %i columns the line fits, never wraps, and ends at 100%%', async (cols) => {
    const { mid, final } = await runRows('rows', cols);
    for (const bytes of [mid, final]) {
      const cells = await renderCells(bytes, cols, 10);
      const used = cells.filter((r) => r.text !== '');
      expect(used).toHaveLength(1);
      expect(cells.some((r) => r.wrapped)).toBe(false);
      expect(used[0]!.extent).toBeLessThanOrEqual(cols);
    }
    const screen = await renderTty(final, cols, 10);
    expect(screen.text).toMatch(/^(rows: )?(100%|1000\/1000)/); // at 20 columns the counts say it
    if (cols >= 80) expect(screen.text).toMatch(/^rows: 100%\|█+\| 1000\/1000 \[00:07<00:00, 143 it\/s\]$/);
  });

  test('a CJK desc aligns with an ASCII one: both lines end in the same column', async () => {
    for (const cols of [40, 60, 80, 120]) {
      const stream = tty(cols, 10);
      const clock = new FakeClock();
      const a = progress.bar({ ...opts(stream, clock), desc: 'rows', total: 100 });
      const b = progress.bar({ ...opts(stream, clock), desc: '数据处理', total: 100 });
      for (let i = 0; i < 42; i++) {
        clock.advance(100);
        a.update();
        b.update();
      }
      clock.advance(100);
      a.set({}); // a frame with both at 42
      const cells = await renderCells(stream.text, cols, 10);
      expect(cells[0]!.text.startsWith('rows: ')).toBe(true);
      expect(cells[1]!.text.startsWith('数据处理: ')).toBe(true);
      expect(cells.some((r) => r.wrapped)).toBe(false);
      expect(cells[0]!.extent).toBeLessThanOrEqual(cols);
      expect(cells[1]!.extent).toBeLessThanOrEqual(cols);
      if (cols >= 60) {
        // Both have a bar, which takes up the difference in desc width: the lines end in the same cell.
        expect(cells[0]!.extent).toBe(cols - 1);
        expect(cells[1]!.extent).toBe(cols - 1);
        // …and the bar's right edge is in the same cell (the CJK desc takes 8 cells, 'rows' 4).
        expect(cells[1]!.cells.lastIndexOf('|')).toBe(cells[0]!.cells.lastIndexOf('|'));
        expect(cells[1]!.cells.indexOf('|')).toBe(cells[0]!.cells.indexOf('|') + 4);
      }
      a.close();
      b.close();
    }
  });

  test('emoji and very long descs never wrap', async () => {
    for (const desc of ['🚀👍🏽 deploy', '数据处理'.repeat(30), 'x'.repeat(500)]) {
      for (const cols of [10, 20, 40, 80]) {
        const stream = tty(cols, 10);
        const clock = new FakeClock();
        for (const _ of progress(30, { ...opts(stream, clock), desc })) clock.advance(50);
        const cells = await renderCells(stream.text, cols, 10);
        expect(cells.some((r) => r.wrapped)).toBe(false);
        expect(cells.filter((r) => r.text !== '')).toHaveLength(1);
      }
    }
  });

  test('leave: false leaves no line; the cursor is visible at the end', async () => {
    const stream = tty(80, 10);
    const clock = new FakeClock();
    for (const _ of progress(20, { ...opts(stream, clock), desc: 'temp', leave: false })) clock.advance(30);
    expect(stream.writes.length).toBeGreaterThan(1);
    const screen = await renderTty(stream.text, 80, 10);
    expect(screen.text).toBe('');
    expect(screen.cursorVisible).toBe(true);
  });

  test('two bars on one stream draw as two lines, live and after closing', async () => {
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const a = progress.bar({ ...opts(stream, clock), desc: 'first', total: 10 });
    const b = progress.bar({ ...opts(stream, clock), desc: 'second', total: 20 });
    for (let i = 0; i < 10; i++) {
      clock.advance(150);
      a.update();
      b.update(2);
    }
    const live = await renderTty(stream.text, 80, 10);
    expect(live.text.split('\n')).toHaveLength(2);
    expect(live.rows[0]!.text).toMatch(/^first: +\d+%\|█+/);
    expect(live.rows[1]!.text).toMatch(/^second: +\d+%\|█+/);
    a.close();
    b.close();
    const done = await renderTty(stream.text, 80, 10);
    const lines = done.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => /^first: 100%\|█+\| 10\/10 /.test(l))).toBe(true);
    expect(lines.some((l) => /^second: 100%\|█+\| 20\/20 /.test(l))).toBe(true);
  });

  test('a bar closing while another runs: its final line stays above, the other keeps drawing below', async () => {
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const a = progress.bar({ ...opts(stream, clock), desc: 'short', total: 2 });
    const b = progress.bar({ ...opts(stream, clock), desc: 'long', total: 10 });
    clock.advance(200);
    a.update(2);
    a.close();
    for (let i = 0; i < 5; i++) {
      clock.advance(200);
      b.update();
    }
    const screen = await renderTty(stream.text, 80, 10);
    const lines = screen.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^short: 100%\|/);
    expect(lines[1]).toMatch(/^long: +50%\|/);
    b.close();
  });
});

describe('plain output (not a terminal)', () => {
  test('not a single ESC or \\r byte; a line per plainInterval; always the final line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(100, { stream, clock: clock.read, desc: 'ci', plainInterval: 1_000 })) clock.advance(100);
    expect(stream.text).not.toContain(ESC);
    expect(stream.text).not.toContain('\r');
    for (const w of stream.writes) expect(w.endsWith('\n')).toBe(true);
    const lines = stream.lines;
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/^ci: 100%\|█+\| 100\/100 \[00:10<00:00, 10\.0 it\/s\]$/);
    expect(lines[0]).toMatch(/^ci: +\d+%\|/);
  });

  test('the default interval is long (10 s); Infinity writes only the final line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(250, { stream, clock: clock.read })) clock.advance(100);
    expect(stream.lines).toHaveLength(3); // at 10 s, 20 s, and the final line at 25 s

    const once = new MemoryStream();
    for (const _ of progress(250, { stream: once, clock: clock.read, plainInterval: Infinity })) clock.advance(100);
    expect(once.lines).toHaveLength(1);
    expect(once.lines[0]).toMatch(/100%/);
  });

  test('a fast loop writes only the final line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(new Array(100_000).fill(0), { stream, clock: clock.read })) clock.advance(0.01);
    expect(stream.writes).toHaveLength(1);
    expect(stream.lines[0]).toMatch(/^100%\|█+\| 100k\/100k \[00:0[01]<00:00, 100k it\/s\]$/);
  });

  test('failed and unknown-total bars, wide and control-laden descs: still no ESC or \\r', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    function* failing(): Generator<number> {
      yield 1;
      clock.advance(20_000);
      yield 2;
      throw new Error('x');
    }
    expect(() => {
      for (const _ of progress(failing(), { stream, clock: clock.read, desc: '数据\x1b[31m\r\n🚀' }));
    }).toThrow('x');
    const text = stream.text;
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\r');
    expect(stream.lines.at(-1)).toMatch(/^数据 🚀: ✗ 2 it \[00:20, /);
  });

  test('TERM=dumb on a TTY counts as not a terminal', () => {
    withEnv({ TERM: 'dumb' }, () => {
      const stream = tty();
      const clock = new FakeClock();
      for (const _ of progress(50, { ...opts(stream, clock), desc: 'dumb' })) clock.advance(100);
      expect(stream.text).not.toContain(ESC);
      expect(stream.text).not.toContain('\r');
      expect(stream.lines.at(-1)).toMatch(/^dumb: 100%\|█+\| 50\/50 /);
    });
  });
});

describe('turning drawing off', () => {
  test.each(['1', 'true', 'yes'])('TAQADDUM_DISABLE=%s: nothing written, everything yielded', (value) => {
    withEnv({ TAQADDUM_DISABLE: value }, () => {
      const stream = tty();
      const clock = new FakeClock();
      const rows = Array.from({ length: 1_000 }, (_, i) => i * 2);
      const seen: number[] = [];
      const it = progress(rows, { ...opts(stream, clock), desc: 'off' });
      for (const x of it) {
        clock.advance(10);
        seen.push(x);
      }
      expect(seen).toEqual(rows);
      expect(it.bar.n).toBe(1_000);
      const bar = progress.bar({ ...opts(stream, clock), total: 3 });
      bar.update(3);
      bar.close();
      expect(stream.writes).toEqual([]);
    });
  });

  test.each(['', '0', 'false'])('TAQADDUM_DISABLE=%p does not disable', (value) => {
    withEnv({ TAQADDUM_DISABLE: value }, () => {
      const stream = new MemoryStream();
      for (const _ of progress(3, { stream })) {
        // nothing
      }
      expect(stream.lines).toHaveLength(1);
    });
  });

  test('disable: true: nothing written, everything yielded, sync and async', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const seen = [...progress(new Set(['a', 'b']), { ...opts(stream, clock), disable: true })];
    expect(seen).toEqual(['a', 'b']);
    async function* gen(): AsyncGenerator<number> {
      yield 1;
      yield 2;
    }
    const out: number[] = [];
    const it = progress(gen(), { ...opts(stream, clock), disable: true });
    for await (const x of it) out.push(x);
    expect(out).toEqual([1, 2]);
    expect(it.bar.n).toBe(2);
    expect(it.bar.isClosed).toBe(true);
    expect(stream.writes).toEqual([]);
  });
});

describe('text printed above the bars (progress.write, captured console output)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });
  /** Fakes the renderer's timers (the keep-alive interval and the timer that brings the bars back). */
  const fakeTimers = (): void => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'performance', 'Date', 'hrtime'] });
  };
  const count = (text: string, part: string): number => text.split(part).length - 1;

  test('1,000 lines within one minInterval: each written at once and in order; the bars redrawn at most once', async () => {
    fakeTimers();
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), desc: 'busy', total: 10, minInterval: 100 });
    bar.update();
    const renderer = rendererFor(stream, clock.read);
    expect(stream.text).toContain('busy:');
    const frames = renderer.frames;
    const before = stream.writes.length;
    let lineBytes = 0;
    for (let i = 0; i < 1_000; i++) {
      clock.advance(1 / 32); // 1,000 lines in 31.25 ms
      progress.write(`line ${i}`, { stream });
      lineBytes += `line ${i}\n`.length;
      expect(stream.writes.at(-1)).toContain(`line ${i}\n`); // written at once, by the call itself
    }
    const during = stream.writes.slice(before).join('');
    // At most one new frame, and the bars put back as they were once (under the first line).
    expect(renderer.frames - frames).toBeLessThanOrEqual(1);
    expect(count(during, 'busy:')).toBeLessThanOrEqual(2);
    expect([...during.matchAll(/line (\d+)\n/g)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    // The bytes are the lines', plus erasing the frame and drawing it at most twice.
    expect(during.length).toBeLessThan(lineBytes + 400);

    // The bars come back when the next frame is due, without an item or another line to prompt them.
    const framesBefore = renderer.frames;
    clock.advance(68.75); // the first frame was at 0
    jest.advanceTimersByTime(100);
    expect(renderer.frames).toBe(framesBefore + 1);
    jest.useRealTimers();
    const screen = await renderTty(stream.text, 80, 10);
    // 10 rows: the last lines, the bar, and the row the cursor waits on.
    expect(screen.text.split('\n')).toEqual([...Array.from({ length: 8 }, (_, i) => `line ${992 + i}`), expect.stringMatching(/^busy: +10%\|/)]);
    bar.close();
    const done = await renderTty(stream.text, 80, 10);
    expect(done.text.split('\n').at(-1)).toMatch(/^busy: +10%\|.*\| 1\/10 /);
    expect(count(done.text, 'busy:')).toBe(1);
  });

  test('a line now and then, even just after a frame: the bars are back below it in the same write', async () => {
    fakeTimers();
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), desc: 'slow', total: 10, minInterval: 100 });
    for (let i = 0; i < 5; i++) {
      clock.advance(150);
      bar.update(); // draws a frame: the line below comes 1 ms after it, when no frame is due
      clock.advance(1);
      const writes = stream.writes.length;
      progress.write(`step ${i}`, { stream });
      expect(stream.writes.length).toBe(writes + 1);
      expect(stream.writes.at(-1)).toMatch(new RegExp(`step ${i}\\n[^]*slow: +${(i + 1) * 10}%`));
    }
    jest.useRealTimers();
    const screen = await renderTty(stream.text, 80, 10);
    expect(screen.text.split('\n')).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4', expect.stringMatching(/^slow: +50%/)]);
    bar.close();
  });

  test('minInterval 1e10 ("never redraw"): after a burst of lines the bars are back, as they were, within a second', async () => {
    fakeTimers();
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const bar = progress.bar({ ...opts(stream, clock), desc: 'never', total: 10, minInterval: 1e10 });
    bar.update(3); // no frame: the one drawn when the bar opened (0/10) stays
    progress.write('one', { stream }); // the bars are put back below it
    expect(stream.writes.at(-1)).toMatch(/one\n[^]*never:/);
    progress.write('two', { stream }); // …but not twice within the interval: they are off now
    expect(stream.writes.at(-1)).not.toContain('never:');
    clock.advance(1_000);
    jest.advanceTimersByTime(1_000);
    expect(stream.writes.at(-1)).toContain('never:');
    jest.useRealTimers();
    expect((await renderTty(stream.text, 80, 10)).text.split('\n')).toEqual(['one', 'two', expect.stringMatching(/^never: +0%.* 0\/10 /)]);
    bar.close();
    expect((await renderTty(stream.text, 80, 10)).text.split('\n')).toEqual(['one', 'two', expect.stringMatching(/^never: +30%.* 3\/10 /)]);
  });

  test('a bar closing, then text before the next frame: its final line comes first, nothing is lost', async () => {
    fakeTimers();
    const stream = tty(80, 10);
    const clock = new FakeClock();
    const a = progress.bar({ ...opts(stream, clock), desc: 'first', total: 2, minInterval: 100 });
    const b = progress.bar({ ...opts(stream, clock), desc: 'second', total: 2, minInterval: 100 });
    a.update(2);
    a.close(); // no frame due: its final line waits for the next one
    progress.write('after first', { stream });
    expect(stream.text).toContain('after first');
    clock.advance(100);
    jest.advanceTimersByTime(100);
    jest.useRealTimers();
    const screen = await renderTty(stream.text, 80, 10);
    expect(screen.text.split('\n')).toEqual([expect.stringMatching(/^first: 100%/), 'after first', expect.stringMatching(/^second: +0%/)]);
    b.close();
  });
});

describe('output capture in a fresh process', () => {
  test('stdout and stderr piped: a bar on a terminal stream of its own neither makes nor captures them', () => {
    ensureBuilt();
    // Node makes process.stdout/stderr (and loads its whole stream stack, ~10 ms) on first read: a pipe
    // cannot be a terminal, so the bar's capture never reads them. The program's own write still goes out.
    const script =
      `import(${JSON.stringify(join(fixturesDir, '..', '..', 'dist', 'index.js'))}).then(async ({ progress }) => {` +
      ' const stream = { isTTY: true, columns: 100, rows: 40, write() { return true; } };' +
      ' const bar = progress.bar({ stream, total: 2 }); bar.update(); bar.close();' +
      " const made = process.moduleLoadList.includes('NativeModule stream');" +
      " process.stdout.write(JSON.stringify({ made }) + '\\n'); })";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ made: false });
  });
});

describe('timers', () => {
  const cases = [
    ['minInterval 1e10 (never redraw)', { minInterval: 1e10 }],
    ['minInterval 2^31 ms', { minInterval: 2 ** 31 }],
    ['minInterval 1e10, plainInterval Infinity', { minInterval: 1e10, plainInterval: Infinity }],
    ['plainInterval Infinity', { plainInterval: Infinity }],
    ['plainInterval 1e12', { plainInterval: 1e12 }],
  ] as const;

  test('very long intervals print no warning (TimeoutOverflowWarning), on a terminal or not', () => {
    // In a process of its own: Node emits its warnings on the real `process`, which Jest's sandbox hides.
    ensureBuilt();
    const json = JSON.stringify({ cases: cases.map(([, o]) => o) }, (_, v: unknown) => (v === Infinity ? 'Infinity' : v));
    const r = spawnSync(process.execPath, [join(fixturesDir, 'huge-intervals.js'), json], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ warnings: [] });
  }, 180_000);

  test.each(cases)('%s: the keep-alive timer is not left firing every millisecond', (_, extra) => {
    for (const stream of [tty(), new MemoryStream()]) {
      const clock = new FakeClock();
      const bar = progress.bar({ ...opts(stream, clock), desc: 'huge', total: 10, ...extra });
      bar.update();
      // White-box: the timer's delay (Node puts 1 ms in place of one too long for it).
      const timer = (rendererFor(stream, clock.read) as unknown as { keepAlive: { timer?: { _idleTimeout?: number } } }).keepAlive.timer;
      expect(timer?._idleTimeout ?? Infinity).toBeGreaterThanOrEqual(16);
      bar.close();
    }
  });
});

describe('deep nesting', () => {
  /** A recursive function with a loop at each level, as a program walking a deep tree would be. */
  function bare(depth: number): number {
    if (depth === 0) return 0;
    let s = 0;
    for (const _ of [0]) s += 1 + bare(depth - 1);
    return s;
  }

  test('5,000 nested loops with a bar each: no stack overflow where the bare nested loop survives', async () => {
    const depth = 5_000;
    expect(bare(depth)).toBe(depth);
    const stream = tty(80, 24);
    const clock = new FakeClock();
    let lastFrameDown = '';
    function nested(d: number): number {
      if (d === 0) {
        lastFrameDown = stream.writes.at(-1) ?? '';
        return 0;
      }
      let s = 0;
      // A frame every 1,000 levels on the way down (drawing 5,000 frames of up to 5,000 bars is slow here).
      for (const _ of progress([0], { ...opts(stream, clock), desc: `level ${depth - d}`, minInterval: 1_000 })) {
        clock.advance(1);
        s += 1 + nested(d - 1);
      }
      return s;
    }
    expect(nested(depth)).toBe(depth);
    // Deep down, the frame was cut to the screen with a "… N more" line.
    expect(lastFrameDown).toMatch(/\n… \d{4} more\n/);
    const screen = await renderTty(stream.text, 80, 24);
    expect(screen.text).toMatch(/^level 0: 100%\|█+\| 1\/1 /);
    expect(screen.text.split('\n')).toHaveLength(1);
  });
});

describe('after a resize (pure helpers)', () => {
  test('rows a line takes once a terminal re-wraps it', () => {
    expect(rowsAfterReflow('x'.repeat(79), 80)).toBe(1);
    expect(rowsAfterReflow('x'.repeat(79), 40)).toBe(2);
    expect(rowsAfterReflow('x'.repeat(80), 40)).toBe(2);
    expect(rowsAfterReflow('x'.repeat(81), 40)).toBe(3);
    expect(rowsAfterReflow('', 40)).toBe(1);
    expect(rowsAfterReflow(`\u001B[31m${'x'.repeat(40)}\u001B[39m`, 40)).toBe(1); // colour codes take no cell
    // A wide character left with one cell at the end of a row starts the next one.
    expect(rowsAfterReflow(`x${'数'.repeat(20)}`, 40)).toBe(2); // 41 cells: 39 + the 20th 数 on row 2
    expect(rowsAfterReflow(`x${'数'.repeat(10)}${'y'.repeat(59)}`, 20)).toBe(5); // 80 cells, yet 5 rows of 20
    expect(rowsAfterReflow(`${'数'.repeat(10)}${'y'.repeat(60)}`, 20)).toBe(4);
  });

  test('a terminal is taken to re-wrap only when it says it is one that does', () => {
    expect(terminalReflows({})).toBe(false);
    expect(terminalReflows({ TERM: 'xterm-256color' })).toBe(false);
    expect(terminalReflows({ TERM_PROGRAM: 'vscode' })).toBe(true);
    expect(terminalReflows({ TERM_PROGRAM: 'iTerm.app' })).toBe(true);
    expect(terminalReflows({ VTE_VERSION: '7600' })).toBe(true);
    expect(terminalReflows({ VTE_VERSION: '3803' })).toBe(false);
    expect(terminalReflows({ KITTY_WINDOW_ID: '1' })).toBe(true);
    expect(terminalReflows({ TMUX: '/tmp/tmux-1000/default,1,0' })).toBe(true);
    // The inner terminal decides: tmux inside xterm re-wraps; GNU screen or xterm inside iTerm2 do not.
    expect(terminalReflows({ TMUX: '/tmp/t', XTERM_VERSION: 'XTerm(390)' })).toBe(true);
    expect(terminalReflows({ STY: '1.pts-0.host', TERM_PROGRAM: 'iTerm.app' })).toBe(false);
    expect(terminalReflows({ XTERM_VERSION: 'XTerm(390)', TERM_PROGRAM: 'iTerm.app' })).toBe(false);
    expect(terminalReflows({ TERM: 'linux' })).toBe(false);
  });
});
