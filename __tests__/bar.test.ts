/**
 * The manual bar: `progress.bar(options)` with update/set/close/`using`, and its read-only getters.
 */
import { describe, expect, test } from '@jest/globals';
import { ProgressBar } from '../src/bar.js';
import { type Bar, progress } from '../src/index.js';
import { expectType, type IsExact } from '../test-support/expect-type.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';

function setup(tty = false): { stream: MemoryStream; clock: FakeClock; options: { stream: MemoryStream; clock: () => number } } {
  const stream = tty ? new MemoryStream({ isTTY: true, columns: 80, rows: 10 }) : new MemoryStream();
  const clock = new FakeClock();
  return { stream, clock, options: { stream, clock: clock.read } };
}

test('the public Bar type shows the documented API only (README: progress.bar)', () => {
  type Documented =
    | 'n' | 'total' | 'desc' | 'elapsed' | 'rate' | 'isClosed'
    | 'update' | 'set' | 'reset' | 'refresh' | 'clear' | 'share' | 'close' | typeof Symbol.dispose;
  expectType<IsExact<keyof Bar, Documented>>();
  expectType<IsExact<ReturnType<typeof progress.bar>, Bar>>();
});

describe('progress.bar', () => {
  test('is a started Bar, also reachable as progress.bar', () => {
    const { options } = setup();
    const bar = progress.bar({ ...options, total: 10 });
    expect(bar).toBeInstanceOf(ProgressBar);
    expect(bar.n).toBe(0);
    expect(bar.total).toBe(10);
    expect(bar.isClosed).toBe(false);
    bar.close();
  });

  test('update(n) adds n, update() adds 1; fractional and negative steps are allowed', () => {
    const { options } = setup();
    const bar = progress.bar({ ...options, total: 100 });
    bar.update(5);
    bar.update();
    bar.update(0.5);
    bar.update(-1.5);
    expect(bar.n).toBe(5);
    bar.close();
  });

  test('initial sets the starting count', () => {
    const { options, clock } = setup();
    const bar = progress.bar({ ...options, total: 100, initial: 40 });
    expect(bar.n).toBe(40);
    clock.advance(1_000);
    bar.update(10);
    expect(bar.rate).toBeCloseTo(10, 9); // progress made here, not the initial count
    bar.close();
    expect(bar.n).toBe(50);
  });

  test('set() changes desc, total and postfix, and they show in the line', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'upload', total: 10 });
    bar.update(4);
    clock.advance(2_000);
    bar.set({ desc: 'upload (retry)', total: 8, postfix: { retries: 1, loss: 0.123456 } });
    expect(bar.desc).toBe('upload (retry)');
    expect(bar.total).toBe(8);
    bar.set({ postfix: 'plain text' });
    bar.update(4);
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^upload \(retry\): 100%\|█+\| 8\/8 \[00:02<00:00, 4\.00 it\/s, plain text\]$/);
  });

  test('set({ total: undefined }) makes the total unknown; set({}) changes nothing', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'd', total: 10, postfix: { a: 1 } });
    bar.set({});
    expect(bar.total).toBe(10);
    bar.set({ total: undefined });
    expect(bar.total).toBeUndefined();
    bar.update(3);
    clock.advance(1_000);
    bar.close();
    expect(stream.lines.at(-1)).toBe('d: 3 it [00:01, 3.00 it/s, a=1]');
  });

  test('getters: elapsed and rate follow the clock; rate is undefined before any progress', () => {
    const { options, clock } = setup();
    const bar = progress.bar({ ...options, total: 100 });
    expect(bar.elapsed).toBe(0);
    expect(bar.rate).toBeUndefined();
    clock.advance(1_500);
    expect(bar.elapsed).toBe(1.5);
    expect(bar.rate).toBeUndefined();
    bar.update(30);
    expect(bar.rate).toBeCloseTo(20, 9);
    clock.advance(500);
    bar.update(10);
    expect(bar.elapsed).toBe(2);
    expect(bar.rate).toBeCloseTo(20, 9);
    bar.close();
  });

  test('close(): elapsed frozen, rate becomes the overall average', () => {
    const { options, clock } = setup();
    const bar = progress.bar({ ...options, total: 100 });
    clock.advance(1_000);
    bar.update(90); // a burst…
    clock.advance(9_000); // …then a long wait
    bar.update(10);
    bar.close();
    expect(bar.isClosed).toBe(true);
    expect(bar.elapsed).toBe(10);
    expect(bar.rate).toBeCloseTo(10, 9);
    clock.advance(60_000);
    expect(bar.elapsed).toBe(10);
    expect(bar.rate).toBeCloseTo(10, 9);
  });

  test('close() is idempotent: one final line, nothing more written', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'job', total: 2 });
    bar.update(2);
    clock.advance(1_000);
    bar.close();
    const written = stream.text;
    expect(stream.lines).toEqual(['job: 100%|' + '█'.repeat(40) + '| 2/2 [00:01<00:00, 2.00 it/s]']);
    bar.close();
    bar[Symbol.dispose]();
    clock.advance(5_000);
    bar.close();
    expect(stream.text).toBe(written);
  });

  test('`using` closes the bar at the end of the block', () => {
    const { options, stream, clock } = setup();
    let kept: Bar | undefined;
    {
      using bar = progress.bar({ ...options, desc: 'scoped', total: 3 });
      kept = bar;
      bar.update(3);
      clock.advance(3_000);
      expect(bar.isClosed).toBe(false);
    }
    expect(kept.isClosed).toBe(true);
    expect(stream.lines.at(-1)).toMatch(/^scoped: 100%\|█+\| 3\/3 \[00:03<00:00, 1\.00 it\/s\]$/);
  });

  test('`using` also closes the bar when the block throws', () => {
    const { options } = setup();
    let kept: Bar | undefined;
    expect(() => {
      using bar = progress.bar({ ...options, total: 3 });
      kept = bar;
      throw new Error('inside');
    }).toThrow('inside');
    expect(kept?.isClosed).toBe(true);
  });

  test('on a terminal: the manual bar is drawn in place and ends at 100%', async () => {
    const { options, stream, clock } = setup(true);
    const bar = progress.bar({ ...options, desc: 'upload', total: 4_200_000, unit: 'B', captureOutput: false });
    for (let i = 0; i < 42; i++) {
      clock.advance(50);
      bar.update(100_000);
    }
    const mid = await renderScreen(stream.text, 80, 10);
    expect(mid.rows[0]).toMatch(/^upload: +\d+%\|/);
    bar.close();
    const screen = await renderScreen(stream.text, 80, 10);
    expect(screen.text).toMatch(/^upload: 100%\|█+\| 4\.20 MB\/4\.20 MB \[00:02<00:00, 2\.00 MB\/s\]$/);
  });

  test('leave: false erases the final line', async () => {
    const { options, stream } = setup(true);
    const bar = progress.bar({ ...options, desc: 'temp', total: 2, leave: false, captureOutput: false });
    bar.update(1);
    bar.close();
    expect((await renderScreen(stream.text, 80, 10)).text).toBe('');
  });
});
