/**
 * `progress.observe(listener)`: a snapshot of every live bar at each frame tick (at most once per the bar's
 * `minInterval`) and one when it closes; on a terminal and in a log alike; unsubscribing; a listener that
 * throws, prints or closes a bar.
 */
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { map, observe, progress, type BarSnapshot, type FormatState } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { expectType, type IsExact } from '../test-support/expect-type.js';
import { renderTty } from '../test-support/screen-cells.js';
import { deferred, flush } from '../test-support/tasks.js';

const tty = (): MemoryStream => new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
/** The renderer's keep-alive interval is faked; the clock is the bars' own (FakeClock). */
const fakeTimers = (): void => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'clearTimeout', 'performance', 'Date', 'hrtime'] });
};
/** One keep-alive tick `ms` later by both clocks. */
const tick = (clock: FakeClock, ms: number): void => {
  clock.advance(ms);
  jest.advanceTimersByTime(ms);
};

let stops: (() => void)[] = [];
/** Observes into an array; unsubscribed after the test. */
function record(filter: (s: BarSnapshot) => boolean = () => true): BarSnapshot[] {
  const got: BarSnapshot[] = [];
  stops.push(progress.observe((s) => filter(s) && got.push(s)));
  return got;
}

afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('progress.observe on a terminal', () => {
  test('a snapshot per frame tick and one at the close: the format state, with a stable id', () => {
    fakeTimers();
    const stream = tty();
    const clock = new FakeClock();
    const formatted: FormatState[] = [];
    const got = record((s) => s.desc === 'rows');
    const bar = progress.bar({
      stream,
      clock: clock.read,
      desc: 'rows',
      total: 10,
      minInterval: 100,
      format: (state) => {
        formatted.push(state);
        return `${state.desc} ${state.n}`;
      },
    });
    expect(got).toHaveLength(1); // the first frame, as the bar opens
    for (let i = 0; i < 3; i++) {
      bar.update(2);
      tick(clock, 100);
    }
    expect(got.map((s) => s.n)).toEqual([0, 2, 4, 6]);
    expect(got.map((s) => s.elapsed)).toEqual([0, 0.1, 0.2, 0.3]);
    // What the format function was given at the same frame, plus `id` and `parent`.
    const { id, parent, ...state } = got.at(-1)!;
    expect(state).toEqual(formatted.at(-1));
    expect(parent).toBeUndefined();
    expect(new Set(got.map((s) => s.id))).toEqual(new Set([id]));
    expect(Object.isFrozen(got[0])).toBe(true);
    expect(got.at(-1)).toMatchObject({ total: 10, unit: 'it', percentage: 60, done: false, outcome: 'running', failed: 0 });

    bar.update(4);
    clock.advance(50);
    bar.close();
    expect(got).toHaveLength(5);
    expect(got.at(-1)).toMatchObject({ id, n: 10, percentage: 100, done: true, outcome: 'done', elapsed: 0.35 });
    tick(clock, 1_000); // closed: never again
    expect(got).toHaveLength(5);
  });

  test('throttled like frames: at most once per the bar’s own minInterval, whatever asks for frames', () => {
    fakeTimers();
    const stream = tty();
    const clock = new FakeClock();
    const fast = progress.bar({ stream, clock: clock.read, desc: 'fast', minInterval: 100 });
    const slow = progress.bar({ stream, clock: clock.read, desc: 'slow', minInterval: 500, parent: null });
    const got = record((s) => s.desc === 'fast' || s.desc === 'slow');
    // 1 s of updates every 10 ms, each poking the renderer, and the timer ticking: frames every 100 ms.
    for (let t = 0; t < 100; t++) {
      fast.update();
      slow.update();
      tick(clock, 10);
    }
    const times = (desc: string): number[] => got.filter((s) => s.desc === desc).map((s) => Math.round(s.elapsed * 1000));
    expect(times('fast')).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(times('slow')).toEqual([100, 600]);
    slow.close();
    fast.close();
    expect(got.slice(-2).map((s) => [s.desc, s.done])).toEqual([
      ['slow', true],
      ['fast', true],
    ]);
  });

  test('a listener runs after the frame is written: what it prints goes above the bars, in whole writes', async () => {
    fakeTimers();
    const stream = tty();
    const clock = new FakeClock();
    let writesSeen = -1;
    stops.push(
      progress.observe((s) => {
        if (s.desc !== 'job' || s.n !== 3) return;
        writesSeen = stream.writes.length;
        progress.write(`checkpoint at ${s.n}`, { stream });
      }),
    );
    const bar = progress.bar({ stream, clock: clock.read, desc: 'job', total: 5, minInterval: 100 });
    bar.update(3);
    tick(clock, 100);
    // The frame showing 3/5 was already written when the listener ran.
    expect(stream.writes.slice(0, writesSeen).join('')).toContain('3/5');
    bar.update(2);
    bar.close();
    jest.useRealTimers();
    const screen = await renderTty(stream.text, 80, 5);
    expect(screen.rows.map((r) => r.text.trimEnd()).filter((t) => t !== '')).toEqual([
      'checkpoint at 3',
      expect.stringMatching(/^job: 100%\|█+\| 5\/5 \[/),
    ]);
  });
});

describe('progress.observe in a log (not a terminal)', () => {
  test('snapshots on the timer’s schedule while no status line is due; nested bars too, with their parent', () => {
    fakeTimers();
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const got = record((s) => s.desc === 'outer' || s.desc === 'inner');
    const outer = progress.bar({ stream, clock: clock.read, desc: 'outer', total: 2 });
    const inner = progress.bar({ stream, clock: clock.read, desc: 'inner', total: 3, parent: outer });
    inner.update();
    tick(clock, 1_000); // a log's timer ticks every min(10 × minInterval, 1 s)
    outer.update();
    tick(clock, 1_000);
    expect(stream.lines).toEqual([]); // no status line before plainInterval (10 s)
    const outerId = got.find((s) => s.desc === 'outer')!.id;
    // The first frame: inner's first update, at 0 (the bars are sampled for it, nothing is written).
    expect(got.map((s) => [s.desc, s.n, s.elapsed, s.parent])).toEqual([
      ['outer', 0, 0, undefined],
      ['inner', 1, 0, outerId],
      ['outer', 0, 1, undefined],
      ['inner', 1, 1, outerId],
      ['outer', 1, 2, undefined],
      ['inner', 1, 2, outerId],
    ]);
    inner.close();
    outer.close();
    expect(got.slice(-2).map((s) => [s.desc, s.outcome, s.n])).toEqual([
      ['inner', 'done', 1],
      ['outer', 'done', 1],
    ]);
    expect(stream.lines).toEqual([expect.stringMatching(/^outer:  50%\|.*\| 1\/2 \[00:02</)]);
  });

  test('a bar that draws nothing (disable) is not observed', () => {
    const got = record((s) => s.desc === 'quiet');
    const bar = progress.bar({ stream: new MemoryStream(), desc: 'quiet', disable: true });
    bar.update(5);
    bar.close();
    expect(got).toEqual([]);
  });
});

describe('task bars', () => {
  test('running and failed calls of progress.map', async () => {
    fakeTimers();
    const stream = tty();
    const clock = new FakeClock();
    const got = record((s) => s.desc === 'calls');
    const calls = [deferred<number>(), deferred<number>(), deferred<number>()];
    const it = map([0, 1, 2], (i) => calls[i]!.promise, { stream, clock: clock.read, desc: 'calls', concurrency: 2, settle: true });
    const results = (async () => {
      const out: unknown[] = [];
      for await (const r of it) out.push(r);
      return out;
    })();
    await flush();
    tick(clock, 100);
    expect(got.at(-1)).toMatchObject({ n: 0, running: 2, failed: 0, done: false });
    calls[0]!.reject(new Error('boom'));
    await flush();
    tick(clock, 100);
    expect(got.at(-1)).toMatchObject({ n: 1, running: 2, failed: 1, done: false });
    calls[1]!.resolve(1);
    calls[2]!.resolve(2);
    await results;
    expect(got.at(-1)).toMatchObject({ n: 3, running: undefined, failed: 1, done: true, outcome: 'done' });
    expect(got.filter((s) => s.done)).toHaveLength(1);
  });
});

describe('listeners', () => {
  test('unsubscribe stops the calls, and is idempotent; others go on', () => {
    const stream = tty();
    const clock = new FakeClock();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = progress.observe((s) => s.desc === 'u' && a.push(s.n));
    stops.push(progress.observe((s) => s.desc === 'u' && b.push(s.n)));
    const bar = progress.bar({ stream, clock: clock.read, desc: 'u', minInterval: 100 });
    clock.advance(100);
    bar.update();
    stopA();
    stopA();
    clock.advance(100);
    bar.update();
    bar.close();
    expect(a).toEqual([0, 1]);
    expect(b).toEqual([0, 1, 2, 2]);
  });

  test('a listener that throws: one warning, it stays subscribed, the bars and the other listeners go on', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const stream = tty();
    const clock = new FakeClock();
    let thrown = 0;
    stops.push(
      progress.observe((s) => {
        if (s.desc !== 't') return;
        thrown++;
        throw new Error('metrics backend down');
      }),
    );
    const got = record((s) => s.desc === 't');
    const bar = progress.bar({ stream, clock: clock.read, desc: 't', total: 2, minInterval: 100 });
    clock.advance(100);
    bar.update();
    clock.advance(100);
    bar.update();
    bar.close();
    expect(thrown).toBe(4); // the frames at 0, 100 and 200 ms, and the close
    expect(got.map((s) => s.n)).toEqual([0, 1, 2, 2]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/listener of progress\.observe\(\) threw.*metrics backend down/);
    expect(warn.mock.calls[0]![1]).toMatchObject({ type: 'TaqaddumObserverWarning' });
    expect(stream.text).toContain('2/2');
  });

  test('never called inside another call: a listener that closes a bar gets its last snapshot after it returns', () => {
    const stream = tty();
    const clock = new FakeClock();
    let depth = 0;
    let maxDepth = 0;
    const seen: string[] = [];
    const inner = progress.bar({ stream, clock: clock.read, desc: 'inner', parent: null, minInterval: 100 });
    stops.push(
      progress.observe((s) => {
        if (s.desc !== 'inner' && s.desc !== 'outer') return;
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        seen.push(`${s.desc}${s.done ? ' closed' : ''}`);
        if (s.desc === 'outer' && s.n === 1) inner.close();
        depth--;
      }),
    );
    const outer = progress.bar({ stream, clock: clock.read, desc: 'outer', parent: null, minInterval: 100 });
    clock.advance(100);
    outer.update();
    outer.close();
    expect(maxDepth).toBe(1);
    // The frame at 100 ms reports both bars (in opening order); the close of inner, asked for while `outer`
    // was being reported, comes after that call has returned.
    expect(seen).toEqual(['inner', 'outer', 'inner closed', 'outer closed']);
  });

  test('the types: a snapshot is the format state with id and parent; observe returns the unsubscribe', () => {
    expectType<IsExact<Omit<BarSnapshot, 'id' | 'parent'>, FormatState>>();
    expectType<IsExact<Pick<BarSnapshot, 'id' | 'parent'>, { readonly id: number; readonly parent: number | undefined }>>();
    expectType<IsExact<ReturnType<typeof progress.observe>, () => void>>();
    const stop = observe(() => {});
    expect(stop()).toBeUndefined();
  });

  test('the listener must be a function; observe is also progress.observe', () => {
    expect(() => observe(42 as never)).toThrow(new TypeError('Expected `listener` to be a function, got `42` (number)'));
    expect(progress.observe).toBe(observe);
  });
});
