/**
 * `progress.map`: lazy pulling, the concurrency bound, bounded memory with a slow head, ordered and
 * completion order, fail fast with abort, `settle`, per-call timeouts, leaving early.
 */
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { map, progress, TimeoutError } from '../src/index.js';
import type { CallContext } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { lazyQueries } from '../test-support/lazy-thenable.js';
import { deferred, flush, never } from '../test-support/tasks.js';
import type { Deferred } from '../test-support/tasks.js';
import { drawnLine, outcomeOf } from '../test-support/bar-internals.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Waits `k` microtask turns: a delay with no timer, so runs are deterministic. */
async function ticks(k: number): Promise<void> {
  for (let i = 0; i < k; i++) await null;
}

/** An endless source that counts how many items were taken from it. */
function counted(): { source: Generator<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  function* gen() {
    try {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { source: gen(), pulled: () => pulled, closed: () => closed };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('map: results and order', () => {
  test('is the same function as progress.map', () => {
    expect(progress.map).toBe(map);
  });

  test('property: ordered yields f(x) in source order; the calls in flight never exceed concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(12), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, concurrency) => {
          let running = 0;
          let most = 0;
          const out = await collect(
            map(
              delays,
              async (d, { index }) => {
                running++;
                most = Math.max(most, running);
                await ticks(d);
                running--;
                return index * 2;
              },
              { concurrency, disable: true },
            ),
          );
          expect(out).toEqual(delays.map((_, i) => i * 2));
          expect(most).toBeLessThanOrEqual(concurrency);
          if (delays.length >= concurrency) expect(most).toBe(concurrency);
        },
      ),
      { numRuns: 80 },
    );
  });

  test('property: ordered: false yields in completion order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(12), { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (delays, concurrency) => {
        const finished: number[] = [];
        const out = await collect(
          map(
            delays,
            async (d, { index }) => {
              await ticks(d);
              finished.push(index);
              return index;
            },
            { concurrency, ordered: false, disable: true },
          ),
        );
        expect(out).toEqual(finished);
        expect([...out].sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
      }),
      { numRuns: 80 },
    );
  });

  test('sync functions, Sets, async generators and iterables of any length', async () => {
    expect(await collect(map(new Set([1, 2, 3]), (x) => x + 1, { disable: true }))).toEqual([2, 3, 4]);
    async function* letters() {
      yield 'a';
      await ticks(3);
      yield 'b';
    }
    expect(await collect(map(letters(), async (s) => s.toUpperCase(), { disable: true }))).toEqual(['A', 'B']);
    expect(await collect(map([], (x) => x, { disable: true }))).toEqual([]);
    const n = 3000; // past the compaction threshold of both buffers
    const ordered = await collect(map(Array.from({ length: n }, (_, i) => i), (x) => x, { concurrency: 600, disable: true }));
    expect(ordered).toEqual(Array.from({ length: n }, (_, i) => i));
    const unordered = await collect(
      map(Array.from({ length: n }, (_, i) => i), (x) => x, { concurrency: 600, ordered: false, disable: true }),
    );
    expect(unordered.length).toBe(n);
  });

  test('fn gets the item, its index and a signal', async () => {
    const seen: [string, number, boolean][] = [];
    await collect(
      map(
        ['a', 'b'],
        (item, ctx: CallContext) => {
          seen.push([item, ctx.index, ctx.signal instanceof AbortSignal && !ctx.signal.aborted]);
        },
        { disable: true },
      ),
    );
    expect(seen).toEqual([
      ['a', 0, true],
      ['b', 1, true],
    ]);
  });

  test('the default concurrency is 8; Infinity starts everything', async () => {
    let started = 0;
    const it = map(Array.from({ length: 20 }, (_, i) => i), () => {
      started++;
      return never();
    }, { disable: true });
    void it.next();
    await flush();
    expect(started).toBe(8);
    await it.return?.();
    started = 0;
    const all = map(Array.from({ length: 20 }, (_, i) => i), () => {
      started++;
      return never();
    }, { concurrency: Infinity, disable: true });
    void all.next();
    await flush();
    expect(started).toBe(20);
    await all.return?.();
  });
});

describe('map: lazy pulling and bounded memory', () => {
  test('nothing is pulled before the loop starts', async () => {
    const src = counted();
    const it = map(src.source, (x) => x, { disable: true });
    await flush();
    expect(src.pulled()).toBe(0);
    await it.return?.();
  });

  test('a slow head stops pulling once 2 × concurrency items wait; it resumes when the head settles', async () => {
    const src = counted();
    const head = deferred<number>();
    const calls: number[] = [];
    const it = map(
      src.source,
      (x, { index }) => {
        calls.push(index);
        return index === 0 ? head.promise : x;
      },
      { concurrency: 2, disable: true },
    );
    const first = it.next();
    await flush();
    // #0 hangs; #1–#3 finished at once but wait behind it. Nothing more is taken from the endless source.
    expect(src.pulled()).toBe(4);
    expect(calls).toEqual([0, 1, 2, 3]);
    head.resolve(0);
    expect(await first).toEqual({ value: 0, done: false });
    expect((await it.next()).value).toBe(1);
    expect(src.pulled()).toBeLessThanOrEqual(6);
    await it.return?.();
    expect(src.closed()).toBe(true);
  });

  test('a loop that does not ask for more stops the pulling too (ordered: false)', async () => {
    const src = counted();
    const it = map(src.source, (x) => x, { concurrency: 3, ordered: false, disable: true });
    expect((await it.next()).value).toBe(0);
    await flush();
    expect(src.pulled()).toBe(7); // 1 taken by the loop + 2 × 3 waiting
    await it.return?.();
  });

  test('the bar shows the calls running and counts them as they settle', async () => {
    const clock = new FakeClock();
    const ds: Deferred<number>[] = [];
    const it = map(
      [0, 1, 2, 3, 4],
      () => {
        const d = deferred<number>();
        ds.push(d);
        return d.promise;
      },
      { concurrency: 3, desc: 'convert', stream: new MemoryStream(), clock: clock.read },
    );
    const first = it.next();
    await flush();
    clock.advance(2000);
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/^convert: +0%\|.*\| 0\/5 \[00:02<\?, [^\]]*, 3 running\]$/);
    ds[1]?.resolve(1);
    await flush();
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/ 1\/5 \[[^\]]*, 3 running\]$/);
    for (const d of ds) d.resolve(0);
    await flush();
    for (const d of ds) d.resolve(0);
    await first;
    await collect(it);
    expect(it.bar.isClosed).toBe(true);
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/^convert: 100%\|█+\| 5\/5 \[00:02<00:00, [^\]]*\]$/);
  });
});

describe('map: lazy thenables', () => {
  test('`(query) => query` runs lazy query builders `concurrency` at a time, each once', async () => {
    const q = lazyQueries(40, (i) => i * 2);
    const out: number[] = [];
    for await (const v of map(q.items, (query) => query, { concurrency: 3, disable: true })) out.push(v);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(q.maxRunning).toBe(3);
    expect(q.startsOf).toEqual(new Array(40).fill(1));
  });
});

describe('map: a source whose next() gives a non-object (issue 8, item 15)', () => {
  test.each([[null], [7]])('async source, next() resolves to %p: the loop rejects with a TypeError, the bar closes as failed', async (bad) => {
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return { next: async () => (i < 2 ? { value: i++, done: false } : bad) } as AsyncIterator<number>;
      },
    };
    const it = map(source, async (x) => x * 2, { disable: true });
    const out: number[] = [];
    const error = await (async () => {
      for await (const v of it) out.push(v);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/Iterator result .* is not an object/);
    expect(outcomeOf(it.bar)).toBe('failed');
  });

  test.each([[null], [7]])('sync source, next() returns %p: the same', async (bad) => {
    const source: Iterable<number> = {
      [Symbol.iterator]() {
        let i = 0;
        return { next: () => (i < 2 ? { value: i++, done: false } : bad) } as Iterator<number>;
      },
    };
    const it = map(source, async (x) => x * 2, { disable: true });
    const error = await (async () => {
      for await (const _ of it);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/Iterator result .* is not an object/);
    expect(outcomeOf(it.bar)).toBe('failed');
  });
});

describe('map: failures', () => {
  test('the first failure aborts the calls running, starts no more, and is thrown (same object)', async () => {
    const stream = new MemoryStream();
    const error = new Error('corrupt file');
    const files = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png'];
    const started: number[] = [];
    const signals: AbortSignal[] = [];
    const fail = deferred<never>();
    const it = map(
      files,
      (_f, { index, signal }) => {
        started.push(index);
        signals.push(signal);
        if (index === 0) return Promise.resolve('ok');
        if (index === 2) return fail.promise;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      { concurrency: 3, desc: 'convert', stream, label: (f) => f },
    );
    const out: unknown[] = [];
    let thrown: unknown;
    const loop = (async () => {
      try {
        for await (const x of it) out.push(x);
      } catch (e) {
        thrown = e;
      }
    })();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    fail.reject(error);
    await loop;
    expect(thrown).toBe(error);
    expect(out).toEqual(['ok']);
    expect(started).toEqual([0, 1, 2, 3]); // nothing started after the failure
    const running = signals[1] as AbortSignal;
    expect(running.aborted).toBe(true);
    expect(running.reason).toMatchObject({ name: 'AbortError', message: 'Stopped because call #2 (c.png) failed' });
    expect((running.reason as { cause?: unknown }).cause).toBe(error);
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^convert: +33%\|.*\| ✗ 2\/6 \[[^\]]*, 1 failed\]$/),
      '  2 still pending, oldest first:',
      expect.stringMatching(/^ {4}#1 +(<1|\d+)s {2}b\.png$/),
      expect.stringMatching(/^ {4}#3 +(<1|\d+)s {2}d\.png$/),
    ]);
    await flush(); // the aborted calls reject now: ignored, never unhandled
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test('a function that throws synchronously fails the same way', async () => {
    const error = new RangeError('sync');
    await expect(
      collect(
        map([1, 2, 3], (x) => {
          if (x === 2) throw error;
          return x;
        }, { disable: true }),
      ),
    ).rejects.toBe(error);
  });

  test('results already waiting before the failure are still yielded first', async () => {
    const error = new Error('late failure');
    const slow = deferred<number>();
    const it = map([0, 1, 2], (x) => (x === 2 ? slow.promise : x), { concurrency: 3, disable: true });
    const first = it.next();
    await flush();
    slow.reject(error);
    expect(await first).toEqual({ value: 0, done: false });
    expect(await it.next()).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toBe(error);
  });

  test('an error from the source is thrown and closes the bar as failed', async () => {
    const error = new Error('disk');
    async function* src() {
      yield 1;
      throw error;
    }
    const stream = new MemoryStream();
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const x of map(src(), async (v) => v * 10, { stream })) out.push(x);
      })(),
    ).rejects.toBe(error);
    expect(stream.lines.at(-1)).toMatch(/^✗ 1 it \[/);
  });

  test('settle: true keeps going and yields records with the index', async () => {
    const error = new Error('odd');
    const clock = new FakeClock();
    const it = map(
      [1, 2, 3, 4],
      async (x) => {
        if (x % 2 === 1) throw error;
        return x;
      },
      { settle: true, stream: new MemoryStream(), clock: clock.read },
    );
    expect(await collect(it)).toEqual([
      { status: 'rejected', reason: error, index: 0 },
      { status: 'fulfilled', value: 2, index: 1 },
      { status: 'rejected', reason: error, index: 2 },
      { status: 'fulfilled', value: 4, index: 3 },
    ]);
    expect(drawnLine(it.bar, clock.now, 80)).toMatch(/ 4\/4 \[[^\]]*, 2 failed\]$/);
  });
});

describe('map: timeouts', () => {
  test('a call past its timeout fails with a TimeoutError naming its label; its signal is aborted with it', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const signals: AbortSignal[] = [];
    const it = map(
      ['fast.txt', 'stuck.txt'],
      (name, { signal }) => {
        signals.push(signal);
        return name === 'fast.txt' ? Promise.resolve(name) : never<string>();
      },
      { timeout: 5000, label: (name) => name, disable: true },
    );
    expect(await it.next()).toEqual({ value: 'fast.txt', done: false });
    const second = it.next();
    jest.advanceTimersByTime(4999);
    await flush();
    jest.advanceTimersByTime(1);
    const error = await second.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', message: 'Call #1 (stuck.txt) timed out after 5000 ms', index: 1, timeout: 5000 });
    expect(signals[1]?.aborted).toBe(true);
    expect(signals[1]?.reason).toBe(error);
    expect(signals[0]?.aborted).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('without a label the error names the index; with settle the loop goes on', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const it = map([0, 1, 2], (i) => (i === 1 ? never() : i), { timeout: 100, settle: true, disable: true });
    const all = collect(it);
    await flush();
    jest.advanceTimersByTime(100);
    const out = await all;
    expect(out[1]).toMatchObject({ status: 'rejected', index: 1, reason: { message: 'Call #1 timed out after 100 ms' } });
    expect(out[2]).toEqual({ status: 'fulfilled', value: 2, index: 2 });
  });

  test('timers of calls that settle in time are cleared', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    await collect(map([1, 2, 3], async (x) => x, { timeout: 60_000, disable: true }));
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('map: leaving the loop early', () => {
  test('break aborts the calls running, closes the source, and closes the bar with a report', async () => {
    const stream = new MemoryStream();
    const src = counted();
    const signals: AbortSignal[] = [];
    const it = map(
      src.source,
      (x, { signal }) => {
        signals.push(signal);
        return x === 0 ? x : never<number>();
      },
      { concurrency: 2, stream, desc: 'jobs' },
    );
    for await (const x of it) {
      expect(x).toBe(0);
      break;
    }
    expect(src.closed()).toBe(true);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(signals[1]?.reason).toMatchObject({ name: 'AbortError' });
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^jobs: 1 it \[/),
      '  2 still pending, oldest first:',
      expect.stringMatching(/^ {4}#1 +(<1|\d+)s$/),
      expect.stringMatching(/^ {4}#2 +(<1|\d+)s$/),
    ]);
  });
});

describe('map: bad arguments', () => {
  test.each([
    [{ concurrency: 0 }, 'Expected `concurrency` to be a positive integer or `Infinity`, got `0` (number)'],
    [{ concurrency: 1.5 }, 'Expected `concurrency` to be a positive integer or `Infinity`, got `1.5` (number)'],
    [{ concurrency: '4' }, 'Expected `concurrency` to be a positive integer or `Infinity`, got `"4"` (string)'],
    [{ ordered: 'yes' }, 'Expected `ordered` to be a boolean, got `"yes"` (string)'],
    [{ timeout: -1 }, 'Expected `timeout` to be a positive number of milliseconds, got `-1` (number)'],
    [{ timeout: 0 }, 'Expected `timeout` to be a positive number of milliseconds, got `0` (number)'],
    [{ settle: null }, 'Expected `settle` to be a boolean, got `null` (null)'],
    [{ indexed: true }, 'Unknown option `indexed`'],
  ])('%j throws at once, naming the option', (options, message) => {
    expect(() => map([1], (x) => x, options as never)).toThrow(message);
  });

  test('a bad source or function is named', () => {
    expect(() => map(5 as never, (x) => x)).toThrow('Expected `source` to be an iterable or an async iterable, got `5` (number)');
    expect(() => map([1], 'f' as never)).toThrow('Expected `fn` to be a function, got `"f"` (string)');
  });
});
