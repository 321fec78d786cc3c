/**
 * Stragglers: inputs pending far longer than those that settled are counted (`3 slow`) while the rest of
 * the job moves, and the oldest are named under the bar (`  #17 https://…  waiting 42s`) until they settle;
 * in a log, after each status line.
 */
import { afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { asCompleted, gather, map, progress } from '../src/index.js';
import { SettleTimes } from '../src/core/settle-times.js';
import { formatWaitingLine } from '../src/promises/stragglers.js';
import type { TaskProgressBar } from '../src/promises/task-bar.js';
import { displayWidth } from '../src/format/width.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { deferred, flush, never } from '../test-support/tasks.js';
import type { Deferred } from '../test-support/tasks.js';
import { drawnLine, internal } from '../test-support/bar-internals.js';
import { ensureBuilt, onScreen, renderPtyScreen, runInPty, writeEnds } from '../test-support/pty.js';

afterEach(() => {
  jest.useRealTimers();
});

const FAKE_TIMERS: Parameters<typeof jest.useFakeTimers>[0] = { doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] };

/** The lines a frame would draw under the bar now. */
function listUnder(bar: unknown, now: number, width = 80): readonly string[] {
  const b = internal(bar as Parameters<typeof internal>[0]);
  b.sample(now);
  b.line(now, width);
  return b.belowLines(now, width, false);
}

const url = (i: number): string => `https://example.org/item/${i}`;

describe('the rule', () => {
  test('the settle-time histogram: a percentile is the upper edge of its bucket, never below the true value', () => {
    const t = new SettleTimes();
    expect(t.percentile(0.95)).toBeUndefined();
    for (let i = 1; i <= 100; i++) t.add(i * 10); // 10 ms … 1000 ms
    const p95 = t.percentile(0.95) as number;
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThan(950 * 1.2);
    t.add(100, 900); // many at once: one write
    expect(t.count).toBe(1000);
    expect(t.percentile(0.5)).toBeGreaterThanOrEqual(100);
    expect(t.percentile(0.5)).toBeLessThan(120);
    t.add(-5);
    t.add(0);
    expect(t.count).toBe(1002);
  });

  test('slow once waiting > max(slowAfter, 4 × p95 of the settle times): the floor for quick tasks', async () => {
    const clock = new FakeClock();
    const quick = Array.from({ length: 20 }, () => deferred<number>());
    const it = asCompleted([...quick.map((d) => d.promise), never()], { stream: new MemoryStream(), clock: clock.read, stallAfter: false });
    clock.advance(100);
    for (const d of quick) d.resolve(1);
    await flush();
    expect(drawnLine(it.bar, clock.now, 100)).not.toMatch(/slow/);
    clock.advance(9_900); // waited exactly 10 s: not more
    expect(drawnLine(it.bar, clock.now, 100)).not.toMatch(/slow/);
    expect(listUnder(it.bar, clock.now)).toEqual([]);
    clock.advance(1);
    expect(drawnLine(it.bar, clock.now, 100)).toMatch(/ 20\/21 \[[^\]]*, 1 slow\]$/);
    expect(listUnder(it.bar, clock.now)).toEqual(['  #20  waiting 10s']);
    await it.return?.();
  });

  test('tasks that take seconds: slow only past 4 × their 95th percentile', async () => {
    const clock = new FakeClock();
    const slowish = Array.from({ length: 10 }, () => deferred<number>());
    const it = asCompleted([...slowish.map((d) => d.promise), never()], { stream: new MemoryStream(), clock: clock.read, stallAfter: false });
    clock.advance(5_000);
    for (const d of slowish) d.resolve(1);
    await flush();
    drawnLine(it.bar, clock.now, 100); // a frame times what settled since the last lap
    clock.advance(10_000); // 15 s: past the floor, not past 4 × ~5 s
    expect(drawnLine(it.bar, clock.now, 100)).not.toMatch(/slow/);
    clock.advance(9_000); // 24 s > 4 × 5 s, read as 4 × the upper edge of its bucket (5.79 s)
    expect(drawnLine(it.bar, clock.now, 100)).toMatch(/1 slow\]$/);
    await it.return?.();
  });

  test('nothing is slow before the first settlement, with slowAfter: false, or once the bar has closed', async () => {
    const clock = new FakeClock();
    const none = asCompleted([never(), never()], { stream: new MemoryStream(), clock: clock.read, stallAfter: false });
    clock.advance(3_600_000);
    expect(drawnLine(none.bar, clock.now, 100)).not.toMatch(/slow/);
    expect(listUnder(none.bar, clock.now)).toEqual([]);
    await none.return?.();
    const off = asCompleted([Promise.resolve(1), never()], { stream: new MemoryStream(), clock: clock.read, stallAfter: false, slowAfter: false });
    await flush();
    clock.advance(3_600_000);
    expect(drawnLine(off.bar, clock.now, 100)).not.toMatch(/slow/);
    expect(listUnder(off.bar, clock.now)).toEqual([]);
    await off.return?.();
    expect(drawnLine(off.bar, clock.now, 100)).not.toMatch(/slow/);
    expect(listUnder(off.bar, clock.now)).toEqual([]);
  });

  test('slowAfter is checked like every time option', async () => {
    await expect(gather([], { slowAfter: Number.NaN })).rejects.toThrow(/`slowAfter`/);
    expect(() => asCompleted([], { slowAfter: -1 })).toThrow(/^Expected `slowAfter` to be a non-negative number of milliseconds or `false`, got `-1`/);
    expect(() => map([], (x) => x, { slowAfter: 'soon' as unknown as number })).toThrow(/`slowAfter`/);
  });

  test('map: each call is timed from its start, and only the long-running ones are slow', async () => {
    const clock = new FakeClock();
    const calls: Deferred<number>[] = [];
    const it = map([0, 1, 2, 3], (x) => (x === 0 ? never<number>() : (calls.push(deferred<number>()), (calls.at(-1) as Deferred<number>).promise)), {
      concurrency: 2,
      ordered: false,
      stallAfter: false,
      stream: new MemoryStream(),
      clock: clock.read,
    });
    const loop = (async () => {
      for await (const _ of it) void _;
    })();
    await flush();
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000); // each of #1, #2, #3 takes 1 s; #0 never ends
      calls[i]?.resolve(i);
      await flush();
    }
    // #0 has waited 3 s, below the floor; a frame now reads 10 s later
    clock.advance(7_001);
    expect(drawnLine(it.bar, clock.now, 100)).toMatch(/\[[^\]]*, 1 running, 1 slow\]$/);
    expect(listUnder(it.bar, clock.now)).toEqual(['  #0  waiting 10s']);
    await it.return?.();
    await loop;
  });
});

describe('10,000 inputs, 3 hung', () => {
  const HUNG = new Set([17, 4_242, 9_998]);
  /** map starts its calls in order: hung ones among the first 16 start at once. */
  const HUNG_FIRST = new Set([3, 7, 11]);

  test('gather, in a log: the status line says 3 slow and is followed by the list, once per status line', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const ds = Array.from({ length: 10_000 }, (_, i) => (HUNG.has(i) ? undefined : deferred<string>()));
    const inputs = ds.map((d) => (d === undefined ? never<string>() : d.promise));
    const p = gather(inputs, { desc: 'fetch', stream, clock: clock.read, plainInterval: 5_000, stallAfter: 60_000, label: (_, i) => url(i) });
    // Settle in ten batches over the first second, so the settle times spread out.
    for (let batch = 0; batch < 10; batch++) {
      clock.advance(100);
      for (let i = batch; i < ds.length; i += 10) ds[i]?.resolve('ok');
      await flush();
    }
    clock.advance(4_000); // 5 s: a status line, nothing slow yet
    jest.advanceTimersByTime(2_000);
    clock.advance(5_000); // 10 s: not yet more than 10 s
    jest.advanceTimersByTime(2_000);
    clock.advance(5_000); // 15 s
    jest.advanceTimersByTime(2_000);
    expect(stream.lines).toEqual([
      expect.stringMatching(/^fetch: +99%\|.*\| 9997\/10000 \[00:05<[^\]]*\]$/),
      expect.stringMatching(/^fetch: +99%\|.*\| 9997\/10000 \[00:10<[^\]]*\]$/),
      expect.stringMatching(/^fetch: +99%\|.*\| 9997\/10000 \[00:15<[^\]]*, 3 slow\]$/),
      '  #17 https://example.org/item/17  waiting 15s',
      '  #4242 https://example.org/item/4242  waiting 15s',
      '  #9998 https://example.org/item/9998  waiting 15s',
    ]);
    expect(stream.lines.filter((l) => /slow|waiting/.test(l) && !l.startsWith('fetch'))).toHaveLength(3);
    clock.advance(5_000);
    jest.advanceTimersByTime(2_000);
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/9997\/10000 \[00:20<[^\]]*, 3 slow\]$/),
      '  #17 https://example.org/item/17  waiting 20s',
      '  #4242 https://example.org/item/4242  waiting 20s',
      '  #9998 https://example.org/item/9998  waiting 20s',
    ]);
    void p;
  });

  test('map at concurrency 16 on a terminal: the 3 hung calls are named while the other slots keep finishing', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream({ isTTY: true, columns: 81, rows: 12 });
    const clock = new FakeClock();
    const running: Deferred<number>[] = [];
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const it = map(items, (i) => (HUNG_FIRST.has(i) ? never<number>() : (running.push(deferred<number>()), (running.at(-1) as Deferred<number>).promise)), {
      desc: 'fetch',
      concurrency: 16,
      ordered: false,
      stream,
      clock: clock.read,
      label: (i) => url(i),
    });
    let yielded = 0;
    const loop = (async () => {
      for await (const _ of it) yielded++;
    })();
    // 20 ms per round of calls: by 12 s, about 8,000 calls have been made and have finished.
    while (clock.now < 12_000) {
      clock.advance(20);
      for (const d of running.splice(0)) d.resolve(1);
      await flush(1);
    }
    clock.advance(200); // nothing settles: a frame now
    jest.advanceTimersByTime(200);
    const text = stream.text;
    expect(yielded).toBeGreaterThan(5_000);
    expect(yielded).toBeLessThan(9_997);
    jest.useRealTimers();
    const screen = await renderScreen(text.replace(/\r?\n/g, '\r\n'), 81, 12);
    expect(screen.rows[0]).toMatch(/^fetch: +\d+%\|.*\| \d+\/10000 \[00:12<[^\]]*, 16 running, 3 slow\]$/);
    expect(screen.rows.slice(1, 4)).toEqual([
      '  #3 https://example.org/item/3  waiting 12s',
      '  #7 https://example.org/item/7  waiting 12s',
      '  #11 https://example.org/item/11  waiting 12s',
    ]);
    expect(screen.rows[4]).toBe('');
    await it.return?.();
    await loop;
  }, 30_000);
});

describe('the live list on a terminal', () => {
  async function screenOf(output: MemoryStream | string, cols: number, rows: number): Promise<string[]> {
    const text = typeof output === 'string' ? output : output.text;
    return (await renderScreen(text.replace(/\r?\n/g, '\r\n'), cols, rows)).rows;
  }

  test('lines appear when inputs turn slow and go when they settle; the bar stays', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream({ isTTY: true, columns: 81, rows: 12 });
    const clock = new FakeClock();
    const late = [deferred<number>(), deferred<number>()];
    // 20 quick ones: one late settlement does not move the 95th percentile of the settle times.
    const quick = Array.from({ length: 20 }, (_, i) => Promise.resolve(i));
    const it = asCompleted([...quick, late[0]!.promise, late[1]!.promise], {
      desc: 'jobs',
      stream,
      clock: clock.read,
      stallAfter: false,
    });
    const loop = (async () => {
      for await (const _ of it) void _;
    })();
    await flush();
    clock.advance(11_000);
    jest.advanceTimersByTime(200);
    const two = stream.text;
    late[0]!.resolve(2);
    await flush();
    clock.advance(1_000);
    jest.advanceTimersByTime(200);
    const one = stream.text;
    late[1]!.resolve(3);
    await loop;
    const done = stream.text;
    jest.useRealTimers(); // the emulator needs real timers
    let rows = await screenOf(two, 81, 12);
    expect(rows.slice(0, 4)).toEqual([
      expect.stringMatching(/^jobs: +90%\|.*\| 20\/22 \[[^\]]*, 2 slow\]$/),
      '  #20  waiting 11s',
      '  #21  waiting 11s',
      '',
    ]);
    rows = await screenOf(one, 81, 12);
    expect(rows.slice(0, 3)).toEqual([expect.stringMatching(/^jobs: +95%\|.*\| 21\/22 \[[^\]]*, 1 slow\]$/), '  #21  waiting 12s', '']);
    rows = await screenOf(done, 81, 12);
    expect(rows.slice(0, 2)).toEqual([expect.stringMatching(/^jobs: 100%\|.*\| 22\/22 \[/), '']);
    expect(rows.join('\n')).not.toMatch(/waiting/);
  });

  test('at 20 columns the list is cut to the width, the wait kept in view, and nothing wraps', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream({ isTTY: true, columns: 21, rows: 12 });
    const clock = new FakeClock();
    const it = asCompleted([Promise.resolve(0), never(), never()], {
      stream,
      clock: clock.read,
      stallAfter: false,
      label: (_, i) => `https://example.org/a-long-path/${i}`,
    });
    await flush();
    clock.advance(42_000);
    jest.advanceTimersByTime(200);
    jest.useRealTimers();
    const rows = await screenOf(stream, 21, 12);
    // 20 columns leave no room worth showing for the label: the index and the wait.
    expect(rows.slice(1, 4)).toEqual(['  #1  waiting 42s', '  #2  waiting 42s', '']);
    for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(20);
    expect(formatWaitingLine({ index: 1, since: 0, label: 'https://example.org/x' }, 42_000, 30, false)).toBe(
      '  #1 https://exa…  waiting 42s',
    );
    await it.return?.();
  });

  test('the list counts as the bar’s lines: a short screen ends with "… N more"', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream({ isTTY: true, columns: 81, rows: 4 });
    const clock = new FakeClock();
    const it = asCompleted([Promise.resolve(0), never(), never(), never(), never()], { desc: 'jobs', stream, clock: clock.read, stallAfter: false });
    await flush();
    clock.advance(11_000);
    jest.advanceTimersByTime(200);
    jest.useRealTimers();
    const rows = await screenOf(stream, 81, 4);
    expect(rows.slice(0, 3)).toEqual([expect.stringMatching(/^jobs: .*4 slow\]$/), '  #1  waiting 11s', '… 2 more']);
    await it.return?.();
  });

  test('nesting: the list sits right under its bar, before the bars nested under it', async () => {
    jest.useFakeTimers(FAKE_TIMERS);
    const stream = new MemoryStream({ isTTY: true, columns: 81, rows: 12 });
    const clock = new FakeClock();
    const it = asCompleted([Promise.resolve(0), never()], { desc: 'jobs', stream, clock: clock.read, stallAfter: false });
    await flush();
    const child = progress.bar({ desc: 'child', total: 10, parent: it.bar, stream, clock: clock.read });
    clock.advance(11_000);
    jest.advanceTimersByTime(200);
    jest.useRealTimers();
    const rows = await screenOf(stream, 81, 12);
    expect(rows.slice(0, 4)).toEqual([
      expect.stringMatching(/^jobs: .*1 slow\]$/),
      '  #1  waiting 11s',
      expect.stringMatching(/^child: +0%/),
      '',
    ]);
    child.close();
    await it.return?.();
  });

  test('a stalled bar names what it waits for even before anything settled', async () => {
    const clock = new FakeClock();
    const it = asCompleted([never(), never(), never(), never()], { stream: new MemoryStream(), clock: clock.read, label: (_, i) => `job ${i}` });
    clock.advance(10_000);
    expect(listUnder(it.bar, clock.now)).toEqual(['  #0 job 0  waiting 10s', '  #1 job 1  waiting 10s', '  #2 job 2  waiting 10s']);
    await it.return?.();
    expect(listUnder(it.bar, clock.now)).toEqual([]);
  });
});

describe('the cost of finding the oldest', () => {
  test('gather: after the first frame, naming the oldest 3 of 10,000 visits only a few slots', async () => {
    const clock = new FakeClock();
    const ds = Array.from({ length: 10_000 }, (_, i) => (i === 17 || i === 4_242 || i === 9_998 ? undefined : deferred<number>()));
    const it = asCompleted(
      ds.map((d) => (d === undefined ? never<number>() : d.promise)),
      { stream: new MemoryStream(), clock: clock.read, stallAfter: false },
    );
    for (const d of ds) d?.resolve(1);
    await flush();
    const set = (it.bar as unknown as TaskProgressBar).tracker as unknown as { isPending(i: number): boolean };
    let visits = 0;
    const isPending = set.isPending.bind(set);
    set.isPending = (i: number): boolean => {
      visits++;
      return isPending(i);
    };
    clock.advance(11_000);
    expect(listUnder(it.bar, clock.now)).toEqual(['  #17  waiting 11s', '  #4242  waiting 11s', '  #9998  waiting 11s']);
    expect(visits).toBeGreaterThan(9_000); // the first search links every settled input
    visits = 0;
    for (let frame = 0; frame < 100; frame++) listUnder(it.bar, clock.now);
    expect(visits).toBeLessThan(100 * 10);
    await it.return?.();
  });
});

describe('promise arrays with lazy thenables', () => {
  test('a lazy thenable waits from when the loop reached it; inputs taken together come first', async () => {
    const clock = new FakeClock();
    const gate = deferred<number>();
    const lazyNever = { then: (): void => {} }; // a query builder that never answers, started when reached
    const quick = Array.from({ length: 19 }, (_, i) => Promise.resolve(i));
    const it = progress([...quick, gate.promise, lazyNever, never<number>()] as Promise<number>[], {
      stream: new MemoryStream(),
      clock: clock.read,
      stallAfter: false,
    });
    const loop = (async () => {
      for await (const _ of it) void _;
    })();
    await flush();
    clock.advance(5_000);
    gate.resolve(19); // the loop moves on to #20 and starts it now
    await flush();
    clock.advance(6_000); // #21 has waited 11 s, #20 only 6 s
    expect(drawnLine(it.bar, clock.now, 100)).toMatch(/1 slow\]$/);
    expect(listUnder(it.bar, clock.now)).toEqual(['  #21  waiting 11s']);
    clock.advance(5_000); // 16 s and 11 s: both slow, the one taken with the others first
    expect(listUnder(it.bar, clock.now)).toEqual(['  #21  waiting 16s', '  #20  waiting 11s']);
    await it.return?.();
    void loop;
  });
});

describe('in a real terminal (the built library): 10,000 inputs, 3 hung', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  test.each(['map', 'gather'] as const)(
    '%s: the bar says `3 slow` at 9997/10000 and names the three under it, waiting; SIGTERM then leaves the pending report',
    async (kind) => {
      const r = await runInPty('stragglers.js', {
        cols: 80,
        rows: 12,
        markWrites: true,
        args: [JSON.stringify({ kind, slowAfter: 300 })],
        steps: [
          { waitFor: 'ready' },
          // A whole frame (a write, then its mark) with all three named: the last label comes after the
          // bar's line and the other two.
          { waitFor: /9997\/10000 \[[^\]]*, 3 slow\][^]*item-9001  waiting[^]*?\u001B_taqaddum-write/, label: 'named' },
          { signal: 'SIGTERM' },
        ],
      });
      // The screen as the last whole frame before that point left it.
      const ends = writeEnds(r.bytes).filter((e) => e <= (r.marks.named ?? 0));
      const live = await renderPtyScreen(r, ends.at(-1));
      onScreen(r, live, () => {
        expect(r.skippedSteps).toEqual([]);
        expect(r.timedOut).toBe(false);
        const rows = live.rows.filter((row) => row !== '');
        expect(rows).toEqual([
          'ready',
          expect.stringMatching(/^fetch: +99%\|.*\| 9997\/10000 \[[^\]]*, 3 slow\]$/),
          expect.stringMatching(/^ {2}#17 item-17 {2}waiting (<1s|\d+s)$/),
          expect.stringMatching(/^ {2}#4242 item-4242 {2}waiting (<1s|\d+s)$/),
          expect.stringMatching(/^ {2}#9001 item-9001 {2}waiting (<1s|\d+s)$/),
        ]);
      });
      const end = await renderPtyScreen(r);
      onScreen(r, end, () => {
        expect(r.signal).toBe('SIGTERM');
        const rows = end.all.filter((row) => row.trim() !== '');
        // The final line (the live list gone), then what was still pending, oldest first.
        expect(rows).toEqual([
          'ready',
          expect.stringMatching(/^fetch: +99%\|.*\| 9997\/10000 \[/),
          '  3 still pending, oldest first:',
          expect.stringMatching(/^ {4}#17 +\S+ +item-17$/),
          expect.stringMatching(/^ {4}#4242 +\S+ +item-4242$/),
          expect.stringMatching(/^ {4}#9001 +\S+ +item-9001$/),
        ]);
        expect(end.cursorVisible).toBe(true);
      });
    },
  );
});
