/**
 * `progress.gather`: `Promise.all` / `Promise.allSettled` semantics, with a bar that counts inputs as
 * they settle, fails fast (same error object, `✗ n/total`), and lists what was still pending.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { asCompleted, gather, map, progress } from '../src/index.js';
import type { CallContext, IndexedSettledResult, ProgressAsyncIterator, PromiseArrayIterator, TasksBar } from '../src/index.js';
import type { IsExact } from '../test-support/expect-type.js';
import { expectType } from '../test-support/expect-type.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { lazyQueries } from '../test-support/lazy-thenable.js';
import { deferred, flush, never, permutation } from '../test-support/tasks.js';

function tty(columns = 70): MemoryStream {
  return new MemoryStream({ isTTY: true, columns, rows: 12 });
}

/** Options for a bar drawn on `stream` with a clock that moves only when told. */
function drawn(stream: MemoryStream, clock: FakeClock) {
  return { stream, clock: clock.read };
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

describe('gather: results', () => {
  test('resolves to the results in input order, whatever order they settle in', async () => {
    const ds = [deferred<string>(), deferred<string>(), deferred<string>()];
    const p = gather(
      ds.map((d) => d.promise),
      { disable: true },
    );
    ds[2]?.resolve('c');
    ds[0]?.resolve('a');
    ds[1]?.resolve('b');
    await expect(p).resolves.toEqual(['a', 'b', 'c']);
  });

  test('is the same function as progress.gather', () => {
    expect(progress.gather).toBe(gather);
  });

  test('takes plain values, thenables, Promise subclasses, Sets and generators', async () => {
    class MyPromise<T> extends Promise<T> {}
    const thenable = { then: (ok: (v: number) => void) => ok(3) };
    function* gen() {
      yield 1;
      yield Promise.resolve(2);
      yield thenable;
      yield MyPromise.resolve(4);
    }
    await expect(gather(gen(), { disable: true })).resolves.toEqual([1, 2, 3, 4]);
    await expect(gather(new Set([Promise.resolve('x'), 'y']), { disable: true })).resolves.toEqual(['x', 'y']);
    await expect(gather([], { disable: true })).resolves.toEqual([]);
  });

  test('property: same results as Promise.all under any settling order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer(), fc.nat()), { maxLength: 30 }), async (spec) => {
        const values = spec.map(([v]) => v);
        const ds = values.map(() => deferred<number>());
        const p = gather(
          ds.map((d) => d.promise),
          { disable: true },
        );
        for (const i of permutation(spec.map(([, k]) => k))) {
          ds[i]?.resolve(values[i] as number);
          if (i % 3 === 0) await flush(1);
        }
        expect(await p).toEqual(await Promise.all(values));
      }),
      { numRuns: 60 },
    );
  });

  test('the bar counts inputs as they settle, and closes at 100%', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const p = gather(
      ds.map((d) => d.promise),
      { desc: 'fetch', ...drawn(stream, clock) },
    );
    clock.advance(1000);
    ds[2]?.resolve(2); // the last one first: the bar moves anyway
    await flush();
    expect((await screen(stream))[0]).toMatch(/^fetch: +33%\|.*\| 1\/3 \[00:01</);
    clock.advance(1000);
    ds[0]?.resolve(0);
    await flush();
    expect((await screen(stream))[0]).toMatch(/ 2\/3 \[00:02</);
    clock.advance(1000);
    ds[1]?.resolve(1);
    await expect(p).resolves.toEqual([0, 1, 2]);
    expect(await screen(stream)).toEqual([expect.stringMatching(/^fetch: 100%\|█+\| 3\/3 \[00:03<00:00, 1\.00 it\/s\]$/)]);
  });

  test('a generator without length: the total is the number of items taken', async () => {
    const stream = new MemoryStream();
    function* jobs() {
      for (let i = 0; i < 4; i++) yield Promise.resolve(i);
    }
    await gather(jobs(), { desc: 'jobs', stream });
    expect(stream.lines.at(-1)).toMatch(/^jobs: 100%\|█+\| 4\/4 /);
  });

  test('`total` overrides the count', async () => {
    const stream = new MemoryStream();
    await gather([Promise.resolve(1)], { total: 10, stream });
    expect(stream.lines.at(-1)).toMatch(/ 1\/10 /);
  });
});

describe('gather: fail fast', () => {
  test('rejects at once with the same error object; the bar shows where it failed and what was pending', async () => {
    const stream = tty(80);
    const clock = new FakeClock();
    const urls = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'];
    const ds = urls.map(() => deferred<string>());
    const error = new Error('503');
    const p = gather(
      ds.map((d) => d.promise),
      { desc: 'fetch', label: (_p, i) => urls[i] ?? '?', ...drawn(stream, clock) },
    );
    clock.advance(2000);
    ds[1]?.resolve('b');
    ds[3]?.resolve('d');
    await flush();
    clock.advance(3000);
    ds[2]?.reject(error);
    await expect(p).rejects.toBe(error);
    const rows = await screen(stream, 80);
    expect(rows[0]).toMatch(/^fetch: +60%\|.*\| ✗ 3\/5 \[00:05<[^\]]*, 1 failed\]$/);
    expect(rows.slice(1)).toEqual(['  2 still pending, oldest first:', '    #0  5s  a.example', '    #4  5s  e.example']);
    // The ones still running may settle later, either way: nothing happens (not even an unhandled rejection).
    ds[0]?.reject(new Error('late'));
    ds[4]?.resolve('e');
    await flush();
    expect(await screen(stream, 80)).toEqual(rows);
  });

  test('the report names neither the input that failed nor others that settled meanwhile', async () => {
    const stream = new MemoryStream();
    const first = new Error('first');
    const thenable = { then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('thenable')) };
    const inputs: unknown[] = [never(), Promise.reject(first), Promise.reject(new Error('second')), thenable, Promise.resolve(4), never()];
    await expect(gather(inputs, { stream })).rejects.toBe(first);
    expect(stream.lines.slice(-3)).toEqual(['  2 still pending, oldest first:', expect.stringMatching(/^ {4}#0 /), expect.stringMatching(/^ {4}#5 /)]);
    expect(stream.lines.at(-4)).toMatch(/✗ 4\/6 \[[^\]]*, 3 failed\]$/);
  });

  test('a rejection that is already there fails it too', async () => {
    const error = new TypeError('bad');
    const late = deferred<number>();
    await expect(gather([Promise.resolve(1), Promise.reject(error), late.promise], { disable: true })).rejects.toBe(error);
    late.reject(new Error('later'));
    await flush();
  });

  test('an iterable that throws rejects with its error, and the inputs taken are still handled', async () => {
    const error = new Error('source broke');
    const first = deferred<number>();
    function* broken() {
      yield first.promise;
      throw error;
    }
    const stream = new MemoryStream();
    await expect(gather(broken(), { stream })).rejects.toBe(error);
    expect(stream.lines.slice(-3)).toEqual([expect.stringMatching(/^✗ 0 it \[/), '  1 still pending:', '    #0  <1s']);
    first.reject(new Error('late'));
    await flush();
  });

  test('a failure with one report entry and a long label stays within the width', async () => {
    const stream = tty(40);
    const clock = new FakeClock();
    const error = new Error('x');
    const p = gather([never(), Promise.reject(error)], {
      label: () => 'https://example.org/a/very/long/path/that/does/not/fit',
      ...drawn(stream, clock),
    });
    await expect(p).rejects.toBe(error);
    const rows = await screen(stream, 40);
    expect(rows.slice(1)).toEqual(['  1 still pending:', '    #0  <1s  https://example.org/a/ver…']);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(39);
  });

  test('at most five pending inputs are named, then how many more', async () => {
    const stream = new MemoryStream();
    const error = new Error('x');
    const inputs: Promise<number>[] = Array.from({ length: 9 }, () => never<number>());
    inputs.push(Promise.reject(error));
    await expect(gather(inputs, { stream })).rejects.toBe(error);
    expect(stream.lines.slice(-7)).toEqual([
      '  9 still pending, oldest first:',
      expect.stringMatching(/^ {4}#0 +(<1|\d+)s$/),
      expect.stringMatching(/^ {4}#1 /),
      expect.stringMatching(/^ {4}#2 /),
      expect.stringMatching(/^ {4}#3 /),
      expect.stringMatching(/^ {4}#4 /),
      '    … and 4 more',
    ]);
  });
});

describe('gather and asCompleted: lazy thenables', () => {
  test('gather starts every thenable at once, as Promise.all does, and each exactly once', async () => {
    const q = lazyQueries(20, (i) => i);
    const all = gather(q.items, { disable: true });
    await Promise.resolve();
    await Promise.resolve();
    expect(q.started).toBe(20);
    expect(await all).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(q.startsOf).toEqual(new Array(20).fill(1));
  });

  test('a failure: the report of what is pending does not run a lazy thenable again', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const q = lazyQueries(4, (i) => i, { hang: (i) => i < 2, fail: (i) => (i === 3 ? new Error('boom') : undefined) });
    await expect(gather(q.items, drawn(stream, clock))).rejects.toThrow('boom');
    await flush();
    expect(q.startsOf).toEqual([1, 1, 1, 1]);
    expect((await screen(stream)).join('\n')).toMatch(/2 still pending/);
    const q2 = lazyQueries(4, (i) => i, { hang: (i) => i < 2, fail: (i) => (i === 3 ? new Error('boom') : undefined) });
    await expect(collect(asCompleted(q2.items, { disable: true }))).rejects.toThrow('boom');
    await flush();
    expect(q2.startsOf).toEqual([1, 1, 1, 1]);
  });
});

describe('gather: settle', () => {
  test('resolves like Promise.allSettled; the bar counts failures live', async () => {
    const stream = tty();
    const clock = new FakeClock();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const boom = new Error('boom');
    const p = gather(
      ds.map((d) => d.promise),
      { settle: true, desc: 'jobs', ...drawn(stream, clock) },
    );
    clock.advance(1000);
    ds[1]?.reject(boom);
    await flush();
    expect((await screen(stream))[0]).toMatch(/ 1\/3 \[00:01<[^\]]*, 1 failed\]$/);
    clock.advance(1000);
    ds[0]?.resolve(0);
    ds[2]?.resolve(2);
    const results = await p;
    expect(results).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 2 },
    ]);
    expect(results[1]).toEqual(await Promise.allSettled([Promise.reject(boom)]).then((r) => r[0]));
    expect(await screen(stream)).toEqual([
      expect.stringMatching(/^jobs: 100%\|█+\| 3\/3 \[00:02<00:00, [^\]]*, 1 failed\]$/),
      '  1 failed:', // settle mode names its failures at close (report.test.ts)
      '    #1  Error: boom',
    ]);
  });

  test('property: same as Promise.allSettled under any settling order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer(), fc.boolean(), fc.nat()), { maxLength: 25 }), async (spec) => {
        const ds = spec.map(() => deferred<number>());
        const p = gather(
          ds.map((d) => d.promise),
          { settle: true, disable: true },
        );
        const reasons = spec.map(([v]) => new Error(String(v)));
        for (const i of permutation(spec.map(([, , k]) => k))) {
          const [v, ok] = spec[i] as [number, boolean, number];
          if (ok) ds[i]?.resolve(v);
          else ds[i]?.reject(reasons[i]);
        }
        const expected = await Promise.allSettled(spec.map(([v, ok], i) => (ok ? Promise.resolve(v) : Promise.reject(reasons[i]))));
        expect(await p).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe('gather: bad arguments', () => {
  test.each([
    [{ settle: 'yes' }, 'Expected `settle` to be a boolean, got `"yes"` (string)'],
    [{ stallAfter: -1 }, 'Expected `stallAfter` to be a non-negative number of milliseconds or `false`, got `-1` (number)'],
    [{ stallAfter: '10s' }, 'Expected `stallAfter` to be a non-negative number of milliseconds or `false`, got `"10s"` (string)'],
    [{ label: 'url' }, 'Expected `label` to be a function, got `"url"` (string)'],
    [{ signal: {} }, 'Expected `signal` to be an AbortSignal, got `{…}` (object)'],
    [{ concurrency: 2 }, 'Unknown option `concurrency`'],
    [{ total: -1 }, 'Expected `total` to be a non-negative number, got `-1` (number)'],
  ])('%j rejects with a message naming the option', async (options, message) => {
    await expect(gather([1], options as never)).rejects.toThrow(message);
  });

  test('a non-iterable rejects with a TypeError naming `items`', async () => {
    await expect(gather(42 as never)).rejects.toThrow(
      'Expected `items` to be an iterable of values or promises (an array, a Set, a generator), got `42` (number)',
    );
    async function* agen() {}
    await expect(gather(agen() as never)).rejects.toThrow(/use `progress\.map\(source, fn\)`/);
  });

  test('bad options do not start lazy thenables (they are never taken)', async () => {
    const q = lazyQueries(3, (i) => i);
    await expect(gather(q.items, { settle: 1 } as never)).rejects.toThrow(TypeError);
    expect(() => asCompleted(q.items, { indexed: 1 } as never)).toThrow(TypeError);
    await flush();
    expect(q.started).toBe(0);
  });

  test('bad options do not leave the inputs unhandled', async () => {
    const late = deferred<number>();
    const p = gather([late.promise], { settle: 1 } as never);
    late.reject(new Error('late'));
    await expect(p).rejects.toThrow(TypeError);
    await flush();
  });
});

/** Never called: type-checked by `tsc --noEmit` (what each task function resolves to or yields). */
export function typeChecks(): void {
  const p1 = Promise.resolve(1);
  const ps = Promise.resolve('s');
  // An array literal is a tuple, as for `Promise.all` (types.test.ts checks arrays and iterables).
  const all = gather([p1, ps]);
  expectType<IsExact<typeof all, Promise<[number, string]>>>();
  const mixed = gather([p1, 'plain']);
  expectType<IsExact<typeof mixed, Promise<[number, string]>>>();
  const settled = gather([p1], { settle: true });
  expectType<IsExact<typeof settled, Promise<[PromiseSettledResult<number>]>>>();
  gather([p1], {
    label: (item, index) => {
      expectType<IsExact<typeof item, Promise<number>>>();
      expectType<IsExact<typeof index, number>>();
      return '';
    },
  });

  const ac = asCompleted([p1]);
  expectType<IsExact<typeof ac, ProgressAsyncIterator<number, TasksBar>>>();
  const acIndexed = asCompleted([p1], { indexed: true });
  expectType<IsExact<typeof acIndexed, ProgressAsyncIterator<[number, number], TasksBar>>>();
  const acSettled = asCompleted([p1], { settle: true });
  expectType<IsExact<typeof acSettled, ProgressAsyncIterator<IndexedSettledResult<number>, TasksBar>>>();
  const acBoth = asCompleted([p1], { settle: true, indexed: true });
  expectType<IsExact<typeof acBoth, ProgressAsyncIterator<[number, IndexedSettledResult<number>], TasksBar>>>();

  const mapped = map(['a', 'bb'], async (s, ctx) => {
    expectType<IsExact<typeof s, string>>();
    expectType<IsExact<typeof ctx, CallContext>>();
    return s.length;
  });
  expectType<IsExact<typeof mapped, ProgressAsyncIterator<number, TasksBar>>>();
  const mappedSync = map(new Set([1]), (n) => String(n), { concurrency: 2, ordered: false });
  expectType<IsExact<typeof mappedSync, ProgressAsyncIterator<string, TasksBar>>>();
  const mappedSettled = map([1], async (n) => n > 0, { settle: true });
  expectType<IsExact<typeof mappedSettled, ProgressAsyncIterator<IndexedSettledResult<boolean>, TasksBar>>>();
  async function* rows() {
    yield { id: 1 };
  }
  const fromAsync = map(rows(), (row) => row.id, { label: (row) => String(row.id) });
  expectType<IsExact<typeof fromAsync, ProgressAsyncIterator<number, TasksBar>>>();

  const arr = progress([p1, p1]);
  expectType<IsExact<typeof arr, PromiseArrayIterator<Promise<number>>>>();
  for (const p of arr) expectType<IsExact<typeof p, Promise<number>>>();
  void (async () => {
    for await (const v of progress([p1, p1], { stallAfter: false })) expectType<IsExact<typeof v, number>>();
    for await (const r of acSettled) {
      if (r.status === 'fulfilled') expectType<IsExact<typeof r.value, number>>();
      else expectType<IsExact<typeof r.reason, unknown>>();
      expectType<IsExact<typeof r.index, number>>();
    }
  })();
  // @ts-expect-error `indexed` is not an option of gather
  void gather([p1], { indexed: true });
  // @ts-expect-error `concurrency` is not an option of asCompleted
  void asCompleted([p1], { concurrency: 2 });
}
