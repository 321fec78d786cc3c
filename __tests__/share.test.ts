/**
 * `bar.share()` and `progress.attach(handle)`: worker threads, a piscina pool and forked child processes
 * counting into one bar of this process. The workers and children are real (test-support/fixtures/share/,
 * importing the built `dist/`); the bar is the library's own, drawing plain lines into a memory stream,
 * and the assertions are on those lines and on the bar's count.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { Piscina } from 'piscina';
import { progress } from '../src/index.js';
import type { Bar, BarHandle } from '../src/index.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { ensureBuilt, repoRoot } from '../test-support/pty.js';
import { renderScreen } from '../test-support/screen.js';

const FIXTURES = join(repoRoot, 'test-support', 'fixtures', 'share');

beforeAll(() => ensureBuilt());

/** Resolves once `check()` is true (polled every 10 ms); fails after 10 s with `what`. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !check(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function thread(workerData: Record<string, unknown>): Worker {
  const worker = new Worker(join(FIXTURES, 'thread.js'), { workerData, stderr: true });
  worker.on('error', () => {}); // a worker that throws is one of the cases
  return worker;
}

/** The exit code of a worker (once(worker, 'exit') would reject on the 'error' of one that throws). */
function exited(worker: Worker): Promise<number> {
  return new Promise((resolve) => worker.once('exit', resolve));
}

function plainBar(options: { total?: number; desc?: string } = {}): { bar: Bar; stream: MemoryStream } {
  const stream = new MemoryStream();
  return { bar: progress.bar({ stream, plainInterval: Infinity, ...options }), stream };
}

/** The counts, rate and ETA of a plain status line such as `rows:  50%|…| 20000/40000 [00:01<00:01, 19.2k it/s]`. */
function fields(line: string): { n: number; eta: string; rate: string } | undefined {
  const m = /(\d+)\/\d+ \[[^<]+<([^,]+), ([^ ]+) it\/s/.exec(line);
  return m === null ? undefined : { n: Number(m[1]), eta: m[2] as string, rate: m[3] as string };
}

describe('bar.share()', () => {
  test('is a plain handle: structured-cloneable, the same each call; as JSON it keeps all but the buffer', () => {
    const { bar } = plainBar();
    const handle = bar.share();
    expect(bar.share()).toBe(handle);
    expect(Object.getPrototypeOf(handle)).toBe(Object.prototype);
    expect(handle.buffer).toBeInstanceOf(SharedArrayBuffer);
    const clone = structuredClone(handle);
    expect(clone).toEqual({ ...handle });
    new Float64Array(clone.buffer)[100] = 42; // the clone's buffer is the same memory
    expect(new Float64Array(handle.buffer)[100]).toBe(42);
    const json = JSON.parse(JSON.stringify(handle)) as Record<string, unknown>;
    expect(json).toEqual({ kind: 'taqaddum.bar', id: handle.id, buffer: {}, socket: handle.socket, key: handle.key });
    bar.close();
  });

  test('throws an Error on the bar of a set of tasks, as update() does', async () => {
    const stream = new MemoryStream();
    const tasks = progress([Promise.resolve(1)], { stream });
    expect(() => tasks.bar.share()).toThrow('Cannot call bar.share() on the bar of a set of tasks');
    for await (const _ of tasks);
  });

  test('remotes attached in this thread count into the bar: read by bar.n, in the final line, ignored after close', () => {
    const { bar, stream } = plainBar({ desc: 'rows', total: 10 });
    const handle = bar.share();
    const a = progress.attach(handle);
    const b = progress.attach(handle); // a second remote of the same thread: same counter
    a.update();
    a.update(2.5);
    b.update(4.5);
    expect(bar.n).toBe(8);
    bar.update(2); // the bar's own count goes on beside them
    expect(bar.n).toBe(10);
    b.close();
    expect(b.isClosed).toBe(true);
    b.update(100); // ignored: this remote is closed
    bar.close();
    a.update(5); // ignored: the bar is closed
    expect(bar.n).toBe(10);
    expect(stream.lines.at(-1)).toMatch(/^rows: 100%\|.*\| 10\/10 /);
  });

  test('a bar reset after counts from remotes counts from 0 again', () => {
    const { bar } = plainBar();
    const remote = progress.attach(bar.share());
    remote.update(7);
    bar.reset(20);
    expect(bar.n).toBe(0);
    remote.update(3);
    expect(bar.n).toBe(3);
    bar.close();
  });
});

describe('progress.attach(handle)', () => {
  test('rejects what is not a handle with a TypeError naming `handle`', () => {
    expect(() => progress.attach({})).toThrow(new TypeError(
      'Expected `handle` to be what `bar.share()` returned, got `{…}` (object) (an object with `kind`, `id`, `buffer`, `socket` and `key`)',
    ));
    expect(() => progress.attach(null)).toThrow('Expected `handle` to be what `bar.share()` returned, got `null` (null)');
    expect(() => progress.attach('taqaddum.bar')).toThrow(TypeError);
    expect(() => progress.attach({ kind: 'taqaddum.bar', id: 'x' })).toThrow(/`handle`/);
  });

  test("checks the remote's arguments as a bar's: `n` a finite number, set() takes desc and postfix", () => {
    const { bar } = plainBar();
    const remote = progress.attach(bar.share());
    expect(() => remote.update(Number.NaN)).toThrow('Expected `n` to be a finite number, got `NaN` (number)');
    expect(() => remote.update('1' as unknown as number)).toThrow(TypeError);
    expect(() => remote.set({ total: 3 } as never)).toThrow('Unknown option `total` (remote.set() takes `desc` and `postfix`)');
    expect(() => remote.set({ desc: 1 } as never)).toThrow('Expected `desc` to be a string, got `1` (number)');
    expect(() => remote.set({ postfix: 5 } as never)).toThrow(/`postfix`/);
    remote.close();
    bar.close();
  });

  test('a step that would make a remote\'s count infinite throws a RangeError, as on a bar', () => {
    const { bar } = plainBar();
    const remote = progress.attach(bar.share());
    remote.update(Number.MAX_VALUE);
    expect(() => remote.update(Number.MAX_VALUE)).toThrow(RangeError);
    expect(() => remote.update(Number.MAX_VALUE)).toThrow(/Expected `n` to keep the count finite/);
    bar.close();
  });

  test('after the bar closes, a remote\'s update() and set() are ignored, also once this thread forgot its counter', () => {
    const first = plainBar({ desc: 'first' });
    const remote = progress.attach(first.bar.share());
    remote.set({ postfix: 'before' });
    first.bar.close();
    const second = plainBar({ desc: 'second' });
    const other = progress.attach(second.bar.share()); // this attach drops the closed bar's counter
    remote.update(3);
    remote.set({ desc: 'late', postfix: 'late' });
    other.update(2);
    expect(first.bar.n).toBe(0);
    expect(first.bar.desc).toBe('first');
    expect(second.bar.n).toBe(2);
    second.bar.close();
  });

  test('a handle of a closed bar is harmless: remotes count, the bar stays as it closed', () => {
    const { bar } = plainBar();
    bar.update(2);
    bar.close();
    const remote = progress.attach(bar.share());
    remote.update(5);
    remote.close();
    expect(bar.n).toBe(2);
  });
});

describe('worker threads', () => {
  test('four workers count into one bar: exact at the end, and mid-run the line shows their count, a rate and an ETA', async () => {
    const { bar, stream } = plainBar({ desc: 'rows', total: 40_000 });
    const handle = bar.share();
    // Each worker stops at half its items until the gate opens: the line drawn then is mid-run for sure.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const workers = [0, 1, 2, 3].map(() => thread({ handle, items: 10_000, batch: 500, pause: 2, gate }));
    await until(() => bar.n === 20_000, 'the workers to count half');
    bar.refresh(); // a log's status line, now
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all(workers.map(exited));
    bar.close();
    const lines = stream.lines;
    const mid = fields(lines.at(-2) as string);
    expect(mid).toEqual({ n: 20_000, eta: expect.stringMatching(/^\d\d:\d\d$/), rate: expect.stringMatching(/^\d/) });
    expect(lines.at(-1)).toMatch(/^rows: 100%\|[█]+\| 40000\/40000 \[\d\d:\d\d<00:00, \S+ it\/s\]$/);
  });

  test('on a terminal the frames drawn by the timer show the workers\' count as it grows', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 10 });
    const bar = progress.bar({ stream, desc: 'tty', total: 8000, minInterval: 20 });
    const handle = bar.share();
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const workers = [0, 1].map(() => thread({ handle, items: 4000, gate }));
    // Nothing here reads the bar (bar.n would bring the count in): only its frames do.
    await until(() => stream.text.includes('4000/8000'), 'a frame at half');
    await until(() => /4000\/8000 \[\d\d:\d\d<\d\d:\d\d/.test(stream.writes.at(-1) ?? ''), 'a frame with an ETA');
    const mid = await renderScreen(stream.text, 80, 10);
    expect(mid.rows[0]).toMatch(/^tty:  50%\|█+ +\| 4000\/8000 \[\d\d:\d\d<\d\d:\d\d, [\d.]+k? it\/s\]$/);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all(workers.map(exited));
    bar.close();
    const screen = await renderScreen(stream.text, 80, 10);
    expect(screen.rows[0]).toMatch(/^tty: 100%\|█+\| 8000\/8000 \[\d\d:\d\d<00:00, \S+ it\/s\]$/);
  });

  test('a shared bar left open keeps nothing alive: the program ends, the bar closes at exit', () => {
    const program =
      "import { progress } from './dist/index.js'; const bar = progress.bar({ desc: 'open' }); " +
      "progress.attach(bar.share()).update(3); progress.attach(JSON.parse(JSON.stringify(bar.share()))).update(4);";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(0);
    // Both counts are in: the socket's, too (its remote flushed at the end of the event loop and waited).
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^open: 7 it \[/);
  });

  test('a worker that throws, or exits without close(), keeps what it counted; the bar closes as usual', async () => {
    const { bar, stream } = plainBar({ desc: 'mixed' });
    const handle = bar.share();
    const workers = [
      thread({ handle, items: 3000, end: 'throw' }),
      thread({ handle, items: 2000, end: 'none' }),
      thread({ handle, items: 1000, end: 'exit' }),
    ];
    const exits = await Promise.all(workers.map(exited));
    expect(exits).toEqual([1, 0, 3]);
    expect(bar.n).toBe(6000);
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^mixed: 6000 it \[/);
  });

  test('set({ postfix }) from a worker shows on the bar', async () => {
    const { bar, stream } = plainBar({ desc: 'load', total: 10 });
    // It does not close its remote: the channel its set() opened does not keep it alive either.
    const worker = thread({ handle: bar.share(), items: 10, postfix: { file: 'b.csv' }, end: 'none' });
    await exited(worker);
    const postfixed = (): boolean => {
      bar.refresh();
      return stream.lines.at(-1)?.includes('file=b.csv') === true;
    };
    await until(postfixed, 'the postfix');
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^load: 100%\|.*\| 10\/10 \[.*, file=b\.csv\]$/);
  });

  test('past 256 threads a shared bar counts into its overflow counter, still exactly', async () => {
    const { bar } = plainBar();
    const handle: BarHandle = bar.share();
    new Int32Array(handle.buffer)[0] = 256; // every per-thread counter taken (as if 256 threads had attached)
    const workers = [0, 1].map(() => thread({ handle, items: 5000 }));
    await Promise.all(workers.map(exited));
    expect(bar.n).toBe(10_000);
    bar.close();
  });

  test('a piscina pool reports each task into one bar', async () => {
    const { bar, stream } = plainBar({ desc: 'files', total: 24 * 500 });
    const handle = bar.share();
    const pool = new Piscina({ filename: join(FIXTURES, 'piscina-task.js'), maxThreads: 3, minThreads: 1 });
    try {
      const sums = await Promise.all(
        Array.from({ length: 24 }, (_, i) => pool.run({ handle, rows: 500, name: `part-${i}.csv` })),
      );
      expect(sums).toHaveLength(24);
    } finally {
      await pool.destroy();
    }
    await until(() => {
      bar.refresh();
      return /file=part-\d+\.csv/.test(stream.lines.at(-1) ?? '');
    }, 'a postfix from a task');
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^files: 100%\|.*\| 12000\/12000 \[.*, file=part-\d+\.csv\]$/);
    // One counter per pool thread, not one per task.
    expect(new Int32Array(handle.buffer)[0]).toBeLessThanOrEqual(3);
  });
});

describe('child processes', () => {
  function child(message: Record<string, unknown>): ChildProcess {
    const proc = fork(join(FIXTURES, 'child.js'), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    proc.send(message);
    return proc;
  }

  test('forked children count into the bar: one that closes, one that does not, one that calls process.exit()', async () => {
    const { bar, stream } = plainBar({ desc: 'children', total: 3 * 20_000 });
    const handle = bar.share();
    const children = ['close', 'none', 'exit'].map((end) => child({ handle, items: 20_000, end, postfix: { end } }));
    const exits = await Promise.all(children.map((c) => once(c, 'exit')));
    expect(exits).toEqual([
      [0, null],
      [0, null],
      [0, null],
    ]);
    // A child that closed, or ended its event loop, waited for the bar to have its count; process.exit()
    // wrote it on its way out, and it arrives with the socket's end.
    await until(() => bar.n === 60_000, 'the three counts');
    bar.close();
    expect(stream.lines.at(-1)).toMatch(/^children: 100%\|.*\| 60000\/60000 \[.*, end=(close|none|exit)\]$/);
  });

  test('a child killed with SIGKILL loses what it counted since its last message; the bar goes on and closes', async () => {
    const { bar, stream } = plainBar({ desc: 'killed' });
    const handle = bar.share();
    const victim = child({ handle, items: 5000, end: 'killed', lost: 777 });
    const [code, signal] = await once(victim, 'exit');
    expect([code, signal]).toEqual([null, 'SIGKILL']);
    await until(() => bar.n === 5000, 'the count it had sent');
    bar.update(1); // the bar is alive and well
    bar.close();
    expect(bar.n).toBe(5001);
    expect(stream.lines.at(-1)).toMatch(/^killed: 5001 it \[/);
  });

  test('a handle that came as JSON counts through the socket, in this process too; a wrong key counts nothing', async () => {
    const { bar } = plainBar();
    const handle = bar.share();
    const forged = progress.attach({ ...JSON.parse(JSON.stringify(handle)), key: 'not-the-key' });
    forged.update(1000);
    forged.close();
    const remote = progress.attach(JSON.parse(JSON.stringify(handle)));
    remote.update(5);
    remote.set({ desc: 'over the socket' });
    remote.close();
    await until(() => bar.n === 5 && bar.desc === 'over the socket', 'the count over the socket');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the forged remote had its chance too
    expect(bar.n).toBe(5);
    bar.close();
  });

  test('a child attaching to a closed bar runs and exits as usual', async () => {
    const { bar } = plainBar();
    const handle = bar.share();
    bar.close();
    const late = child({ handle, items: 100, end: 'close' });
    expect(await once(late, 'exit')).toEqual([0, null]);
    expect(bar.n).toBe(0);
  });
});
