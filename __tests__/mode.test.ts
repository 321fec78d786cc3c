/**
 * The `mode` option: `'json'` lines (schema, schedule, the last line, task bars, nesting, escaping),
 * `'plain'` on a terminal, `'live'` on a stream that is not one, one mode per stream, and the option's
 * check. On memory streams with a fake clock, and in a real pty or pipe for what a person sees.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { map, progress } from '../src/index.js';
import type { JsonRecord } from '../src/format/json.js';
import { sanitize } from '../src/format/sanitize.js';
import { liveRendererOf } from '../src/render/renderer.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { ensureBuilt, renderPtyScreen, runInPty } from '../test-support/pty.js';
import { renderScreen } from '../test-support/screen.js';
import { deferred, flush } from '../test-support/tasks.js';

const ESC = '\u001B';
const KEYS = [
  'desc',
  'n',
  'total',
  'unit',
  'elapsed',
  'rate',
  'eta',
  'percentage',
  'failed',
  'running',
  'stalled',
  'done',
  'outcome',
  'postfix',
  'timestamp',
];


/** Every line written, each parsed as JSON (a line that is not JSON fails the test here). */
function records(stream: MemoryStream): JsonRecord[] {
  expect(stream.text.endsWith('\n')).toBe(true);
  return stream.lines.map((line) => JSON.parse(line) as JsonRecord);
}

describe("mode: 'json'", () => {
  test('a line per plainInterval, as plain output has, then a last line with done: true; every key every time', () => {
    const before = Date.now();
    const run = (mode: 'json' | 'plain'): MemoryStream => {
      const stream = new MemoryStream();
      const clock = new FakeClock();
      const bar = progress.bar({ desc: 'rows', total: 100, stream, clock: clock.read, mode, plainInterval: 1000 });
      for (let i = 0; i < 100; i++) {
        clock.advance(100);
        bar.update();
      }
      bar.close();
      return stream;
    };
    const json = run('json');
    const plain = run('plain');
    const lines = records(json);
    // The same schedule: a status line each second. Plain output does not repeat a final line identical to
    // the status line just written (100/100 at 10 s); a JSON line has `done: true` there.
    expect(lines.filter((r) => !r.done)).toHaveLength(plain.lines.length);
    expect(lines.map((r) => r.elapsed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
    for (const r of lines) expect(Object.keys(r)).toEqual(KEYS);
    const status = lines.slice(0, -1);
    for (let i = 1; i < status.length; i++) {
      expect((status[i] as JsonRecord).elapsed - (status[i - 1] as JsonRecord).elapsed).toBeGreaterThanOrEqual(1);
      expect((status[i] as JsonRecord).n).toBeGreaterThan((status[i - 1] as JsonRecord).n);
    }
    for (const r of status) {
      expect(r).toMatchObject({ desc: 'rows', total: 100, unit: 'it', done: false, outcome: 'running', failed: 0, running: null, stalled: null });
      expect(r.percentage).toBe(r.n); // total 100
      expect(r.rate).toBeCloseTo(10, 5); // one item per 100 ms
      expect(r.eta).toBeCloseTo((100 - r.n) / 10, 2);
      expect(r.elapsed).toBeCloseTo(r.n / 10, 3);
    }
    expect(lines.at(-1)).toMatchObject({ n: 100, total: 100, percentage: 100, eta: 0, elapsed: 10, rate: 10, done: true, outcome: 'done' });
    for (const r of lines) {
      expect(r.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const t = Date.parse(r.timestamp);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    }
  });

  test('what is not known is null: total, percentage and eta without a total, rate before any measure', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const bar = progress.bar({ stream, clock: clock.read, mode: 'json', unit: 'B', postfix: { loss: 0.25 } });
    bar.refresh(); // a status line now, before anything was counted
    clock.advance(2000);
    bar.update(4096);
    bar.refresh();
    bar.close();
    const [first, second, last] = records(stream);
    expect(first).toMatchObject({ n: 0, total: null, rate: null, eta: null, percentage: null, unit: 'B', postfix: 'loss=0.25' });
    expect(second).toMatchObject({ n: 4096, total: null, rate: 2048, eta: null, percentage: null, done: false });
    expect(last).toMatchObject({ n: 4096, done: true, outcome: 'done' });
  });

  test('text is filtered as in plain output (no escape codes, no control characters), then JSON-escaped', () => {
    const stream = new MemoryStream();
    const desc = `${ESC}[31mred${ESC}[0m "quoted" back\\slash${ESC}]0;title\u0007\nnext\tcol`;
    const bar = progress.bar({ desc, stream, mode: 'json', postfix: { 'k"ey': `v${ESC}[2Jx` } });
    bar.close();
    expect(stream.text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F]/); // only the newline ending each line
    const [r] = records(stream);
    expect(r?.desc).toBe(sanitize(desc, false));
    expect(r?.desc).toBe('red "quoted" back\\slash next col');
    expect(r?.postfix).toBe('k"ey=vx');
  });

  test('a source that throws: its last line has done: true and outcome "failed"; a loop left early: "stopped"', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    function* rows(): Generator<number> {
      for (let i = 0; i < 3; i++) yield i;
      throw new Error('read error');
    }
    expect(() => {
      for (const _ of progress(rows(), { desc: 'load', total: 10, stream, clock: clock.read, mode: 'json' })) clock.advance(10);
    }).toThrow('read error');
    expect(records(stream).at(-1)).toMatchObject({ desc: 'load', n: 3, total: 10, done: true, outcome: 'failed', eta: null });
    expect(() => {
      for (const i of progress(10, { desc: 'body', stream, clock: clock.read, mode: 'json' })) {
        clock.advance(10);
        if (i === 3) throw new Error('boom');
      }
    }).toThrow('boom');
    expect(records(stream).at(-1)).toMatchObject({ desc: 'body', n: 3, total: 10, done: true, outcome: 'stopped', eta: null });
  });

  test('nested bars write nothing (as in plain output) unless they ask to stay; a top-level bar always writes its last line', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _file of progress(['a', 'b'], { desc: 'files', stream, clock: clock.read, mode: 'json', plainInterval: 0, leave: false })) {
      for (const _row of progress(5, { desc: 'rows', stream, clock: clock.read })) clock.advance(100);
    }
    for (const _row of progress(2, { desc: 'kept', stream, clock: clock.read, parent: null, mode: 'json' })) {
      for (const _x of progress(1, { desc: 'stays', stream, clock: clock.read, leave: true })) clock.advance(1);
    }
    const lines = records(stream);
    expect(lines.filter((r) => r.desc === 'rows')).toEqual([]);
    expect(lines.filter((r) => r.desc === 'files' && r.done)).toHaveLength(1); // leave: false is about a screen
    expect(lines.filter((r) => r.desc === 'stays')).toHaveLength(2);
    expect(lines.filter((r) => r.desc === 'stays').every((r) => r.done)).toBe(true);
  });

  test('progress.map: running while it runs, failed as they fail, the failures in the last line’s report', async () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const calls = Array.from({ length: 6 }, () => deferred<number>());
    const it = map([0, 1, 2, 3, 4, 5], (i) => (calls[i] as ReturnType<typeof deferred<number>>).promise, {
      desc: 'calls',
      concurrency: 2,
      settle: true,
      stream,
      clock: clock.read,
      mode: 'json',
      stallAfter: 1000,
    });
    const results: unknown[] = [];
    const done = (async () => {
      for await (const r of it) results.push(r);
    })();
    await flush();
    clock.advance(500);
    it.bar.refresh();
    calls[0]?.reject(new Error('first failure'));
    calls[1]?.resolve(1);
    await flush();
    clock.advance(5000); // nothing settles for 5 s: stalled
    it.bar.refresh();
    calls[2]?.resolve(2);
    calls[3]?.reject(new Error('second failure'));
    await flush();
    calls[4]?.resolve(4);
    calls[5]?.resolve(5);
    await done;
    const lines = records(stream);
    expect(lines[0]).toMatchObject({ desc: 'calls', n: 0, total: 6, running: 2, failed: 0, stalled: null, done: false });
    expect(lines[1]).toMatchObject({ n: 2, running: 2, failed: 1, stalled: 5, done: false });
    const last = lines.at(-1) as JsonRecord;
    expect(last).toMatchObject({ n: 6, failed: 2, running: null, stalled: null, done: true, outcome: 'done' });
    expect(last.report?.join('\n')).toContain('first failure');
    expect(last.report?.join('\n')).toContain('second failure');
    expect(results).toHaveLength(6);
  });

  test('progress.gather failing fast: the last line says failed, with the count', async () => {
    const stream = new MemoryStream();
    const d = [deferred(), deferred(), deferred()];
    const all = progress.gather(
      d.map((x) => x.promise),
      { desc: 'fetch', stream, mode: 'json' },
    );
    d[0]?.resolve(1);
    d[1]?.reject(new Error('nope'));
    await expect(all).rejects.toThrow('nope');
    expect(records(stream).at(-1)).toMatchObject({ desc: 'fetch', failed: 1, done: true, outcome: 'failed' });
  });
});

describe('the report signal', () => {
  test("in 'json' mode: one JSON line per live bar, nested ones included, what each waits on in `report`", async () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const outer = progress.bar({ desc: 'outer', total: 2, stream, clock: clock.read, mode: 'json' });
    const calls = [deferred(), deferred()];
    const it = progress(
      calls.map((c) => c.promise),
      { desc: 'inner', stream, clock: clock.read, parent: outer },
    );
    const loop = (async () => {
      for await (const _ of it);
    })();
    await flush();
    clock.advance(3000);
    liveRendererOf(stream)?.report();
    const [a, b] = records(stream);
    expect(a).toMatchObject({ desc: 'outer', n: 0, total: 2, done: false });
    expect(a?.report).toBeUndefined();
    expect(b).toMatchObject({ desc: 'inner', n: 0, total: 2, done: false });
    expect(b?.report).toEqual(['2 still pending, oldest first:', '#0  3s', '#1  3s']);
    for (const c of calls) c.resolve(1);
    await loop;
    outer.close();
    expect(records(stream).map((r) => r.desc)).toEqual(['outer', 'inner', 'outer']); // the nested bar's end: nothing
  });
});

describe('one mode per stream', () => {
  test('the first bar opened on a stream sets how every bar there is written, until the last one closes', () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80 });
    const first = progress.bar({ desc: 'first', stream, mode: 'json', captureOutput: false });
    const second = progress.bar({ desc: 'second', stream, mode: 'live', parent: null, captureOutput: false });
    second.close();
    first.close();
    expect(records(stream).map((r) => r.desc)).toEqual(['second', 'first']);
    const third = progress.bar({ desc: 'third', stream, mode: 'plain' }); // afresh
    third.close();
    expect(stream.lines.at(-1)).toMatch(/^third: 0 it \[00:00/);
  });
});

describe("mode: 'plain' and 'live'", () => {
  test("'plain' on a terminal: plain lines, no escape code", () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 24 });
    const clock = new FakeClock();
    for (const _ of progress(50, { desc: 'rows', stream, clock: clock.read, mode: 'plain', plainInterval: 100 })) clock.advance(10);
    expect(stream.text).not.toContain(ESC);
    expect(stream.text).not.toContain('\r');
    expect(stream.lines.length).toBeGreaterThanOrEqual(4);
    expect(stream.lines.at(-1)).toMatch(/^rows: 100%\|█+\| 50\/50 \[00:00<00:00, 100 it\/s\]$/);
  });

  test("'live' on a stream that is not a terminal: frames redrawn in place, 80 columns when it has no size", async () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    for (const _ of progress(50, { desc: 'rows', stream, clock: clock.read, mode: 'live', minInterval: 10 })) clock.advance(10);
    expect(stream.text).toContain(`${ESC}[1A`); // the cursor goes back up over the last frame
    const screen = await renderScreen(stream.text, 120, 10);
    expect(screen.text).toMatch(/^rows: 100%\|█+\| 50\/50 \[00:00<00:00, 100 it\/s\]$/);
    expect(screen.text).toHaveLength(80);
  });

  test('a bad `mode` is a TypeError naming it and the value, whatever else is given', () => {
    const message = "Expected `mode` to be 'auto', 'live', 'plain' or 'json', got `\"fancy\"` (string)";
    expect(() => progress.bar({ mode: 'fancy' as 'json' })).toThrow(new TypeError(message));
    expect(() => progress([1], { mode: 'fancy' as 'json', disable: true })).toThrow(new TypeError(message));
    expect(() => progress.bar({ mode: 'JSON' as 'json' })).toThrow(TypeError);
    expect(() => progress.bar({ mode: 1 as unknown as 'json' })).toThrow("Expected `mode` to be 'auto', 'live', 'plain' or 'json', got `1` (number)");
  });
});

describe('what a person sees', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  test("'json' on a terminal: one JSON object per line, no escape code; the last says done", async () => {
    const r = await runInPty('mode.js', { args: [JSON.stringify({ barMode: 'json', plainInterval: 250 })] });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain(ESC);
    const lines = r.bytes.split('\r\n').filter((l) => l !== '');
    const parsed = lines.map((l) => JSON.parse(l) as JsonRecord);
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(parsed.slice(0, -1).every((p) => !p.done && p.desc === 'rows')).toBe(true);
    expect(parsed.at(-1)).toMatchObject({ desc: 'rows', n: 100, total: 100, percentage: 100, done: true, outcome: 'done' });
  });

  test("'plain' on a terminal: status lines and the final line, nothing redrawn", async () => {
    const r = await runInPty('mode.js', { args: [JSON.stringify({ barMode: 'plain', plainInterval: 250 })] });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).not.toContain(ESC);
    const screen = await renderPtyScreen(r);
    const rows = screen.rows.filter((row) => row !== '');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((row) => row.startsWith('rows: '))).toBe(true);
    expect(rows.at(-1)).toMatch(/^rows: 100%\|█+\| 100\/100 \[00:01<00:00, 100 it\/s\]$/);
  });

  test("'live' through a pipe: frames with cursor codes, replayed on a terminal as one bar", async () => {
    const r = await runInPty('mode.js', { tty: false, args: [JSON.stringify({ barMode: 'live' })] });
    expect(r.exitCode).toBe(0);
    expect(r.bytes).toContain(`${ESC}[1A`);
    const screen = await renderScreen(r.bytes, 100, 10);
    expect(screen.text).toMatch(/^rows: 100%\|█+\| 100\/100 \[00:01<00:00, 100 it\/s\]$/);
  });

  test("'live' through a pipe: what the program prints to that stream goes above the bar, as on a terminal", async () => {
    const r = await runInPty('mode.js', { tty: false, args: [JSON.stringify({ barMode: 'live', logAt: 50 })] });
    expect(r.exitCode).toBe(0);
    const screen = await renderScreen(r.bytes, 100, 10);
    expect(screen.rows.filter((row) => row !== '')).toEqual([
      'checkpoint at item 50',
      expect.stringMatching(/^rows: 100%\|█+\| 100\/100 \[00:01<00:00, 100 it\/s\]$/),
    ]);
  });

  test("'json' with a loop body that throws: the last line says it stopped, then the error as Node prints it", async () => {
    const r = await runInPty('mode.js', { tty: false, args: [JSON.stringify({ barMode: 'json', throwAt: 40 })] });
    expect(r.exitCode).toBe(1);
    const first = r.bytes.split('\n')[0] as string;
    expect(JSON.parse(first)).toMatchObject({ n: 40, done: true, outcome: 'stopped' });
    expect(r.bytes).toContain('Error: boom at item 40');
  });
});
