/**
 * Stuck work made visible: `stalled 42s` when nothing has settled for `stallAfter`, and the report of
 * what was still pending when a bar closes unfinished (oldest first, a handful at most).
 */
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { asCompleted, gather, map } from '../src/index.js';
import type { Snapshot } from '../src/core/state.js';
import { formatLine, formatStall } from '../src/format/line.js';
import { displayWidth } from '../src/format/width.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { makeSnapshot } from '../test-support/snapshot.js';
import { deferred, flush, never } from '../test-support/tasks.js';
import { drawnLine, internal } from '../test-support/bar-internals.js';

afterEach(() => {
  jest.useRealTimers();
});

describe('the stall line', () => {
  test('on screen: a gather whose last inputs hang says so after stallAfter', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 12 });
    const clock = new FakeClock();
    const p = gather([Promise.resolve('a'), never(), never()], { desc: 'fetch', stream, clock: clock.read });
    await flush();
    clock.advance(9_000);
    jest.advanceTimersByTime(200); // the renderer's keep-alive timer draws a frame
    const before = stream.text;
    clock.advance(33_000);
    jest.advanceTimersByTime(200);
    const after = stream.text;
    jest.useRealTimers(); // the emulator needs real timers
    const early = await renderScreen(before.replace(/\r?\n/g, '\r\n'), 80, 12);
    expect(early.rows[0]).toMatch(/^fetch: +33%\|.*\| 1\/3 \[00:09<[^\]]*\]$/);
    expect(early.rows[0]).not.toMatch(/stalled/);
    const late = await renderScreen(after.replace(/\r?\n/g, '\r\n'), 80, 12);
    expect(late.rows[0]).toMatch(/^fetch: +33%\|.*\| 1\/3 \[00:42<[^\]]*, 2 pending, 2 slow, stalled 42s\]$/);
    // Stalled, and both waited more than 10 s and 4 × the settle time of the first: named under the bar.
    expect(late.rows.slice(1, 3)).toEqual(['  #1  waiting 42s', '  #2  waiting 42s']);
    void p;
  });

  test('asCompleted: the stall clears when something settles, and shows again after a new silence', async () => {
    const clock = new FakeClock();
    const late = deferred<number>();
    const it = asCompleted([late.promise, never()], { stream: new MemoryStream(), clock: clock.read, stallAfter: 5000 });
    clock.advance(4999);
    expect(drawnLine(it.bar, clock.now, 80)).not.toMatch(/stalled/);
    clock.advance(1);
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/, 2 pending, stalled 5s\]$/);
    late.resolve(1);
    await flush();
    expect(drawnLine(it.bar, clock.now, 80)).not.toMatch(/stalled/);
    clock.advance(65_000);
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/ 1\/2 \[[^\]]*, 1 pending, 1 slow, stalled 1m05s\]$/);
    await it.return?.();
  });

  test('a burst, then a slow trickle: no stall is claimed while tasks still settle', async () => {
    const clock = new FakeClock();
    const trickle = [deferred<number>(), deferred<number>()];
    const burst = Array.from({ length: 5000 }, (_, i) => Promise.resolve(i));
    const it = asCompleted([...burst, ...trickle.map((d) => d.promise), never()], {
      stream: new MemoryStream(),
      clock: clock.read,
    });
    await flush(); // 5000 settle at the same instant: the bar's countdown is now loaded for thousands
    clock.advance(9_000);
    trickle[0]?.resolve(0);
    await flush();
    clock.advance(9_000);
    expect(drawnLine(it.bar, clock.now, 100)).not.toMatch(/stalled/);
    trickle[1]?.resolve(1);
    await flush();
    clock.advance(9_000);
    expect(drawnLine(it.bar, clock.now, 100)).not.toMatch(/stalled/);
    clock.advance(2_000);
    expect(drawnLine(it.bar, clock.now, 100)).toMatch(/ 5002\/5003 \[[^\]]*, 1 pending, 1 slow, stalled 11s\]$/);
    await it.return?.();
  });

  test('map: the count running and how long nothing has finished', async () => {
    const clock = new FakeClock();
    const it = map([1, 2, 3, 4], (x) => (x === 1 ? x : never()), {
      concurrency: 2,
      desc: 'convert',
      stream: new MemoryStream(),
      clock: clock.read,
    });
    const first = it.next();
    await flush();
    expect(await first).toEqual({ value: 1, done: false });
    clock.advance(42_000);
    expect(drawnLine(it.bar, clock.now, 90)).toMatch(/^convert: +25%\|.*\| 1\/4 \[00:42<[^\]]*, 2 running, 2 slow, stalled 42s\]$/);
    await it.return?.();
  });

  test('stallAfter: false never says it; a closed bar never does', async () => {
    const clock = new FakeClock();
    const off = asCompleted([never()], { stallAfter: false, stream: new MemoryStream(), clock: clock.read });
    clock.advance(3_600_000);
    expect(drawnLine(off.bar, clock.now, 80)).not.toMatch(/stalled/);
    await off.return?.();
    const closed = asCompleted([never()], { stallAfter: 0, stream: new MemoryStream(), clock: clock.read });
    expect(drawnLine(closed.bar, clock.now, 80)).toMatch(/stalled <1s/);
    await closed.return?.();
    clock.advance(10_000);
    expect(drawnLine(closed.bar, clock.now, 80)).not.toMatch(/stalled/);
  });

  test('plain output (a CI log): the periodic status line carries the stall', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const p = gather([never()], { desc: 'job', stream, clock: clock.read, plainInterval: 30_000 });
    clock.advance(30_000);
    jest.advanceTimersByTime(2_000);
    // Nothing has settled, so nothing is slow yet; stalled, the bar names what it waits for.
    expect(stream.lines).toEqual([
      expect.stringMatching(/^job: +0%\|.*\| 0\/1 \[00:30<\?, \? it\/s, 1 pending, stalled 30s\]$/),
      '  #0  waiting 30s',
    ]);
    void p;
  });

  test('formatStall', () => {
    expect([0, 9.9, 42, 60, 65, 3599, 3600, 7260].map(formatStall)).toEqual([
      '<1s',
      '9s',
      '42s',
      '1m00s',
      '1m05s',
      '59m59s',
      '1h00m',
      '2h01m',
    ]);
  });

  test('property: a task line never exceeds its width, and the status outlives the timings', () => {
    const tasks = fc.record({
      running: fc.option(fc.nat(10_000), { nil: undefined }),
      pending: fc.nat(1_000_000),
      failed: fc.nat(1_000_000),
      stalled: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(tasks, fc.integer({ min: 1, max: 160 }), fc.constantFrom('running', 'failed', 'done'), fc.string(), (t, width, outcome, desc) => {
        const s: Snapshot = makeSnapshot({ tasks: t, outcome: outcome as Snapshot['outcome'], desc });
        expect(displayWidth(formatLine(s, width))).toBeLessThanOrEqual(width);
      }),
      { numRuns: 400 },
    );
    const narrow = formatLine(makeSnapshot({ desc: '', tasks: { running: 8, pending: 8, failed: 3, stalled: 42 } }), 50);
    expect(narrow).toBe(' 42% 420/1000 [8 running, 3 failed, stalled 42s]');
  });
});

describe('the pending report', () => {
  test('oldest first, by the time each call started', async () => {
    const clock = new FakeClock();
    const stream = new MemoryStream();
    const quick = deferred<number>();
    const it = map(
      ['a', 'b', 'c'],
      (x) => (x === 'b' ? quick.promise : never<number>()),
      { concurrency: 2, stream, clock: clock.read, label: (x) => `file-${x}` },
    );
    void it.next();
    await flush();
    clock.advance(6_000);
    quick.resolve(1); // #1 ends; #2 starts now
    await flush();
    clock.advance(4_000);
    await it.return?.();
    expect(stream.lines.slice(-3)).toEqual(['  2 still pending, oldest first:', '    #0  10s  file-a', '    #2   4s  file-c']);
  });

  test('at process exit an open bar is closed with its report', async () => {
    const stream = new MemoryStream();
    const it = asCompleted([Promise.resolve(1), never(), never()], { desc: 'jobs', stream });
    await flush();
    internal(it.bar).closeAtExit();
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^jobs: +33%\|.*\| 1\/3 \[/),
      '  2 still pending, oldest first:',
      '    #1  <1s',
      '    #2  <1s',
    ]);
  });

  test('a label that throws falls back to the index', async () => {
    const stream = new MemoryStream();
    const it = asCompleted([never()], {
      stream,
      label: () => {
        throw new Error('bad label');
      },
    });
    await it.return?.();
    expect(stream.lines.slice(-2)).toEqual(['  1 still pending:', '    #0  <1s']);
  });

  test('a bar that finished has no report; leave: false keeps the report but not the line', async () => {
    const stream = new MemoryStream();
    await gather([1, 2], { stream });
    expect(stream.lines.join('\n')).not.toMatch(/pending/);
    const quiet = new MemoryStream();
    const it = asCompleted([never()], { stream: quiet, leave: false, desc: 'gone' });
    await it.return?.();
    expect(quiet.lines).toEqual(['  1 still pending:', '    #0  <1s']);
  });
});
