/**
 * The adapters: `progress(source)` over sync iterables, async iterables and ranges yields exactly the
 * source, counts each item when the next one is asked for, and closes the bar on every exit path.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { progress } from '../src/index.js';
import type { Bar } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { outcomeOf } from '../test-support/bar-internals.js';

/** Options for a quiet bar on its own plain (non-TTY) stream and a fake clock. */
function setup(): { stream: MemoryStream; clock: FakeClock; options: { stream: MemoryStream; clock: () => number } } {
  const stream = new MemoryStream();
  const clock = new FakeClock();
  return { stream, clock, options: { stream, clock: clock.read } };
}

function outcome(bar: Bar): string {
  return outcomeOf(bar);
}

/** A generator over `items` that records whether its `finally` ran. */
function tracked<T>(items: readonly T[]): { gen: Generator<T>; cleaned: () => boolean } {
  let cleaned = false;
  function* gen(): Generator<T> {
    try {
      yield* items;
    } finally {
      cleaned = true;
    }
  }
  return { gen: gen(), cleaned: () => cleaned };
}

function trackedAsync<T>(items: readonly T[]): { gen: AsyncGenerator<T>; cleaned: () => boolean } {
  let cleaned = false;
  async function* gen(): AsyncGenerator<T> {
    try {
      for (const item of items) {
        await Promise.resolve();
        yield item;
      }
    } finally {
      cleaned = true;
    }
  }
  return { gen: gen(), cleaned: () => cleaned };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

describe('sync sources', () => {
  test('array (fast path): yields exactly the array, total from length', () => {
    const { options } = setup();
    const rows = [{ id: 1 }, undefined, null, 0, '', NaN, { id: 2 }];
    const it = progress(rows, options);
    expect(it.bar.total).toBe(rows.length);
    const seen = [...it];
    expect(seen).toHaveLength(rows.length);
    seen.forEach((x, i) => expect(x).toBe(rows[i]));
    expect(it.bar.n).toBe(rows.length);
    expect(it.bar.isClosed).toBe(true);
  });

  test('an array with its own iterator is iterated through that iterator', () => {
    const { options } = setup();
    const odd = [1, 2, 3] as number[];
    Object.defineProperty(odd, Symbol.iterator, { value: () => ['x', 'y'][Symbol.iterator]() });
    expect([...progress(odd, options)]).toEqual(['x', 'y']);
  });

  test('sparse array: holes come out as undefined, like a bare for…of', () => {
    const { options } = setup();
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect([...progress(sparse, options)]).toEqual([...sparse]);
  });

  test('Set: its values in insertion order, total from size', () => {
    const { options } = setup();
    const set = new Set(['b', 'a', 'c']);
    const it = progress(set, options);
    expect(it.bar.total).toBe(3);
    expect([...it]).toEqual(['b', 'a', 'c']);
  });

  test('Map: its entries, total from size', () => {
    const { options } = setup();
    const map = new Map([
      ['x', 1],
      ['y', 2],
    ]);
    const it = progress(map, options);
    expect(it.bar.total).toBe(2);
    expect([...it]).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
  });

  test('generator: its values, total unknown unless given', () => {
    const { options } = setup();
    const it = progress(tracked([1, 2, 3]).gen, options);
    expect(it.bar.total).toBeUndefined();
    expect([...it]).toEqual([1, 2, 3]);
    expect(it.bar.n).toBe(3);
    const given = progress(tracked([1, 2, 3]).gen, { ...setup().options, total: 3 });
    expect(given.bar.total).toBe(3);
  });

  test('string: its code points, total counted in code points', () => {
    const { options } = setup();
    const text = 'a😀b数';
    const it = progress(text, options);
    expect([...it]).toEqual(['a', '😀', 'b', '数']);
    expect(it.bar.n).toBe(4);
    expect(it.bar.total).toBe(4);
  });

  test('typed array and a custom iterable with a `size`', () => {
    const { options } = setup();
    const bytes = new Uint8Array([5, 6, 7]);
    const typed = progress(bytes, options);
    expect(typed.bar.total).toBe(3);
    expect([...typed]).toEqual([5, 6, 7]);
    const custom = { size: 2, *[Symbol.iterator]() { yield 'p'; yield 'q'; } };
    const it = progress(custom, setup().options);
    expect(it.bar.total).toBe(2);
    expect([...it]).toEqual(['p', 'q']);
  });

  test('the total option overrides length and size', () => {
    expect(progress([1, 2, 3], { ...setup().options, total: 10 }).bar.total).toBe(10);
    expect(progress(new Set([1]), { ...setup().options, total: 0 }).bar.total).toBe(0);
    expect(progress(5, { ...setup().options, total: 7 }).bar.total).toBe(7);
  });

  test('range: 0 … n − 1, total n; progress(0) yields nothing', () => {
    const { options } = setup();
    const it = progress(5, options);
    expect(it.bar.total).toBe(5);
    expect([...it]).toEqual([0, 1, 2, 3, 4]);
    expect(it.bar.n).toBe(5);
    const empty = progress(0, setup().options);
    expect([...empty]).toEqual([]);
    expect(empty.bar.isClosed).toBe(true);
  });
});

describe('async sources', () => {
  test('async generator: its values, in order', async () => {
    const { options } = setup();
    const { gen, cleaned } = trackedAsync(['a', 'b', 'c']);
    const it = progress(gen, options);
    expect(await collect(it)).toEqual(['a', 'b', 'c']);
    expect(it.bar.n).toBe(3);
    expect(it.bar.isClosed).toBe(true);
    expect(cleaned()).toBe(true);
  });

  test('Node Readable.from: its chunks', async () => {
    const { options } = setup();
    const chunks = ['one', 'two', 'three'];
    expect(await collect(progress(Readable.from(chunks), options))).toEqual(chunks);
  });

  test('Node Readable in byte mode: the bytes arrive unchanged', async () => {
    const { options } = setup();
    const data = Buffer.from('x'.repeat(100_000));
    const readable = new Readable({
      read() {
        this.push(data);
        this.push(null);
      },
    });
    const out = await collect(progress(readable, { ...options, unit: 'B' }));
    expect(Buffer.concat(out as Buffer[]).equals(data)).toBe(true);
  });

  test('web ReadableStream: its chunks', async () => {
    const { options } = setup();
    const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    const out = await collect(progress(web, options));
    expect(out).toEqual(chunks);
  });

  test('a custom async iterable with a `size` gives the total', async () => {
    const { options } = setup();
    const source = {
      size: 2,
      async *[Symbol.asyncIterator]() {
        yield 1;
        yield 2;
      },
    };
    const it = progress(source, options);
    expect(it.bar.total).toBe(2);
    expect(await collect(it)).toEqual([1, 2]);
  });

  test('a source that is both sync and async iterable is iterated asynchronously', async () => {
    const { options } = setup();
    const both = {
      *[Symbol.iterator]() {
        yield 'sync';
      },
      async *[Symbol.asyncIterator]() {
        yield 'async';
      },
    };
    const it = progress(both, options);
    expect(typeof (it as AsyncIterable<string>)[Symbol.asyncIterator]).toBe('function');
    expect(await collect(it)).toEqual(['async']);
  });
});

describe('counting', () => {
  test('sync: an item counts when the next one is asked for; 3/3 at the end', () => {
    const { options, stream, clock } = setup();
    const it = progress(['a', 'b', 'c'], options);
    const during: number[] = [];
    for (const _ of it) {
      clock.advance(100);
      during.push(it.bar.n);
    }
    expect(during).toEqual([0, 1, 2]);
    expect(it.bar.n).toBe(3);
    expect(stream.lines.at(-1)).toMatch(/100%\|█+\| 3\/3 /);
  });

  test('sync, step by step through next()', () => {
    const it = progress(new Set([10, 20]), setup().options);
    expect(it.bar.n).toBe(0);
    expect(it.next()).toEqual({ value: 10, done: false });
    expect(it.bar.n).toBe(0);
    expect(it.next()).toEqual({ value: 20, done: false });
    expect(it.bar.n).toBe(1);
    expect(it.next().done).toBe(true);
    expect(it.bar.n).toBe(2);
    expect(it.bar.isClosed).toBe(true);
    expect(it.next().done).toBe(true); // stays done
    expect(it.bar.n).toBe(2);
  });

  test('async: same counting; 3/3 at the end', async () => {
    const { options, stream, clock } = setup();
    const it = progress(trackedAsync(['a', 'b', 'c']).gen, { ...options, total: 3 });
    const during: number[] = [];
    for await (const _ of it) {
      clock.advance(100);
      during.push(it.bar.n);
    }
    expect(during).toEqual([0, 1, 2]);
    expect(it.bar.n).toBe(3);
    expect(stream.lines.at(-1)).toMatch(/100%\|█+\| 3\/3 /);
  });

  test('range and initial', () => {
    const { options, stream } = setup();
    const it = progress(4, { ...options, initial: 6, total: 10 });
    expect([...it]).toEqual([0, 1, 2, 3]);
    expect(it.bar.n).toBe(10);
    expect(stream.lines.at(-1)).toMatch(/100%\|█+\| 10\/10 /);
  });
});

describe('every exit path closes the bar', () => {
  test('sync end of source: done', () => {
    const { gen, cleaned } = tracked([1, 2]);
    const it = progress(gen, setup().options);
    expect([...it]).toEqual([1, 2]);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('done');
    expect(cleaned()).toBe(true);
  });

  test('sync break: the generator’s finally runs, the bar closes', () => {
    for (const source of ['generator', 'array', 'range', 'set'] as const) {
      const { gen, cleaned } = tracked([1, 2, 3, 4]);
      const it =
        source === 'generator'
          ? progress(gen, setup().options)
          : source === 'array'
            ? progress([1, 2, 3, 4], setup().options)
            : source === 'range'
              ? progress(4, setup().options)
              : progress(new Set([1, 2, 3, 4]), setup().options);
      for (const x of it as Iterable<number>) if (x >= 2) break;
      expect(it.bar.isClosed).toBe(true);
      expect(outcome(it.bar)).toBe('stopped');
      if (source === 'generator') expect(cleaned()).toBe(true);
    }
  });

  test('sync break: the source iterator’s return() is called once', () => {
    let returns = 0;
    const source: Iterable<number> = {
      [Symbol.iterator]() {
        let i = 0;
        return {
          next: () => ({ value: i++, done: false }),
          return: () => {
            returns++;
            return { value: undefined, done: true };
          },
        };
      },
    };
    const it = progress(source, setup().options);
    for (const x of it) if (x === 3) break;
    expect(returns).toBe(1);
    expect(it.bar.isClosed).toBe(true);
    it.return?.(); // a second return() does not reach the source again
    expect(returns).toBe(1);
  });

  test('sync exception in the loop body: finally runs, the bar closes, the error passes through', () => {
    const { gen, cleaned } = tracked([1, 2, 3]);
    const it = progress(gen, setup().options);
    const boom = new Error('body');
    let caught: unknown;
    try {
      for (const x of it) if (x === 2) throw boom;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(boom);
    expect(cleaned()).toBe(true);
    expect(it.bar.isClosed).toBe(true);
  });

  test('sync exception from the source: re-thrown as the same object, bar closed as failed', () => {
    const boom = new RangeError('source broke');
    function* failing(): Generator<number> {
      yield 1;
      throw boom;
    }
    const { options, stream } = setup();
    const it = progress(failing(), options);
    let caught: unknown;
    try {
      for (const _ of it);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(boom);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('failed');
    expect(stream.lines.at(-1)).toMatch(/✗ 1 it/);
  });

  test('sync: a throwing [Symbol.iterator]() fails the same way', () => {
    const boom = { not: 'an Error' };
    const source = {
      [Symbol.iterator](): Iterator<number> {
        throw boom;
      },
    };
    const it = progress(source, setup().options);
    let caught: unknown;
    try {
      it.next();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(boom);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('failed');
    expect(it.next().done).toBe(true);
  });

  test('async: a throwing [Symbol.asyncIterator]() fails the same way', async () => {
    const boom = new Error('no iterator');
    const source = {
      [Symbol.asyncIterator](): AsyncIterator<number> {
        throw boom;
      },
    };
    const it = progress(source, setup().options);
    await expect(it.next()).rejects.toBe(boom);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('failed');
  });

  test('async end, break, body exception, source exception', async () => {
    // end
    const a = trackedAsync([1, 2]);
    const itA = progress(a.gen, setup().options);
    await collect(itA);
    expect(itA.bar.isClosed && a.cleaned()).toBe(true);
    expect(outcome(itA.bar)).toBe('done');

    // break
    const b = trackedAsync([1, 2, 3]);
    const itB = progress(b.gen, setup().options);
    for await (const x of itB) if (x === 2) break;
    expect(b.cleaned()).toBe(true);
    expect(itB.bar.isClosed).toBe(true);
    expect(outcome(itB.bar)).toBe('stopped');

    // exception in the body
    const c = trackedAsync([1, 2, 3]);
    const itC = progress(c.gen, setup().options);
    const bodyError = new Error('body');
    await expect(
      (async () => {
        for await (const x of itC) if (x === 2) throw bodyError;
      })(),
    ).rejects.toBe(bodyError);
    expect(c.cleaned()).toBe(true);
    expect(itC.bar.isClosed).toBe(true);

    // exception from the source
    const sourceError = new TypeError('source');
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      await Promise.resolve();
      throw sourceError;
    }
    const { options, stream } = setup();
    const itD = progress(failing(), options);
    await expect(collect(itD)).rejects.toBe(sourceError);
    expect(itD.bar.isClosed).toBe(true);
    expect(outcome(itD.bar)).toBe('failed');
    expect(stream.lines.at(-1)).toMatch(/✗ 1 it/);
  });

  test('async: a source whose next() throws synchronously fails with the same object', async () => {
    const boom = new Error('sync throw in next');
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          throw boom;
        },
      }),
    };
    const it = progress(source, setup().options);
    await expect(it.next()).rejects.toBe(boom);
    expect(it.bar.isClosed).toBe(true);
  });

  test('Node Readable: break destroys it; an error is re-thrown as the same object', async () => {
    const readable = Readable.from(['a', 'b', 'c', 'd']);
    const it = progress(readable, setup().options);
    for await (const x of it) if (x === 'b') break;
    expect(readable.destroyed).toBe(true);
    expect(it.bar.isClosed).toBe(true);

    const boom = new Error('stream failed');
    const failing = new Readable({
      objectMode: true,
      read() {
        this.destroy(boom);
      },
    });
    const itE = progress(failing, setup().options);
    await expect(collect(itE)).rejects.toBe(boom);
    expect(itE.bar.isClosed).toBe(true);
    expect(outcome(itE.bar)).toBe('failed');
  });

  test('web ReadableStream: break cancels it; an error is re-thrown as the same object', async () => {
    let cancelled = false;
    const web = new ReadableStream<number>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(i);
      },
      cancel() {
        cancelled = true;
      },
    });
    const it = progress(web, setup().options);
    for await (const x of it) if (x === 1) break;
    expect(cancelled).toBe(true);
    expect(it.bar.isClosed).toBe(true);

    const boom = new Error('web failed');
    const failing = new ReadableStream<number>({
      pull(controller) {
        controller.error(boom);
      },
    });
    const itE = progress(failing, setup().options);
    await expect(collect(itE)).rejects.toBe(boom);
    expect(itE.bar.isClosed).toBe(true);
  });
});

describe('weights', () => {
  test('a weight function advances the bar by its result', () => {
    const { options, stream } = setup();
    const it = progress(['ab', 'cde', ''], { ...options, weight: (s) => s.length, total: 5 });
    expect([...it]).toEqual(['ab', 'cde', '']);
    expect(it.bar.n).toBe(5);
    expect(stream.lines.at(-1)).toMatch(/100%\|█+\| 5\/5 /);
  });

  test('a weight with an array still yields the array exactly', () => {
    const rows = [3, 1, 2];
    expect([...progress(rows, { ...setup().options, weight: (x) => x })]).toEqual(rows);
  });

  test("unit 'B' counts byte lengths by default", () => {
    const { options, stream } = setup();
    const chunks = [Buffer.from('abc'), new Uint8Array(5), 'é', new ArrayBuffer(7), new Uint16Array(2), { other: 1 }];
    const it = progress(chunks, { ...options, unit: 'B' });
    expect([...it]).toEqual(chunks);
    expect(it.bar.n).toBe(3 + 5 + 2 + 7 + 4 + 1);
    expect(stream.lines.at(-1)).toMatch(/^22 B \[/);
  });

  test("unit 'B': the number of chunks is not taken as a byte total", () => {
    const it = progress([Buffer.alloc(1000), Buffer.alloc(1000)], { ...setup().options, unit: 'B' });
    [...it];
    expect(it.bar.n).toBe(2000);
    expect(it.bar.total === undefined || it.bar.total >= it.bar.n).toBe(true);
  });

  test("unit 'B' over a Node Readable and a web ReadableStream", async () => {
    const { options, stream } = setup();
    const readable = Readable.from([Buffer.alloc(1000), Buffer.alloc(234)]);
    const it = progress(readable, { ...options, unit: 'B', total: 1234 });
    await collect(it);
    expect(it.bar.n).toBe(1234);
    expect(stream.lines.at(-1)).toMatch(/100%\|█+\| 1\.23 kB\/1\.23 kB /);

    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(4096));
        controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const itW = progress(web, { ...setup().options, unit: 'B' });
    await collect(itW);
    expect(itW.bar.n).toBe(4106);
  });

  test('a weight returning NaN throws a clear error and cleans up the source', () => {
    const { gen, cleaned } = tracked([1, 2, 3]);
    const it = progress(gen, { ...setup().options, weight: (x) => (x === 2 ? NaN : 1) });
    let caught: unknown;
    const seen: number[] = [];
    try {
      for (const x of it) seen.push(x);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toBe('Expected `weight(item)` to be a finite number, got `NaN` (number)');
    expect(seen).toEqual([1]);
    expect(cleaned()).toBe(true);
    expect(it.bar.isClosed).toBe(true);
  });

  test('a weight returning a non-number or Infinity throws too', () => {
    for (const bad of ['3', Infinity, undefined]) {
      const it = progress([1], { ...setup().options, weight: () => bad as unknown as number });
      expect(() => [...it]).toThrow(/`weight\(item\)` to be a finite number/);
      expect(it.bar.isClosed).toBe(true);
    }
  });

  test('a weight that throws: the same error, the source cleaned up', async () => {
    const boom = new Error('weight broke');
    const s = tracked([1, 2]);
    const it = progress(s.gen, { ...setup().options, weight: () => { throw boom; } });
    expect(() => it.next()).toThrow(boom);
    expect(s.cleaned()).toBe(true);
    expect(it.bar.isClosed).toBe(true);

    const a = trackedAsync([1, 2]);
    const itA = progress(a.gen, { ...setup().options, weight: () => NaN });
    await expect(collect(itA)).rejects.toThrow(/`weight\(item\)` to be a finite number, got `NaN`/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.cleaned()).toBe(true);
    expect(itA.bar.isClosed).toBe(true);
  });
});

describe('weights: cleanup failures', () => {
  test('async: a source whose cleanup fails after a bad weight causes no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      async function* gen(): AsyncGenerator<number> {
        try {
          yield 1;
          yield 2;
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new Error('cleanup failed');
        }
      }
      const it = progress(gen(), { ...setup().options, weight: () => NaN });
      await expect(collect(it)).rejects.toThrow(/`weight\(item\)`/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(it.bar.isClosed).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('property: wrapped iteration yields exactly what the bare one does', () => {
  const items = fc.array(fc.anything(), { maxLength: 40 });
  /** Where to break: after taking this many items, or never. */
  const breakAt = fc.option(fc.nat(45), { nil: undefined });

  function takeSync<T>(source: Iterable<T>, k: number | undefined): T[] {
    const out: T[] = [];
    for (const x of source) {
      out.push(x);
      if (out.length === k) break;
    }
    return out;
  }

  async function takeAsync<T>(source: AsyncIterable<T>, k: number | undefined): Promise<T[]> {
    const out: T[] = [];
    for await (const x of source) {
      out.push(x);
      if (out.length === k) break;
    }
    return out;
  }

  /** What the bar must count: items whose loop body finished. */
  function expectedCount(taken: number, k: number | undefined): number {
    return k !== undefined && k > 0 && taken === k ? k - 1 : taken;
  }

  test('sync: arrays, generators, Sets, ranges', () => {
    fc.assert(
      fc.property(items, breakAt, fc.constantFrom('array', 'generator', 'set', 'range'), (xs, k, kind) => {
        const make = (): Iterable<unknown> =>
          kind === 'array' ? xs : kind === 'generator' ? tracked(xs).gen : kind === 'set' ? new Set(xs) : rangeOf(xs.length);
        const bare = takeSync(make(), k);
        const t = tracked(xs);
        const source = kind === 'generator' ? t.gen : make();
        const it = kind === 'range' ? progress(xs.length, setup().options) : progress(source, setup().options);
        const wrapped = takeSync(it as Iterable<unknown>, k);
        expect(wrapped).toHaveLength(bare.length);
        wrapped.forEach((x, i) => expect(Object.is(x, bare[i])).toBe(true));
        expect(it.bar.isClosed).toBe(true);
        expect(it.bar.n).toBe(expectedCount(wrapped.length, k));
        if (kind === 'generator') expect(t.cleaned()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('sync with a weight', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 40 }), breakAt, (xs, k) => {
        const it = progress(xs, { ...setup().options, weight: (x) => x });
        const wrapped = takeSync(it, k);
        expect(wrapped).toEqual(takeSync(xs, k));
        const counted = wrapped.slice(0, expectedCount(wrapped.length, k));
        expect(it.bar.n).toBe(counted.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 200 },
    );
  });

  test('async: async generators and Node Readables', async () => {
    await fc.assert(
      fc.asyncProperty(items, breakAt, fc.constantFrom('generator', 'readable'), async (xs, k, kind) => {
        const values = kind === 'readable' ? xs.filter((x) => x !== null) : xs;
        const bare = await takeAsync(trackedAsync(values).gen, k);
        const t = trackedAsync(values);
        const readable = Readable.from(values);
        const it = progress(kind === 'generator' ? t.gen : readable, setup().options);
        const wrapped = await takeAsync(it as AsyncIterable<unknown>, k);
        expect(wrapped).toHaveLength(bare.length);
        wrapped.forEach((x, i) => expect(Object.is(x, bare[i])).toBe(true));
        expect(it.bar.isClosed).toBe(true);
        expect(it.bar.n).toBe(expectedCount(wrapped.length, k));
        if (kind === 'generator') expect(t.cleaned()).toBe(true);
        else expect(readable.destroyed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

function* rangeOf(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

describe('lazy counting of index-based iterators, and the unread fast path of async ones', () => {
  test('bar.n is exact at every item of an array and a range loop, on a live terminal stream', () => {
    for (const make of [
      (s: MemoryStream) => progress(Array.from({ length: 5000 }, (_, i) => i), { stream: s }),
      (s: MemoryStream) => progress(5000, { stream: s }),
    ]) {
      const it = make(new MemoryStream({ isTTY: true, columns: 80 }));
      let finished = 0;
      for (const _ of it) {
        expect(it.bar.n).toBe(finished); // the item in the body is not counted yet
        finished++;
      }
      expect(it.bar.n).toBe(5000);
      expect(it.bar.isClosed).toBe(true);
    }
  });

  test('a fast async source that ends short of its known total still closes its bar, with the true count', async () => {
    const stream = new MemoryStream();
    async function* short() {
      for (let i = 0; i < 3000; i++) yield i;
    }
    const it = progress(short(), { total: 10_000, stream, minInterval: 20 });
    let seen = 0;
    for await (const _ of it) seen++;
    expect(seen).toBe(3000);
    // Closed at once or by the watch timer within about one minInterval.
    const deadline = Date.now() + 2000;
    while (!it.bar.isClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(it.bar.isClosed).toBe(true);
    expect(it.bar.n).toBe(3000);
    expect(stream.lines.at(-1)).toMatch(/3000\/10000/);
  });

  test('total unknown (results peeked): closed with its final line before the code after the loop, the count exact at every item', async () => {
    const stream = new MemoryStream();
    async function* numbers() {
      for (let i = 0; i < 5000; i++) yield i;
    }
    const it = progress(numbers(), { stream, minInterval: 20 });
    let seen = 0;
    let exact = true;
    for await (const _ of it) {
      exact &&= it.bar.n === seen; // the item in the body is not counted yet
      seen++;
    }
    // The code after the loop: no tick has passed since the loop's last result.
    expect(exact).toBe(true);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('done');
    expect(it.bar.n).toBe(5000);
    expect(stream.lines.at(-1)).toMatch(/^5000 it /);
  });

  test('total unknown, the source fails after 3000 items: the loop gets its error unchanged, the bar already failed in the catch', async () => {
    const stream = new MemoryStream();
    const boom = new Error('source failed');
    async function* failing() {
      for (let i = 0; i < 3000; i++) yield i;
      throw boom;
    }
    const it = progress(failing(), { stream, minInterval: 20 });
    let seen = 0;
    let caught: unknown;
    try {
      for await (const _ of it) seen++;
    } catch (error) {
      caught = error;
      expect(it.bar.isClosed).toBe(true);
      expect(outcome(it.bar)).toBe('failed');
    }
    expect(caught).toBe(boom);
    expect(seen).toBe(3000);
    expect(it.bar.n).toBe(3000);
    expect(stream.lines.at(-1)).toMatch(/^✗ 3000 it /);
  });

  test('total unknown, a result whose `done` getter throws after 3000 items: the loop throws it, the bar already failed', async () => {
    const boom = new Error('done getter');
    let i = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () =>
          i < 3000
            ? { value: i++, done: false }
            : ({
                value: i,
                get done(): boolean {
                  throw boom;
                },
              } as IteratorResult<number>),
      }),
    };
    const it = progress(source, { stream: new MemoryStream(), minInterval: 20 });
    let caught: unknown;
    try {
      for await (const _ of it);
    } catch (error) {
      caught = error;
      expect(outcome(it.bar)).toBe('failed');
    }
    expect(caught).toBe(boom);
    expect(it.bar.n).toBe(3000);
  });
});

describe('a sync loop that slows down after a fast stretch (issue 8, item 8)', () => {
  /** A fake clock and a terminal stream that notes the fake time of every write (a frame). */
  function timedTerminal(): { clock: FakeClock; stream: MemoryStream; times: number[] } {
    const clock = new FakeClock();
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const times: number[] = [];
    const write = stream.write.bind(stream);
    stream.write = (chunk) => {
      times.push(clock.now);
      return write(chunk);
    };
    return { clock, stream, times };
  }

  /**
   * 1,000,000 fast items (10 ns each on the fake clock), then slow ones of 10 ms: the longest stretch of
   * fake time without a frame, from the slow-down to the end. Frames are timed by the writes to a
   * terminal stream (each slow item changes the count, so every frame drawn is written).
   */
  function longestGapAfterSlowDown(drive: (stream: MemoryStream, clock: FakeClock, fast: () => void, slow: () => void) => void): number {
    const { clock, stream, times } = timedTerminal();
    let slowFrom = -1;
    drive(
      stream,
      clock,
      () => clock.advance(0.00001),
      () => {
        if (slowFrom < 0) slowFrom = clock.now;
        clock.advance(10);
      },
    );
    expect(slowFrom).toBeGreaterThanOrEqual(0);
    let gap = 0;
    let last = slowFrom;
    for (const t of times) {
      if (t < slowFrom) continue;
      gap = Math.max(gap, t - last);
      last = t;
    }
    return gap;
  }

  const FAST = 1_000_000;
  const SLOW = 300; // 3 s of slow items

  test.each([
    ['an array', (s: MemoryStream, c: FakeClock) => progress(Array.from({ length: FAST + SLOW }, (_, i) => i), { stream: s, clock: c.read, captureOutput: false })],
    ['a range', (s: MemoryStream, c: FakeClock) => progress(FAST + SLOW, { stream: s, clock: c.read, captureOutput: false })],
    ['a generator', (s: MemoryStream, c: FakeClock) => progress(rangeOf(FAST + SLOW), { stream: s, clock: c.read, captureOutput: false })],
  ])('%s: a frame within 1 s of fake time after the slow-down, and every second after', (_name, make) => {
    const gap = longestGapAfterSlowDown((stream, clock, fast, slow) => {
      for (const i of make(stream, clock)) (i < FAST ? fast : slow)();
    });
    expect(gap).toBeLessThanOrEqual(1000);
  });

  test('an async generator that never waits for I/O (timers starve), total known (unread fast path): the same', async () => {
    const { clock, stream, times } = timedTerminal();
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < FAST + SLOW; i++) yield i;
    }
    let slowFrom = -1;
    for await (const i of progress(numbers(), { stream, clock: clock.read, captureOutput: false, total: FAST + SLOW })) {
      if (i < FAST) clock.advance(0.00001);
      else {
        if (slowFrom < 0) slowFrom = clock.now;
        clock.advance(10);
      }
    }
    let gap = 0;
    let last = slowFrom;
    for (const t of times.filter((t) => t >= slowFrom)) {
      gap = Math.max(gap, t - last);
      last = t;
    }
    expect(gap).toBeLessThanOrEqual(1000);
  });

  test('a manual bar updated from a sync loop: the same', () => {
    const gap = longestGapAfterSlowDown((stream, clock, fast, slow) => {
      const bar = progress.bar({ stream, clock: clock.read, captureOutput: false, total: FAST + SLOW });
      for (let i = 0; i < FAST + SLOW; i++) {
        (i < FAST ? fast : slow)();
        bar.update();
      }
      bar.close();
    });
    expect(gap).toBeLessThanOrEqual(1000);
  });
});

describe('a source whose next() gives a non-object (issue 8, item 15)', () => {
  /** What a bare loop throws, to compare with. */
  function bareError(run: () => void): unknown {
    try {
      run();
    } catch (error) {
      return error;
    }
    return undefined;
  }

  /** An iterable whose `next()` gives `bad` after `good` items. */
  function broken(bad: unknown, good = 2): Iterable<number> {
    return {
      [Symbol.iterator]() {
        let i = 0;
        return { next: () => (i < good ? { value: i++, done: false } : bad) } as Iterator<number>;
      },
    };
  }

  test.each([[5], [null], [undefined], ['x']])('sync, next() returns %p: the TypeError a bare for…of throws, the bar closed as failed', (bad) => {
    const { options } = setup();
    const expected = bareError(() => {
      for (const _ of broken(bad));
    });
    expect(expected).toBeInstanceOf(TypeError);
    const it = progress(broken(bad), options);
    let seen = 0;
    const error = bareError(() => {
      for (const _ of it) seen++;
    });
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe((expected as Error).message);
    expect(seen).toBe(2);
    expect(it.bar.isClosed).toBe(true);
    expect(outcome(it.bar)).toBe('failed');
  });

  test('sync, a `done` getter that throws: the same error, the bar closed as failed', () => {
    const { options } = setup();
    const boom = new Error('done getter');
    const source = {
      [Symbol.iterator]: () => ({
        next: () => ({
          get done(): boolean {
            throw boom;
          },
          value: 1,
        }),
      }),
    };
    const it = progress(source as Iterable<number>, options);
    expect(() => {
      for (const _ of it);
    }).toThrow(boom);
    expect(outcome(it.bar)).toBe('failed');
  });

  /** An async iterable whose `next()` resolves to `bad` after `good` items. */
  function brokenAsync(bad: unknown, good: number): AsyncIterable<number> {
    return {
      [Symbol.asyncIterator]() {
        let i = 0;
        return { next: async () => (i < good ? { value: i++, done: false } : bad) } as AsyncIterator<number>;
      },
    };
  }

  test.each([[null], [5]])('async, next() resolves to %p: the loop rejects with a TypeError, the bar closed as failed', async (bad) => {
    const { options } = setup();
    const it = progress(brokenAsync(bad, 3), options);
    let seen = 0;
    const error = await (async () => {
      for await (const _ of it) seen++;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/Iterator result .* is not an object/);
    expect(seen).toBe(3);
    expect(outcome(it.bar)).toBe('failed');
  });

  test('async, fast source with a known total (results handed back unread): the bar still closes as failed', async () => {
    const stream = new MemoryStream();
    const it = progress(brokenAsync(null, 5000), { stream, total: 10_000, minInterval: 20 });
    const error = await (async () => {
      for await (const _ of it);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    const deadline = Date.now() + 2000;
    while (!it.bar.isClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(outcome(it.bar)).toBe('failed');
    expect(it.bar.n).toBe(5000);
  });
});

describe('a source whose `length` or `size` getter throws (issue 8, item 16)', () => {
  /** Iterable like a bare loop wants it, with a `length` (or `size`) getter that throws. */
  function withThrowingGetter<T>(items: readonly T[], key: 'length' | 'size'): Iterable<T> {
    const source = { [Symbol.iterator]: () => items[Symbol.iterator]() };
    Object.defineProperty(source, key, {
      get() {
        throw new Error(`${key} is not available`);
      },
    });
    return source;
  }

  test.each([['length' as const], ['size' as const]])('sync: %s that throws: the loop runs, total unknown', (key) => {
    const { options, stream } = setup();
    const it = progress(withThrowingGetter([1, 2, 3], key), options);
    expect([...it]).toEqual([1, 2, 3]);
    expect(it.bar.total).toBeUndefined();
    expect(stream.lines.at(-1)).toMatch(/^3 it /);
  });

  test('async: the same', async () => {
    const { options } = setup();
    const source = {
      async *[Symbol.asyncIterator]() {
        yield 1;
        yield 2;
      },
      get length(): number {
        throw new Error('no length');
      },
    };
    const it = progress(source, options);
    expect(await collect(it)).toEqual([1, 2]);
    expect(it.bar.total).toBeUndefined();
    const bytes = progress(source, { ...options, unit: 'B' });
    expect(await collect(bytes)).toEqual([1, 2]);
  });

  test('map, gather and asCompleted: the same', async () => {
    const { options } = setup();
    const source = withThrowingGetter([1, 2, 3], 'length');
    const out: number[] = [];
    for await (const v of progress.map(source, (x) => x * 2, options)) out.push(v);
    expect(out).toEqual([2, 4, 6]);
    expect(await progress.gather(source, options)).toEqual([1, 2, 3]);
    expect(await collect(progress.asCompleted(source, options))).toEqual([1, 2, 3]);
  });
});
