/**
 * `progress.asCompleted` (completion order) and `for await` over `progress(arrayOfPromises)` (input
 * order): both count settlements as they happen, not as the loop consumes them.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { asCompleted, progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { lazyQueries } from '../test-support/lazy-thenable.js';
import { deferred, flush, never, permutation } from '../test-support/tasks.js';
import { drawnLine } from '../test-support/bar-internals.js';

function tty(columns = 70): MemoryStream {
  return new MemoryStream({ isTTY: true, columns, rows: 12 });
}

/** The visible rows (a terminal's driver turns "\n" into "\r\n", as `stty onlcr` does). */
async function screen(stream: MemoryStream, cols = 70): Promise<string[]> {
  return (await renderScreen(stream.text.replace(/\r?\n/g, '\r\n'), cols, 12)).rows.filter((r) => r !== '');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('asCompleted', () => {
  test('is the same function as progress.asCompleted', () => {
    expect(progress.asCompleted).toBe(asCompleted);
  });

  test('property: yields in completion order under any settling order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), async (keys, indexed) => {
        const ds = keys.map(() => deferred<number>());
        const it = asCompleted(
          ds.map((d) => d.promise),
          { disable: true, indexed } as { indexed: boolean },
        );
        const order = permutation(keys);
        const seen: unknown[] = [];
        const consumer = (async () => {
          for await (const x of it) seen.push(x);
        })();
        for (const i of order) {
          ds[i]?.resolve(i * 10);
          await flush(1);
        }
        await consumer;
        expect(seen).toEqual(order.map((i) => (indexed ? [i, i * 10] : i * 10)));
      }),
      { numRuns: 50 },
    );
  });

  test('values settled before the loop starts come in the order they settled', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const it = asCompleted([a.promise, b.promise, 'now'], { disable: true });
    b.resolve('b');
    await flush();
    a.resolve('a');
    expect(await collect(it)).toEqual(['now', 'b', 'a']);
  });

  test('a rejection is thrown at its completion position, with the same error, and ends the loop', async () => {
    const ds = [deferred<number>(), deferred<number>(), deferred<number>(), deferred<number>()];
    const error = new Error('bad');
    const stream = new MemoryStream();
    const it = asCompleted(
      ds.map((d) => d.promise),
      { stream },
    );
    ds[1]?.resolve(1);
    ds[3]?.reject(error);
    const seen: number[] = [];
    let thrown: unknown;
    try {
      for await (const x of it) seen.push(x);
    } catch (e) {
      thrown = e;
    }
    expect(seen).toEqual([1]);
    expect(thrown).toBe(error);
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^ +50%\|.*\| ✗ 2\/4 \[.*, 1 failed\]$/),
      '  2 still pending, oldest first:',
      expect.stringMatching(/^ {4}#0 +(<1|\d+)s$/),
      expect.stringMatching(/^ {4}#2 +(<1|\d+)s$/),
    ]);
    // Later settlements change nothing and are never unhandled.
    ds[0]?.reject(new Error('late'));
    ds[2]?.resolve(2);
    await flush();
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  test('settle: yields records with their index instead of throwing', async () => {
    const error = new Error('x');
    const ds = [deferred<string>(), deferred<string>()];
    const it = asCompleted(
      ds.map((d) => d.promise),
      { settle: true, disable: true },
    );
    ds[1]?.reject(error);
    await flush();
    ds[0]?.resolve('a');
    expect(await collect(it)).toEqual([
      { status: 'rejected', reason: error, index: 1 },
      { status: 'fulfilled', value: 'a', index: 0 },
    ]);
    const both = asCompleted([Promise.resolve(5)], { settle: true, indexed: true, disable: true });
    expect(await collect(both)).toEqual([[0, { status: 'fulfilled', value: 5, index: 0 }]]);
  });

  test('the bar counts settlements, not what the loop has taken', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const it = asCompleted(
      ds.map((d) => d.promise),
      { desc: 'score', stream, clock: clock.read },
    );
    for (const [i, d] of ds.entries()) {
      clock.advance(1000);
      d.resolve(i);
    }
    await flush();
    // Nothing consumed yet, and the bar is already complete and closed.
    expect(it.bar.isClosed).toBe(true);
    expect(await screen(stream)).toEqual([expect.stringMatching(/^score: 100%\|█+\| 3\/3 \[00:03<00:00, 1\.00 it\/s\]$/)]);
    expect(await collect(it)).toEqual([0, 1, 2]);
  });

  test('leaving the loop early closes the bar as stopped and lists what was pending', async () => {
    const stream = new MemoryStream();
    const urls = ['a', 'b', 'c'];
    const late = deferred<number>();
    const it = asCompleted([Promise.resolve(1), late.promise, never()], {
      desc: 'fetch',
      stream,
      label: (_p, i) => `https://${urls[i]}.example`,
    });
    for await (const x of it) {
      expect(x).toBe(1);
      break;
    }
    expect(it.bar.isClosed).toBe(true);
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^fetch: +33%\|.*\| 1\/3 \[/),
      '  2 still pending, oldest first:',
      expect.stringMatching(/^ {4}#1 +(<1|\d+)s {2}https:\/\/b\.example$/),
      expect.stringMatching(/^ {4}#2 +(<1|\d+)s {2}https:\/\/c\.example$/),
    ]);
    late.reject(new Error('after the loop'));
    await flush();
  });

  test('a generator without length: the total is counted when the items are taken', async () => {
    const stream = new MemoryStream();
    function* gen() {
      yield Promise.resolve('a');
      yield 'b';
    }
    expect((await collect(asCompleted(gen(), { stream }))).sort()).toEqual(['a', 'b']);
    expect(stream.lines.at(-1)).toMatch(/ 2\/2 /);
  });

  test('an empty input yields nothing and closes the bar', async () => {
    const it = asCompleted([], { disable: true });
    expect(await collect(it)).toEqual([]);
    expect(it.bar.isClosed).toBe(true);
  });

  test('bad arguments throw at once, naming the option', () => {
    expect(() => asCompleted([1], { indexed: 1 } as never)).toThrow('Expected `indexed` to be a boolean, got `1` (number)');
    expect(() => asCompleted(null as never)).toThrow('Expected `items` to be an iterable');
    expect(() => asCompleted([1], { ordered: true } as never)).toThrow('Unknown option `ordered`');
  });

  test('many inputs: every one comes out once (the queue is compacted on the way)', async () => {
    const n = 5000;
    const inputs = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? Promise.resolve(i) : i));
    const out = await collect(asCompleted(inputs, { disable: true }));
    expect(out.length).toBe(n);
    expect([...out].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

describe('for await over progress(arrayOfPromises)', () => {
  test('yields the values in input order', async () => {
    const ds = [deferred<string>(), deferred<string>(), deferred<string>()];
    const seen: string[] = [];
    const loop = (async () => {
      for await (const v of progress(
        ds.map((d) => d.promise),
        { disable: true },
      ))
        seen.push(v);
    })();
    ds[2]?.resolve('c');
    ds[1]?.resolve('b');
    await flush();
    expect(seen).toEqual([]);
    ds[0]?.resolve('a');
    await loop;
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  test('property: input order whatever the settling order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 25 }), async (keys) => {
        const ds = keys.map(() => deferred<number>());
        const seen: number[] = [];
        const loop = (async () => {
          for await (const v of progress(
            ds.map((d) => d.promise),
            { disable: true },
          ))
            seen.push(v);
        })();
        for (const i of permutation(keys)) {
          ds[i]?.resolve(i);
          if (i % 2 === 0) await flush(1);
        }
        await loop;
        expect(seen).toEqual(keys.map((_, i) => i));
      }),
      { numRuns: 50 },
    );
  });

  test('a slow first promise does not freeze the bar', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const iterable = progress(
      ds.map((d) => d.promise),
      { desc: 'pages', stream, clock: clock.read },
    );
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of iterable) seen.push(v);
    })();
    clock.advance(1000);
    ds[1]?.resolve(1);
    await flush();
    clock.advance(1000);
    ds[2]?.resolve(2);
    await flush();
    expect(seen).toEqual([]);
    expect((await screen(stream))[0]).toMatch(/^pages: +66%\|.*\| 2\/3 \[00:02</);
    ds[0]?.resolve(0);
    await loop;
    expect(seen).toEqual([0, 1, 2]);
    expect(await screen(stream)).toEqual([expect.stringMatching(/^pages: 100%\|█+\| 3\/3 /)]);
  });

  test('a rejection is thrown when the loop reaches it; the bar counted it as a failure before', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const error = new Error('nope');
    const seen: number[] = [];
    let thrown: unknown;
    const loop = (async () => {
      try {
        for await (const v of progress(
          ds.map((d) => d.promise),
          { stream, clock: clock.read },
        ))
          seen.push(v);
      } catch (e) {
        thrown = e;
      }
    })();
    clock.advance(1000);
    ds[1]?.reject(error);
    await flush();
    expect((await screen(stream))[0]).toMatch(/ 1\/3 \[[^\]]*, 1 failed\]$/);
    ds[0]?.resolve(0);
    await loop;
    expect(seen).toEqual([0]);
    expect(thrown).toBe(error);
    expect((await screen(stream))[0]).toMatch(/✗ 2\/3 \[[^\]]*, 1 failed\]$/);
    ds[2]?.reject(new Error('late'));
    await flush();
  });

  test('lazy thenables (query builders) run one at a time, when the loop reaches each, as in a bare for await', async () => {
    const q = lazyQueries(50, (i) => i * 10);
    const it = progress(q.items, { disable: true });
    const seen: number[] = [];
    let startedAtFirst = -1;
    await flush();
    expect(q.started).toBe(0); // nothing starts before the loop asks
    for await (const v of it) {
      if (startedAtFirst < 0) startedAtFirst = q.started;
      seen.push(v);
    }
    expect(startedAtFirst).toBe(1);
    expect(q.maxRunning).toBe(1);
    expect(q.startsOf).toEqual(new Array(50).fill(1)); // each run exactly once
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
    expect(it.bar.n).toBe(50);
    expect(it.bar.isClosed).toBe(true);
  });

  test('native promises are watched ahead of the loop; lazy thenables beside them are not', async () => {
    const first = deferred<number>();
    const q = lazyQueries(2, (i) => 100 + i);
    const items: PromiseLike<number>[] = [first.promise, q.items[0]!, Promise.resolve(2), q.items[1]!];
    const seen: number[] = [];
    const it = progress(items, { disable: true });
    const loop = (async () => {
      for await (const v of it) seen.push(v);
    })();
    await flush();
    expect(q.started).toBe(0);
    expect(it.bar.n).toBe(1); // the native promise that had resolved is counted before the loop gets to it
    first.resolve(1);
    await loop;
    expect(seen).toEqual([1, 100, 2, 101]);
    expect(q.startsOf).toEqual([1, 1]);
  });

  test('a lazy query that hangs: the bar says stalled and names it alone, not those the loop has not reached', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const q = lazyQueries(5, (i) => i, { hang: (i) => i === 1 });
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of progress(q.items, { stream, clock: clock.read, signal: controller.signal, stallAfter: 5000 })) seen.push(v);
    })();
    await flush();
    clock.advance(6000);
    await flush();
    controller.abort(new Error('enough'));
    await expect(loop).rejects.toThrow('enough');
    expect(seen).toEqual([0]);
    expect(q.startsOf).toEqual([1, 1, 0, 0, 0]);
    const rows = await screen(stream);
    expect(rows[0]).toMatch(/✗ 1\/5 /);
    expect(rows.slice(1)).toEqual([expect.stringMatching(/^ +1 still pending:$/), expect.stringMatching(/^ +#1 +6s$/)]);
  });

  test('the loop body is slow, every query reached has settled: no "stalled"', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const q = lazyQueries(3, (i) => i);
    const it = progress(q.items, { stream, clock: clock.read, stallAfter: 5000 });
    for await (const v of it) {
      if (v === 0) {
        clock.advance(20_000); // a long loop body: the next query has not been asked for
        await flush();
        expect(drawnLine(it.bar, clock.now, 70)).not.toMatch(/stalled|pending/);
      }
    }
    expect(it.bar.n).toBe(3);
  });

  test('leaving the loop early: the lazy thenables not reached never run', async () => {
    const q = lazyQueries(10, (i) => i);
    for await (const v of progress(q.items, { disable: true })) if (v === 2) break;
    await flush();
    expect(q.startsOf).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('a plain for…of still gets the promises themselves', () => {
    const ps = [Promise.resolve(1), Promise.resolve(2)];
    const out: Promise<number>[] = [];
    for (const p of progress(ps, { disable: true })) out.push(p);
    expect(out).toEqual(ps);
    expect(out[0]).toBe(ps[0]);
  });

  test('accepts stallAfter and label; rejects options of other task functions', () => {
    expect(() => progress([Promise.resolve(1)], { stallAfter: 5000, label: (_, i) => String(i) })).not.toThrow();
    expect(() => progress([Promise.resolve(1)], { settle: true } as never)).toThrow('Unknown option `settle`');
    expect(() => progress([Promise.resolve(1)], { stallAfter: -5 })).toThrow('Expected `stallAfter`');
  });
});
