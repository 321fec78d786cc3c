/**
 * Cancellation with `signal`: on abort, the work stops, the bar closes as aborted (`✗`) with what was
 * pending, and the promise or the loop rejects with `signal.reason` (the same object).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { asCompleted, gather, map, progress } from '../src/index.js';
import { SignalAsyncIterator, SignalIterator } from '../src/adapters/signal.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { deferred, flush, never } from '../test-support/tasks.js';
import { outcomeOf } from '../test-support/bar-internals.js';

function reasonFor(what: string): Error {
  return new Error(`cancelled: ${what}`);
}

describe('gather with a signal', () => {
  test('an abort rejects with signal.reason, closes the bar as aborted and lists what was pending', async () => {
    const stream = new MemoryStream();
    const controller = new AbortController();
    const ds = [deferred<number>(), deferred<number>(), deferred<number>()];
    const p = gather(
      ds.map((d) => d.promise),
      { signal: controller.signal, stream, desc: 'fetch' },
    );
    ds[0]?.resolve(0);
    await flush();
    const reason = reasonFor('gather');
    controller.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(stream.lines.slice(-4)).toEqual([
      expect.stringMatching(/^fetch: +33%\|.*\| ✗ 1\/3 \[/),
      '  2 still pending, oldest first:',
      expect.stringMatching(/^ {4}#1 /),
      expect.stringMatching(/^ {4}#2 /),
    ]);
    ds[1]?.reject(new Error('later'));
    await flush();
  });

  test('an already aborted signal rejects at once; the inputs are still handled', async () => {
    const reason = reasonFor('early');
    const late = deferred<number>();
    const p = gather([late.promise], { signal: AbortSignal.abort(reason), disable: true });
    await expect(p).rejects.toBe(reason);
    late.reject(new Error('unhandled?'));
    await flush();
  });

  test('an abort after the end changes nothing', async () => {
    const controller = new AbortController();
    await expect(gather([1, Promise.resolve(2)], { signal: controller.signal, disable: true })).resolves.toEqual([1, 2]);
    controller.abort();
  });
});

describe('asCompleted with a signal', () => {
  test('the step the loop waits on rejects with the reason', async () => {
    const controller = new AbortController();
    const stream = new MemoryStream();
    const it = asCompleted([Promise.resolve('a'), never()], { signal: controller.signal, stream });
    const seen: string[] = [];
    const reason = reasonFor('asCompleted');
    const loop = (async () => {
      for await (const x of it) {
        seen.push(x as string);
        setImmediate(() => controller.abort(reason));
      }
    })();
    await expect(loop).rejects.toBe(reason);
    expect(seen).toEqual(['a']);
    expect(stream.lines.slice(-3)).toEqual([expect.stringMatching(/✗ 1\/2 /), '  1 still pending:', expect.stringMatching(/^ {4}#1 /)]);
  });

  test('an abort goes before results that are ready', async () => {
    const controller = new AbortController();
    const it = asCompleted([1, 2, 3], { signal: controller.signal, disable: true });
    expect((await it.next()).value).toBe(1);
    const reason = reasonFor('now');
    controller.abort(reason);
    await expect(it.next()).rejects.toBe(reason);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});

describe('map with a signal', () => {
  test('an abort aborts the calls running with the same reason, closes the source and rejects the loop', async () => {
    const controller = new AbortController();
    const stream = new MemoryStream();
    let closed = false;
    function* source() {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const signals: AbortSignal[] = [];
    const it = map(
      source(),
      (_x, { signal }) => {
        signals.push(signal);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      { concurrency: 3, signal: controller.signal, stream, desc: 'convert' },
    );
    const step = it.next();
    await flush();
    const reason = reasonFor('map');
    controller.abort(reason);
    await expect(step).rejects.toBe(reason);
    expect(signals.length).toBe(3);
    for (const s of signals) expect(s.reason).toBe(reason);
    expect(closed).toBe(true);
    expect(stream.lines.slice(-5)).toEqual([
      'convert: ✗ 0 it [00:00, ? it/s]',
      '  3 still pending, oldest first:',
      expect.stringMatching(/^ {4}#0 /),
      expect.stringMatching(/^ {4}#1 /),
      expect.stringMatching(/^ {4}#2 /),
    ]);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test('an already aborted signal starts no call', async () => {
    let calls = 0;
    const reason = reasonFor('before');
    const it = map([1, 2], () => calls++, { signal: AbortSignal.abort(reason), disable: true });
    await expect(it.next()).rejects.toBe(reason);
    expect(calls).toBe(0);
  });
});

describe('progress(source, { signal })', () => {
  test('an async loop: the pending step rejects at once; the bar closes as aborted; the generator is told to stop', async () => {
    const controller = new AbortController();
    const stream = new MemoryStream();
    const gate = deferred<void>();
    let cleaned = false;
    async function* slow() {
      try {
        yield 1;
        await gate.promise;
        yield 2;
      } finally {
        cleaned = true;
      }
    }
    const it = progress(slow(), { signal: controller.signal, stream, desc: 'lines' });
    expect(await it.next()).toEqual({ value: 1, done: false });
    const step = it.next();
    const reason = reasonFor('stream');
    controller.abort(reason);
    await expect(step).rejects.toBe(reason);
    expect(it.bar.isClosed).toBe(true);
    expect(stream.lines.at(-1)).toMatch(/^lines: ✗ 1 it \[/);
    gate.resolve(); // the generator finishes its step, then runs its finally
    await flush();
    expect(cleaned).toBe(true);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test('a sync loop: the bar closes when the signal aborts, and the next step throws the reason', async () => {
    const controller = new AbortController();
    const stream = new MemoryStream();
    const reason = reasonFor('rows');
    const seen: number[] = [];
    let thrown: unknown;
    const it = progress([1, 2, 3, 4], { signal: controller.signal, stream, desc: 'rows' });
    try {
      for (const x of it) {
        seen.push(x);
        if (x === 2) {
          controller.abort(reason);
          expect(it.bar.isClosed).toBe(true);
        }
      }
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(reason);
    expect(seen).toEqual([1, 2]);
    expect(stream.lines.at(-1)).toMatch(/^rows: +25%\|.*\| ✗ 1\/4 \[/);
  });

  test('a generator is told to stop (its finally runs); a range works the same', () => {
    const controller = new AbortController();
    let cleaned = false;
    function* gen() {
      try {
        yield 1;
        yield 2;
      } finally {
        cleaned = true;
      }
    }
    const reason = reasonFor('gen');
    expect(() => {
      for (const _ of progress(gen(), { signal: controller.signal, disable: true })) controller.abort(reason);
    }).toThrow(reason);
    expect(cleaned).toBe(true);
    const seen: number[] = [];
    expect(() => {
      for (const i of progress(10, { signal: AbortSignal.abort(reason), disable: true })) seen.push(i);
    }).toThrow(reason);
    expect(seen).toEqual([]);
  });

  test('an array of promises with for await', async () => {
    const controller = new AbortController();
    const reason = reasonFor('promises');
    const loop = (async () => {
      for await (const _ of progress([Promise.resolve(1), never<number>()], { signal: controller.signal, disable: true })) {
        setImmediate(() => controller.abort(reason));
      }
    })();
    await expect(loop).rejects.toBe(reason);
  });

  test('a bad signal is named; without one the loop is not wrapped', () => {
    expect(() => progress([1], { signal: 'stop' as never })).toThrow('Expected `signal` to be an AbortSignal, got `"stop"` (string)');
    expect(progress([1, 2], { disable: true })).not.toBeInstanceOf(SignalIterator);
    async function* g() {}
    expect(progress(g(), { disable: true })).not.toBeInstanceOf(SignalAsyncIterator);
    expect(progress(g(), { signal: new AbortController().signal, disable: true })).toBeInstanceOf(SignalAsyncIterator);
  });
});

describe('abort listeners: one per iteration, only while it runs (issue 8, item 13)', () => {
  const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

  test('progress(source, { signal }) and asCompleted(…, { signal }) never iterated hold no listener', () => {
    const { signal } = new AbortController();
    function* gen(): Generator<number> {
      yield 1;
    }
    async function* agen(): AsyncGenerator<number> {
      yield 1;
    }
    for (let i = 0; i < 300; i++) {
      progress(gen(), { signal, disable: true });
      progress(agen(), { signal, disable: true });
      progress([1, 2], { signal, disable: true });
      progress(3, { signal, disable: true });
      progress([Promise.resolve(1)], { signal, disable: true })[Symbol.asyncIterator]();
      asCompleted([Promise.resolve(1)], { signal, disable: true });
      map([1], (x) => x, { signal, disable: true });
    }
    expect(listeners(signal)).toBe(0);
  });

  test('one listener while a loop runs, none once it ends (done, break, or an error)', async () => {
    const { signal } = new AbortController();
    for (const x of progress([1, 2], { signal, disable: true })) {
      expect(listeners(signal)).toBe(1);
      void x;
    }
    expect(listeners(signal)).toBe(0);
    for (const _ of progress(10, { signal, disable: true })) break;
    expect(listeners(signal)).toBe(0);
    async function* agen(): AsyncGenerator<number> {
      yield 1;
      yield 2;
    }
    for await (const _ of progress(agen(), { signal, disable: true })) expect(listeners(signal)).toBe(1);
    expect(listeners(signal)).toBe(0);
    for await (const _ of asCompleted([Promise.resolve(1), Promise.resolve(2)], { signal, disable: true })) {
      expect(listeners(signal)).toBe(1);
    }
    expect(listeners(signal)).toBe(0);
    for await (const _ of progress([Promise.resolve(1), Promise.resolve(2)], { signal, disable: true })) break;
    expect(listeners(signal)).toBe(0);
    for await (const _ of map([1, 2, 3], async (x) => x, { signal, disable: true, concurrency: 50, timeout: 60_000 })) {
      expect(listeners(signal)).toBe(1);
    }
    expect(listeners(signal)).toBe(0);
    await gather([Promise.resolve(1)], { signal, disable: true });
    expect(listeners(signal)).toBe(0);
  });

  test('an abort before the loop starts still stops it at its first step, with the bar closed as aborted', async () => {
    const controller = new AbortController();
    const stream = new MemoryStream();
    const it = asCompleted([never<number>()], { signal: controller.signal, stream });
    const reason = reasonFor('before the loop');
    controller.abort(reason);
    await expect(it.next()).rejects.toBe(reason);
    expect(outcomeOf(it.bar)).toBe('aborted');
    const gen = progress([1, 2, 3], { signal: controller.signal, stream });
    expect(() => gen.next()).toThrow(reason);
    expect(outcomeOf(gen.bar)).toBe('aborted');
  });

  test('no warning in a real process: map with a timeout at concurrency 50, 300 loops never iterated', () => {
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      import { progress } from ${JSON.stringify(dist)};
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
      const { signal } = new AbortController();
      const tick = () => new Promise((r) => setImmediate(r));
      for await (const _ of progress.map(Array.from({ length: 200 }, (_, i) => i), async (x) => { await tick(); return x; },
        { concurrency: 50, timeout: 60_000, disable: true })) {}
      for await (const _ of progress.map([1, 2, 3], async (x) => x, { concurrency: 50, timeout: 60_000, signal, disable: true })) {}
      async function* agen() { yield 1; }
      for (let i = 0; i < 300; i++) {
        progress(agen(), { signal, disable: true });
        progress([1, 2], { signal, disable: true });
        progress.asCompleted([Promise.resolve(1)], { signal, disable: true });
      }
      await tick();
      console.log(JSON.stringify(warnings));
    `;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
