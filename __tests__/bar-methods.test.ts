/**
 * The bar methods tqdm users reach for: `set({ n })` (an absolute count, tqdm's `update_to`), `reset(total?)`,
 * `refresh()` and `clear()`, on a terminal (an xterm screen) and in plain output; and the options whose
 * units they meet: `rateWindow` in milliseconds, `unitDivisor`.
 */
import { describe, expect, test } from '@jest/globals';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';

function setup(tty = false): { stream: MemoryStream; clock: FakeClock; options: { stream: MemoryStream; clock: () => number; captureOutput: boolean } } {
  const stream = tty ? new MemoryStream({ isTTY: true, columns: 80, rows: 10 }) : new MemoryStream();
  const clock = new FakeClock();
  return { stream, clock, options: { stream, clock: clock.read, captureOutput: false } };
}

const screenOf = async (stream: MemoryStream): Promise<string> => (await renderScreen(stream.text, 80, 10)).text;

describe('set({ n }): an absolute count', () => {
  test('moves the count to n, forwards or back, exactly', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'upload', total: 1000 });
    bar.set({ n: 250 });
    expect(bar.n).toBe(250);
    bar.set({ n: 100 }); // a retry starts the file again
    expect(bar.n).toBe(100);
    bar.set({ n: 0.3 });
    bar.set({ n: 0.1 });
    bar.set({ n: 0.3 });
    expect(bar.n).toBe(0.3); // not 0.30000000000000004
    clock.advance(2_000);
    bar.set({ n: 1000, postfix: 'ok' });
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^upload: 100%\|█+\| 1000\/1000 \[00:02<00:00, 500 it\/s, ok\]$/);
  });

  test('a bad n is a TypeError naming it, and nothing of the update is applied', () => {
    const { options } = setup();
    const bar = progress.bar({ ...options, desc: 'a', total: 10 });
    bar.set({ n: 4 });
    for (const bad of [Infinity, NaN, '5', null]) {
      expect(() => bar.set({ desc: 'b', n: bad as number })).toThrow(TypeError);
    }
    expect(() => bar.set({ n: NaN })).toThrow('Expected `n` to be a finite number, got `NaN` (number)');
    expect(bar.n).toBe(4);
    expect(bar.desc).toBe('a');
    expect(() => bar.set({ initial: 3 } as never)).toThrow('Unknown option `initial` (bar.set() takes `desc`, `total`, `postfix` and `n`)');
    bar.close();
  });

  test('after close() the count stays what the final line says (desc and total still change, as before)', () => {
    const { options } = setup();
    const bar = progress.bar({ ...options, total: 10 });
    bar.set({ n: 7 });
    bar.close();
    bar.set({ n: 9 });
    expect(bar.n).toBe(7);
  });

  test('on a terminal: a callback reporting "bytes so far" moves the bar like update() does', async () => {
    const { options, stream, clock } = setup(true);
    const bar = progress.bar({ ...options, desc: 'dl', total: 4_000_000, unit: 'B' });
    for (let sent = 100_000; sent <= 2_000_000; sent += 100_000) {
      clock.advance(50);
      bar.set({ n: sent });
    }
    expect(await screenOf(stream)).toMatch(/^dl: {2}50%\|[^|]+\| 2\.00 MB\/4\.00 MB \[00:01<00:0[12], 2\.00 MB\/s\]$/);
    bar.close();
  });

  test("an iterator's bar: the count set is where the loop goes on from", () => {
    const { options } = setup();
    const it = progress([1, 2, 3, 4, 5, 6], options);
    let seen = 0;
    for (const _ of it) {
      if (++seen === 3) it.bar.set({ n: 0 }); // the 2 items finished so far are forgotten
    }
    expect(it.bar.n).toBe(4); // the loop finished 4 more items after that
  });
});

describe('reset(total?)', () => {
  test('starts over: count 0 (not initial), timer, rate and ETA afresh; the total changes or stays', () => {
    const { options, clock } = setup();
    const bar = progress.bar({ ...options, total: 100, initial: 10 });
    clock.advance(10_000);
    bar.update(90);
    expect(bar.elapsed).toBe(10);
    expect(bar.rate).toBeCloseTo(9, 9);
    bar.reset();
    expect(bar.n).toBe(0);
    expect(bar.total).toBe(100);
    expect(bar.elapsed).toBe(0);
    expect(bar.rate).toBeUndefined();
    clock.advance(1_000);
    bar.update(50);
    expect(bar.rate).toBeCloseTo(50, 9); // the rate before the reset weighs nothing
    bar.reset(40);
    expect(bar.total).toBe(40);
    bar.reset(undefined);
    expect(bar.total).toBe(40);
    clock.advance(2_000);
    bar.update(40);
    bar.close();
    expect(bar.elapsed).toBe(2);
    expect(bar.rate).toBeCloseTo(20, 9); // the overall average counts from the reset
  });

  test('a bad total is a RangeError and changes nothing; a closed bar cannot be reset', () => {
    const { options } = setup();
    const bar = progress.bar({ ...options, total: 10 });
    bar.update(3);
    expect(() => bar.reset(-1)).toThrow('Expected `total` to be a non-negative number, got `-1` (number)');
    expect(bar.n).toBe(3);
    bar.close();
    expect(() => bar.reset()).toThrow('Cannot reset a closed bar');
    expect(bar.n).toBe(3);
  });

  test('per epoch on a terminal: the bar shows 0 at once, then counts the new epoch', async () => {
    const { options, stream, clock } = setup(true);
    const bar = progress.bar({ ...options, desc: 'epoch 1', total: 4 });
    for (let i = 0; i < 4; i++) {
      clock.advance(250);
      bar.update();
    }
    expect(await screenOf(stream)).toMatch(/^epoch 1: 100%\|█+\| 4\/4 \[00:01<00:00, 4\.00 it\/s\]$/);
    clock.advance(10); // within minInterval of the last frame: reset draws anyway
    bar.set({ desc: 'epoch 2' });
    bar.reset(8);
    expect(await screenOf(stream)).toMatch(/^epoch 2: {3}0%\| +\| 0\/8 \[00:00<\?, \? it\/s\]$/);
    clock.advance(1_000);
    bar.update(2);
    expect(await screenOf(stream)).toMatch(/^epoch 2: {2}25%\|██.*\| 2\/8 \[00:01<00:03, 2\.00 it\/s\]$/);
    bar.close();
  });

  test('in a log: no extra line; the status lines count from the reset', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'e', total: 10, plainInterval: 5_000 });
    clock.advance(1_000);
    bar.update(10);
    bar.reset();
    expect(stream.lines).toEqual([]);
    clock.advance(5_000);
    bar.update(5);
    bar.close();
    expect(stream.lines).toEqual([
      expect.stringMatching(/^e: {2}50%\|[^|]+\| 5\/10 \[00:05<00:05, 1\.00 it\/s\]$/),
      expect.stringMatching(/^e: {2}50%\|[^|]+\| 5\/10 \[00:05<\?, 1\.00 it\/s\]$/),
    ]);
  });
});

/** A promise settled from outside, for tasks that settle when a test says so. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('task bars: the count is the number of tasks settled', () => {
  test('progress.map: reset(), set({ n }) and update() throw a clear Error and change nothing; the final line tells the truth', async () => {
    const { options, stream, clock } = setup();
    const gates = [0, 1, 2, 3].map(() => deferred<number>());
    const it = progress.map([0, 1, 2, 3], (i) => gates[i]!.promise, { ...options, desc: 'jobs', settle: true });
    const results: unknown[] = [];
    const loop = (async () => {
      for await (const r of it) results.push(r);
    })();
    await flush();
    clock.advance(1_000);
    gates[0]!.resolve(0);
    gates[1]!.reject(new Error('boom'));
    await flush();
    expect(it.bar.n).toBe(2);
    expect(() => it.bar.reset()).toThrow(
      'Cannot call bar.reset() on the bar of a set of tasks: its count is the number of tasks settled so far',
    );
    expect(() => it.bar.reset(10)).toThrow('Cannot call bar.reset()');
    expect(() => it.bar.set({ n: 0 })).toThrow('Cannot call bar.set({ n }) on the bar of a set of tasks');
    expect(() => it.bar.set({ n: 4, desc: 'x' })).toThrow(Error); // nothing of it applied: desc stays
    expect(it.bar.desc).toBe('jobs');
    expect(() => it.bar.update(2)).toThrow('Cannot call bar.update(2) on the bar of a set of tasks');
    expect(() => it.bar.update()).toThrow('Cannot call bar.update() on the bar');
    expect(it.bar.n).toBe(2);
    // What does not touch the count works as on any bar.
    it.bar.set({ desc: 'jobs (retry)', postfix: 'p=1' });
    expect(it.bar.desc).toBe('jobs (retry)');
    clock.advance(1_000);
    gates[2]!.resolve(2);
    gates[3]!.resolve(3);
    await loop;
    expect(results).toHaveLength(4);
    expect(it.bar.isClosed).toBe(true);
    expect(() => it.bar.reset()).toThrow('Cannot call bar.reset() on the bar of a set of tasks'); // closed or not
    // The final line, then (settle mode) the failure it names.
    expect(stream.lines.slice(-3)).toEqual([
      expect.stringMatching(/^jobs \(retry\): 100%\|█+\| 4\/4 \[00:02<00:00, 2\.00 it\/s, 1 failed, p=1\]$/),
      '  1 failed:',
      '    #1  Error: boom',
    ]);
  });

  test('progress.asCompleted and progress(arrayOfPromises): the same errors, before and while tasks settle', async () => {
    const { options, stream } = setup();
    const gate = deferred<number>();
    const completed = progress.asCompleted([Promise.resolve(1), gate.promise], { ...options, desc: 'a' });
    const fromArray = progress([Promise.resolve(1), gate.promise], { ...options, desc: 'b' });
    for (const bar of [completed.bar, fromArray.bar]) {
      expect(() => bar.reset()).toThrow('Cannot call bar.reset() on the bar of a set of tasks');
      expect(() => bar.set({ n: 1 })).toThrow('Cannot call bar.set({ n }) on the bar of a set of tasks');
      expect(() => bar.update()).toThrow('Cannot call bar.update() on the bar of a set of tasks');
      bar.set({ total: 2 }); // the total may still change
    }
    const seen: number[] = [];
    const loops = Promise.all([
      (async () => {
        for await (const v of completed) seen.push(v);
      })(),
      (async () => {
        for await (const v of fromArray) seen.push(v);
      })(),
    ]);
    await flush();
    expect(completed.bar.n).toBe(1);
    expect(() => completed.bar.reset()).toThrow(Error);
    expect(completed.bar.n).toBe(1);
    gate.resolve(2);
    await loops;
    expect(seen.sort()).toEqual([1, 1, 2, 2]);
    expect(stream.lines).toEqual([
      expect.stringMatching(/^a: 100%\|█+\| 2\/2 /),
      expect.stringMatching(/^b: 100%\|█+\| 2\/2 /),
    ]);
  });

  test('a manual bar and a loop bar keep them (the rule is for task bars only)', () => {
    const { options } = setup();
    const it = progress([1, 2, 3], options);
    it.bar.set({ n: 2 });
    expect(it.bar.n).toBe(2);
    it.bar.reset();
    expect(it.bar.n).toBe(0);
  });
});

describe('refresh()', () => {
  test('on a terminal: draws now, inside the throttle', async () => {
    const { options, stream, clock } = setup(true);
    const bar = progress.bar({ ...options, desc: 'r', total: 10, minInterval: 1_000 });
    clock.advance(100);
    bar.update(3);
    expect(await screenOf(stream)).toMatch(/ 0\/10 /); // throttled: the first frame still stands
    const writes = stream.writes.length;
    bar.refresh();
    expect(stream.writes.length).toBe(writes + 1); // one frame, one write
    expect(await screenOf(stream)).toMatch(/^r: {2}30%\|[^|]+\| 3\/10 /);
    bar.close();
    bar.refresh(); // closed: nothing
    expect(await screenOf(stream)).toMatch(/^r: {2}30%\|[^|]+\| 3\/10 /);
  });

  test('in a log: a top-level bar writes its status line now; a nested one writes nothing', () => {
    const { options, stream, clock } = setup();
    const outer = progress.bar({ ...options, desc: 'outer', total: 4 });
    const inner = progress.bar({ ...options, desc: 'inner', total: 2, parent: outer });
    clock.advance(1_000);
    outer.update(2);
    inner.refresh();
    expect(stream.lines).toEqual([]);
    outer.refresh();
    expect(stream.lines).toEqual([expect.stringMatching(/^outer: {2}50%\|[^|]+\| 2\/4 \[00:01<00:01, 2\.00 it\/s\]$/)]);
    inner.close();
    outer.close();
    outer.refresh();
    expect(stream.lines).toHaveLength(2); // and the final line
  });

  test('a disabled bar, or an iterator bar not started yet: nothing, no error', () => {
    const { options, stream } = setup(true);
    const off = progress.bar({ ...options, disable: true });
    off.refresh();
    off.clear();
    off.reset(5);
    expect(off.total).toBe(5);
    const it = progress([1, 2], options);
    it.bar.refresh();
    it.bar.clear();
    expect(stream.text).toBe('');
    off.close();
    it.return?.();
  });
});

describe('clear()', () => {
  test('on a terminal: the bars leave the screen until the next frame', async () => {
    const { options, stream, clock } = setup(true);
    const a = progress.bar({ ...options, desc: 'a', total: 10 });
    const b = progress.bar({ ...options, desc: 'b', total: 10, parent: null });
    clock.advance(200);
    a.update(5);
    expect((await screenOf(stream)).split('\n')).toHaveLength(2);
    const writes = stream.writes.length;
    b.clear();
    expect(stream.writes.length).toBe(writes + 1);
    expect(await screenOf(stream)).toBe('');
    b.clear(); // nothing on screen: nothing written
    expect(stream.writes.length).toBe(writes + 1);
    clock.advance(200);
    a.update(1); // the next frame brings them back
    expect((await screenOf(stream)).split('\n')).toEqual([
      expect.stringMatching(/^a: {2}60%\|/),
      expect.stringMatching(/^b: {3}0%\|/),
    ]);
    a.close();
    b.close();
  });

  test('refresh() after clear() draws them back at once', async () => {
    const { options, stream, clock } = setup(true);
    const bar = progress.bar({ ...options, desc: 'c', total: 10 });
    clock.advance(200);
    bar.update(2);
    bar.clear();
    expect(await screenOf(stream)).toBe('');
    bar.refresh();
    expect(await screenOf(stream)).toMatch(/^c: {2}20%\|/);
    bar.close();
  });

  test('in a log: writes nothing (lines written stay written)', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'p', total: 10, plainInterval: 1_000 });
    clock.advance(1_000);
    bar.update(5);
    const text = stream.text;
    expect(stream.lines).toHaveLength(1);
    bar.clear();
    expect(stream.text).toBe(text);
    bar.close();
  });
});

describe('the units of the options', () => {
  test('rateWindow is in milliseconds: 1000 follows a change within seconds, the default 10 s more slowly', () => {
    const rateAfterChange = (rateWindow?: number): number => {
      const { options, clock } = setup();
      const bar = progress.bar({ ...options, ...(rateWindow === undefined ? {} : { rateWindow }) });
      for (let t = 0; t < 20; t++) {
        clock.advance(1_000);
        bar.update(100); // 100/s for 20 s…
      }
      for (let t = 0; t < 3; t++) {
        clock.advance(1_000);
        bar.update(10); // …then 10/s for 3 s
      }
      const rate = bar.rate as number;
      bar.close();
      return rate;
    };
    expect(rateAfterChange(1_000)).toBeLessThan(11); // a 1 s step is 10% after one window: 10/s almost at once
    expect(rateAfterChange()).toBeGreaterThan(40); // 10 s: the fast steps still weigh
    expect(rateAfterChange(10_000)).toBe(rateAfterChange());
  });

  test('unitDivisor: 1024 shows binary sizes for bytes, count and rate; other values are a RangeError', () => {
    const { options, stream, clock } = setup();
    const bar = progress.bar({ ...options, desc: 'dl', unit: 'B', total: 4 * 1024 ** 2, unitDivisor: 1024 });
    clock.advance(2_000);
    bar.update(3 * 1024 ** 2);
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^dl: {2}75%\|[^|]+\| 3\.00 MiB\/4\.00 MiB \[00:02<\?, 1\.50 MiB\/s\]$/);
    expect(() => progress.bar({ ...options, unitDivisor: 1000.5 as 1000 })).toThrow(
      'Expected `unitDivisor` to be 1000 or 1024, got `1000.5` (number)',
    );
    expect(() => progress.bar({ ...options, unitDivisor: '1024' as never })).toThrow(TypeError);
  });
});

describe('progress(progress(x)): the outer bar takes the inner total', () => {
  test('from an array, a range, a generator with a total, an async source; the items pass through unchanged', async () => {
    const { options } = setup();
    const rows = ['a', 'b', 'c', 'd'];
    const outer = progress(progress(rows, options), options);
    expect(outer.bar.total).toBe(4);
    expect([...outer]).toEqual(rows);
    expect(outer.bar.n).toBe(4);
    expect(progress(progress(7, options), options).bar.total).toBe(7);
    function* gen(): Generator<number> {
      yield 1;
    }
    expect(progress(progress(gen(), { ...options, total: 1 }), options).bar.total).toBe(1);
    expect(progress(progress(gen(), options), options).bar.total).toBeUndefined();
    async function* agen(): AsyncGenerator<number> {
      yield 1;
      yield 2;
    }
    const outerAsync = progress(progress(agen(), { ...options, total: 2 }), options);
    expect(outerAsync.bar.total).toBe(2);
    const seen: number[] = [];
    for await (const x of outerAsync) seen.push(x);
    expect(seen).toEqual([1, 2]);
  });

  test('not when the inner bar counts weights (its total is not a count of items), nor over an explicit total', () => {
    const { options } = setup();
    const chunks = [Buffer.alloc(10), Buffer.alloc(20)];
    expect(progress(progress(chunks, { ...options, unit: 'B' }), options).bar.total).toBeUndefined();
    expect(progress(progress(['x', 'yy'], { ...options, weight: (s) => s.length }), options).bar.total).toBeUndefined();
    expect(progress(progress([1, 2, 3], options), { ...options, total: 10 }).bar.total).toBe(10);
    // Not an iterator of this package: a `bar` property means nothing, and a throwing one breaks nothing.
    const lookalike = { bar: { total: 5 }, *[Symbol.iterator]() { yield 1; } };
    expect(progress(lookalike, options).bar.total).toBeUndefined();
    const throwing = { get bar(): never { throw new Error('no'); }, *[Symbol.iterator]() { yield 1; } };
    expect(progress(throwing, options).bar.total).toBeUndefined();
  });

  test('over progress.map, progress.asCompleted and progress(arrayOfPromises): the number of tasks, each result once', async () => {
    const { options } = setup();
    const inner = { ...options, stream: new MemoryStream() };
    const overMap = progress(progress.map([1, 2, 3], async (x) => x * 2, { ...inner, desc: 'in' }), { ...options, desc: 'map' });
    expect(overMap.bar.total).toBe(3);
    const overCompleted = progress(progress.asCompleted(new Set([Promise.resolve('a'), 'b']), inner), { ...options, desc: 'ac' });
    expect(overCompleted.bar.total).toBe(2);
    const overArray = progress(progress([Promise.resolve(1), Promise.resolve(2)], inner), { ...options, desc: 'arr' });
    expect(overArray.bar.total).toBe(2);
    const got: unknown[] = [];
    for await (const x of overMap) got.push(x);
    for await (const x of overCompleted) got.push(x);
    for await (const x of overArray) got.push(x);
    expect(got.slice(0, 3)).toEqual([2, 4, 6]);
    expect(got.slice(3, 5).sort()).toEqual(['a', 'b']);
    expect(got.slice(5)).toEqual([1, 2]);
    expect(options.stream.lines).toEqual([
      expect.stringMatching(/^map: 100%\|█+\| 3\/3 /),
      expect.stringMatching(/^ac: 100%\|█+\| 2\/2 /),
      expect.stringMatching(/^arr: 100%\|█+\| 2\/2 /),
    ]);
    // A source of unknown length: no total yet when the outer bar is made, as for progress(progress(gen())).
    function* gen(): Generator<number> {
      yield 1;
    }
    expect(progress(progress.map(gen(), async (x) => x, inner), options).bar.total).toBeUndefined();
    expect(progress(progress.map(gen(), async (x) => x, { ...inner, total: 1 }), options).bar.total).toBe(1);
  });

  test('over progress.map on a terminal: both bars draw, the outer one with the total', async () => {
    const { options, stream, clock } = setup(true);
    const gates = [0, 1, 2, 3].map(() => deferred<string>());
    const outer = progress(progress.map([0, 1, 2, 3], (i) => gates[i]!.promise, { ...options, desc: 'calls' }), {
      ...options,
      desc: 'results',
    });
    const loop = (async () => {
      for await (const _ of outer) clock.advance(100);
    })();
    await flush();
    clock.advance(1_000);
    gates[0]!.resolve('a');
    gates[1]!.resolve('b');
    await flush();
    clock.advance(1_000);
    outer.bar.refresh();
    const screen = await screenOf(stream);
    expect(screen).toMatch(/^results: {2}50%\|█+▌ +\| 2\/4 /m);
    expect(screen).toMatch(/^calls: {2}50%\|█+ +\| 2\/4 \[.*, 2 running\]$/m);
    gates[2]!.resolve('c');
    gates[3]!.resolve('d');
    await loop;
    expect(outer.bar.n).toBe(4);
    expect(outer.bar.total).toBe(4);
  });
});
