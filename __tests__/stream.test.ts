/**
 * `progress.stream()`: a Transform that passes every byte through unchanged, counts bytes (or chunks in
 * object mode), respects backpressure, and closes its bar on end, on errors from either side, on abort
 * and on destroy. And totals of byte sources: `progress(fs.createReadStream(path), { unit: 'B' })`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { progress } from '../src/index.js';
import type { Bar } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { outcomeOf } from '../test-support/bar-internals.js';

function setup(tty = false): { stream: MemoryStream; clock: FakeClock; options: { stream: MemoryStream; clock: () => number } } {
  const stream = new MemoryStream(tty ? { isTTY: true, columns: 70, rows: 10 } : {});
  const clock = new FakeClock();
  return { stream, clock, options: { stream, clock: clock.read } };
}

const outcome = (bar: Bar): string => outcomeOf(bar);
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Splits `data` into chunks of random sizes (1 byte … 40 KiB). */
function randomChunks(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const size = 1 + Math.floor(Math.random() * 40_000);
    chunks.push(data.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

/** A writable that keeps what it is given, optionally slowly. */
function collector(options: { objectMode?: boolean; delayMs?: number; highWaterMark?: number } = {}): {
  sink: Writable;
  chunks: unknown[];
  bytes: () => Buffer;
} {
  const chunks: unknown[] = [];
  const sink = new Writable({
    objectMode: options.objectMode ?? false,
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    write(chunk, _encoding, callback) {
      chunks.push(chunk);
      if (options.delayMs === undefined) callback();
      else setTimeout(callback, options.delayMs);
    },
  });
  return { sink, chunks, bytes: () => Buffer.concat(chunks as Buffer[]) };
}

describe('bytes pass through unchanged', () => {
  test('random binary data in random chunk sizes: same bytes out, every byte counted, bar done', async () => {
    const { stream, options } = setup();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const meter = progress.stream({ desc: 'copy', ...options });
    const { sink, bytes } = collector();
    await pipeline(Readable.from(randomChunks(data)), meter, sink);
    expect(sha256(bytes())).toBe(sha256(data));
    expect(meter.bar.n).toBe(data.length);
    expect(outcome(meter.bar)).toBe('done');
    expect(stream.lines.at(-1)).toMatch(/^copy: 3\.15 MB \[/);
    expect(stream.text).not.toContain('\u001b');
  });

  test('on a terminal the final frame reads 100% with sizes', async () => {
    const { stream, clock, options } = setup(true);
    const size = 2_000_000;
    const meter = progress.stream({ desc: 'iso', total: size, ...options });
    async function* source(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < size; sent += 100_000) {
        clock.advance(100);
        yield Buffer.alloc(100_000);
      }
    }
    await pipeline(source(), meter, collector().sink);
    const screen = await renderScreen(stream.text, 70, 10);
    expect(screen.text).toMatch(/^iso: 100%\|█+\| 2\.00 MB\/2\.00 MB \[00:02<00:00, 1\.00 MB\/s\]$/m);
  });

  test('a web ReadableStream as the source', async () => {
    const { options } = setup();
    const data = randomBytes(200_000);
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < data.length; i += 30_000) controller.enqueue(new Uint8Array(data.subarray(i, i + 30_000)));
        controller.close();
      },
    });
    const meter = progress.stream(options);
    const { sink, bytes } = collector();
    await pipeline(web, meter, sink);
    expect(bytes().equals(data)).toBe(true);
    expect(meter.bar.n).toBe(data.length);
  });

  test('.pipe() works too: the bar closes when the stream ends', async () => {
    const { options } = setup();
    const meter = progress.stream(options);
    const { sink, bytes } = collector();
    const finished = new Promise((resolve) => sink.on('finish', resolve));
    Readable.from([Buffer.from('abc'), Buffer.from('defg')]).pipe(meter).pipe(sink);
    await finished;
    expect(bytes().toString()).toBe('abcdefg');
    expect(meter.bar.n).toBe(7);
    expect(outcome(meter.bar)).toBe('done');
  });

  test('an empty stream closes at 0', async () => {
    const { stream, options } = setup();
    const meter = progress.stream(options);
    await pipeline(Readable.from([]), meter, collector().sink);
    expect(meter.bar.n).toBe(0);
    expect(outcome(meter.bar)).toBe('done');
    expect(stream.lines.at(-1)).toMatch(/^0 B \[/);
  });
});

describe('object mode', () => {
  test('any unit but B counts chunks and passes the same objects on', async () => {
    const { stream, options } = setup();
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i }));
    const meter = progress.stream({ unit: 'rows', total: 50, ...options });
    expect(meter.readableObjectMode).toBe(true);
    expect(meter.writableObjectMode).toBe(true);
    const { sink, chunks } = collector({ objectMode: true });
    await pipeline(Readable.from(rows), meter, sink);
    expect(chunks).toHaveLength(50);
    chunks.forEach((c, i) => expect(c).toBe(rows[i]));
    expect(meter.bar.n).toBe(50);
    expect(stream.lines.at(-1)).toMatch(/100%.*50\/50/);
  });

  test('weight(chunk) decides how much a chunk counts', async () => {
    const { options } = setup();
    const batches = [[1, 2, 3], [4], [5, 6]];
    const meter = progress.stream({ unit: 'rows', weight: (batch: number[]) => batch.length, ...options });
    await pipeline(Readable.from(batches), meter, collector({ objectMode: true }).sink);
    expect(meter.bar.n).toBe(6);
  });

  test('unit B in object mode counts byte lengths of buffers, typed arrays and strings', async () => {
    const { options } = setup();
    const meter = progress.stream({ objectMode: true, ...options });
    await pipeline(
      Readable.from([Buffer.from('ab'), new Uint8Array(3), 'é'], { objectMode: true }),
      meter,
      collector({ objectMode: true }).sink,
    );
    expect(meter.bar.n).toBe(2 + 3 + 2);
  });

  test('a weight that throws fails the pipeline with its error and closes the bar as failed', async () => {
    const { options } = setup();
    const boom = new Error('bad row');
    const meter = progress.stream({
      unit: 'rows',
      weight: (row: number) => {
        if (row === 3) throw boom;
        return 1;
      },
      ...options,
    });
    await expect(pipeline(Readable.from([1, 2, 3, 4]), meter, collector({ objectMode: true }).sink)).rejects.toBe(boom);
    expect(outcome(meter.bar)).toBe('failed');
  });
});

describe('backpressure', () => {
  /** A source of `count` chunks of `size` bytes that records how many it has produced. */
  function countingSource(count: number, size: number): { source: Readable; produced: () => number } {
    let produced = 0;
    const source = new Readable({
      highWaterMark: size,
      read() {
        if (produced === count) this.push(null);
        else {
          produced++;
          this.push(Buffer.alloc(size, produced & 0xff));
        }
      },
    });
    return { source, produced: () => produced };
  }

  async function inFlight(middle: Transform, bar?: Bar): Promise<{ maxAhead: number; maxCountedAhead: number }> {
    const size = 8 * 1024;
    const { source, produced } = countingSource(200, size);
    let consumed = 0;
    let maxAhead = 0;
    let maxCountedAhead = 0;
    const sink = new Writable({
      highWaterMark: size,
      write(chunk: Buffer, _encoding, callback) {
        consumed += chunk.length;
        maxAhead = Math.max(maxAhead, produced() * size - consumed);
        if (bar !== undefined) maxCountedAhead = Math.max(maxCountedAhead, bar.n - consumed);
        setImmediate(callback); // a slow writer
      },
    });
    await pipeline(source, middle, sink);
    expect(consumed).toBe(200 * size);
    return { maxAhead, maxCountedAhead };
  }

  test('a slow writer slows the source: no more is read ahead than through a PassThrough', async () => {
    const { options } = setup();
    const reference = await inFlight(new PassThrough());
    const meter = progress.stream(options);
    const measured = await inFlight(meter, meter.bar);
    expect(measured.maxAhead).toBeLessThanOrEqual(reference.maxAhead);
    expect(measured.maxAhead).toBeLessThan(200 * 8 * 1024 * 0.25); // bounded, not the whole input
    // The bar runs ahead of the writer only by what Node buffers between them.
    expect(measured.maxCountedAhead).toBeLessThanOrEqual(reference.maxAhead);
    expect(meter.bar.n).toBe(200 * 8 * 1024);
    expect(outcome(meter.bar)).toBe('done');
  });
});

describe('errors, aborts and early ends close the bar', () => {
  test('an upstream error rejects the pipeline with the same error; the bar closes failed with ✗', async () => {
    const { stream, options } = setup();
    const boom = new Error('connection reset');
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(boom);
      },
    });
    const meter = progress.stream({ desc: 'dl', ...options });
    const { sink } = collector();
    await expect(pipeline(source, meter, sink)).rejects.toBe(boom);
    expect(outcome(meter.bar)).toBe('failed');
    expect(meter.destroyed).toBe(true);
    expect(stream.lines.at(-1)).toMatch(/^dl: ✗ /);
  });

  test('a downstream error rejects the pipeline with the same error; the bar closes failed', async () => {
    const { options } = setup();
    const boom = new Error('disk full');
    let writes = 0;
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(++writes === 3 ? boom : null);
      },
    });
    const meter = progress.stream(options);
    const data = Array.from({ length: 10 }, () => Buffer.alloc(1000));
    await expect(pipeline(Readable.from(data), meter, sink)).rejects.toBe(boom);
    expect(outcome(meter.bar)).toBe('failed');
  });

  test('an aborted signal destroys the stream with an AbortError; the bar closes aborted', async () => {
    const { options } = setup();
    const controller = new AbortController();
    const meter = progress.stream({ signal: controller.signal, ...options });
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(100));
      },
    });
    const { sink } = collector({ delayMs: 1 });
    const done = pipeline(source, meter, sink);
    setTimeout(() => controller.abort(), 20);
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(outcome(meter.bar)).toBe('aborted');
  });

  test('an already aborted signal: the pipeline rejects with the same AbortError (cause: the reason); the bar closes aborted', async () => {
    const { options, stream } = setup();
    const controller = new AbortController();
    const reason = new Error('stop before the start');
    controller.abort(reason);
    const meter = progress.stream({ signal: controller.signal, ...options });
    expect(meter.destroyed).toBe(true);
    expect(outcome(meter.bar)).toBe('aborted');
    const { sink, chunks } = collector();
    const error = await pipeline(Readable.from([Buffer.from('abc')]), meter, sink).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'AbortError', cause: reason });
    expect(chunks).toEqual([]);
    expect(stream.lines.at(-1)).toMatch(/✗ 0 B /);
  });

  test('destroy() without an error before the end: stopped', () => {
    const { options } = setup();
    const meter = progress.stream(options);
    meter.write(Buffer.alloc(10));
    meter.destroy();
    expect(outcome(meter.bar)).toBe('stopped');
    expect(meter.bar.isClosed).toBe(true);
  });
});

describe('options', () => {
  test('bad options fail fast with a message naming the option', () => {
    expect(() => progress.stream({ total: -1 })).toThrow('Expected `total` to be a non-negative number, got `-1` (number)');
    expect(() => progress.stream({ weight: 3 } as never)).toThrow('Expected `weight` to be a function, got `3` (number)');
    expect(() => progress.stream({ objectMode: 'yes' } as never)).toThrow(/`objectMode` to be a boolean/);
    expect(() => progress.stream({ signal: {} } as never)).toThrow(/`signal` to be an AbortSignal/);
    expect(() => progress.stream({ highWaterMark: -5 })).toThrow(/`highWaterMark`/);
    expect(() => progress.stream({ colour: 'red' } as never)).toThrow('Unknown option `colour`');
    expect(() => progress.stream(null as never)).toThrow(TypeError);
  });

  test('defaults: unit B, byte mode', () => {
    const { options } = setup();
    const meter = progress.stream(options);
    expect(meter.readableObjectMode).toBe(false);
    expect(meter.bar.total).toBeUndefined();
    meter.destroy();
  });
});

describe('byte totals from the source', () => {
  let dir: string;
  let file: string;
  const size = 100_000;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taqaddum-stream-'));
    file = join(dir, 'data.bin');
    writeFileSync(file, randomBytes(size));
    writeFileSync(join(dir, 'empty.bin'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function drain(source: AsyncIterable<unknown>): Promise<void> {
    for await (const _ of source);
  }

  test('progress(fs.createReadStream(path), { unit: "B" }): the total is the file size', async () => {
    const { options } = setup();
    const it = progress(createReadStream(file), { unit: 'B', ...options });
    expect(it.bar.total).toBe(size);
    await drain(it);
    expect(it.bar.n).toBe(size);
  });

  test('start and end narrow the total (end is inclusive, past the end is clipped)', () => {
    const { options } = setup();
    expect(progress(createReadStream(file, { start: 10, end: 19 }), { unit: 'B', ...options }).bar.total).toBe(10);
    expect(progress(createReadStream(file, { start: 99_990 }), { unit: 'B', ...options }).bar.total).toBe(10);
    expect(progress(createReadStream(file, { end: 10 ** 9 }), { unit: 'B', ...options }).bar.total).toBe(size);
  });

  test('a file descriptor: known with start, unknown without (its position is not known)', async () => {
    const { options } = setup();
    const fd1 = openSync(file, 'r');
    const withStart = progress(createReadStream(file, { fd: fd1, start: 1000 }), { unit: 'B', ...options });
    expect(withStart.bar.total).toBe(size - 1000);
    await drain(withStart);
    const fd2 = openSync(file, 'r');
    const without = progress(createReadStream(file, { fd: fd2 }), { unit: 'B', ...options });
    expect(without.bar.total).toBeUndefined();
    await drain(without);
    for (const fd of [fd1, fd2]) {
      try {
        closeSync(fd);
      } catch {
        // closed by the stream
      }
    }
  });

  test('unknown: not unit B, a non-UTF-8 encoding, an empty file, a device, a missing file', async () => {
    const { options } = setup();
    const chunks = progress(createReadStream(file), options);
    expect(chunks.bar.total).toBeUndefined();
    await drain(chunks);
    const hex = progress(createReadStream(file, { encoding: 'hex' }), { unit: 'B', ...options });
    expect(hex.bar.total).toBeUndefined();
    await drain(hex);
    expect(progress(createReadStream(file, { encoding: 'utf8' }), { unit: 'B', ...options }).bar.total).toBe(size);
    const empty = progress(createReadStream(join(dir, 'empty.bin')), { unit: 'B', ...options });
    expect(empty.bar.total).toBeUndefined();
    await drain(empty);
    const device = progress(createReadStream('/dev/null'), { unit: 'B', ...options });
    expect(device.bar.total).toBeUndefined();
    await drain(device);
    const missing = progress(createReadStream(join(dir, 'nope')), { unit: 'B', ...options });
    expect(missing.bar.total).toBeUndefined();
    await expect(drain(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(outcome(missing.bar)).toBe('failed');
  });

  test('the total option wins over the file size', () => {
    const { options } = setup();
    expect(progress(createReadStream(file), { unit: 'B', total: 5, ...options }).bar.total).toBe(5);
  });

  test('a file piped into progress.stream() gives it its size as the total', async () => {
    const { stream, options } = setup();
    const meter = progress.stream({ desc: 'gz', ...options });
    await pipeline(createReadStream(file), meter, collector().sink);
    expect(meter.bar.total).toBe(size);
    expect(stream.lines.at(-1)).toMatch(/^gz: 100%.*100 kB\/100 kB/);
    const given = progress.stream({ total: 1, ...options });
    await pipeline(createReadStream(file), given, collector().sink);
    expect(given.bar.total).toBe(1);
  });
});
