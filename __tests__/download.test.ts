/**
 * A real download: a `node:http` server on 127.0.0.1 serves a file with `content-length`; the test
 * fetches it through `fetch` + `progress.stream()` in a `pipeline` (the README recipe), through the web
 * ReadableStream of `fetch`, and through `http.get`, whose response carries its own total.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { renderScreen } from '../test-support/screen.js';
import { outcomeOf } from '../test-support/bar-internals.js';

const SIZE = 3 * 1024 * 1024 + 123;
const file = randomBytes(SIZE);
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let server: http.Server;
let base: string;

/** Writes the file in 64 KiB pieces, letting the event loop turn between them, so it arrives in many chunks. */
function serve(res: http.ServerResponse, cutAt = Infinity): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
  let offset = 0;
  const next = (): void => {
    if (offset >= cutAt) {
      res.socket?.destroy(); // the connection drops mid-body
      return;
    }
    if (offset >= SIZE) {
      res.end();
      return;
    }
    const piece = file.subarray(offset, offset + 65_536);
    offset += piece.length;
    if (res.write(piece)) setImmediate(next);
    else res.once('drain', next);
  };
  next();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/file.bin') serve(res);
    else if (req.url === '/broken.bin') serve(res, SIZE / 2);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A sink that hashes what it is given. */
function hashingSink(): { sink: Writable; digest: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback();
    },
  });
  return { sink, digest: () => hash.digest('hex'), bytes: () => bytes };
}

function contentLength(res: Response): number | undefined {
  const header = res.headers.get('content-length');
  return header === null ? undefined : Number(header);
}

describe('downloads', () => {
  test('fetch + progress.stream() in a pipeline: the file arrives intact, the bar ends at 100%', async () => {
    const stream = new MemoryStream({ isTTY: true, columns: 80, rows: 5 });
    const clock = new FakeClock();
    const res = await fetch(`${base}/file.bin`);
    expect(res.ok).toBe(true);
    const total = contentLength(res);
    expect(total).toBe(SIZE);
    const meter = progress.stream({ desc: 'file.bin', total, stream, clock: clock.read });
    const { sink, digest, bytes } = hashingSink();
    meter.on('data', () => clock.advance(5));
    await pipeline(res.body as ReadableStream<Uint8Array>, meter, sink);
    expect(bytes()).toBe(SIZE);
    expect(digest()).toBe(sha256(file));
    expect(meter.bar.n).toBe(SIZE);
    expect(outcomeOf(meter.bar)).toBe('done');
    const screen = await renderScreen(stream.text, 80, 5);
    expect(screen.text).toMatch(/^file\.bin: 100%\|█+\| 3\.15 MB\/3\.15 MB \[\d\d:\d\d<00:00, [\d.]+ [kM]B\/s\]$/m);
  });

  test('for await over a fetch body (a web ReadableStream) with the total from content-length', async () => {
    const stream = new MemoryStream();
    const res = await fetch(`${base}/file.bin`);
    const hash = createHash('sha256');
    const it = progress(res.body as ReadableStream<Uint8Array>, { unit: 'B', total: contentLength(res), stream });
    for await (const chunk of it) hash.update(chunk);
    expect(hash.digest('hex')).toBe(sha256(file));
    expect(it.bar.n).toBe(SIZE);
    expect(stream.lines.at(-1)).toMatch(/100%.*3\.15 MB\/3\.15 MB/);
  });

  test('http.get: the response knows its total (content-length), for await and piped', async () => {
    const get = (): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => http.get(`${base}/file.bin`, resolve).on('error', reject));
    const stream = new MemoryStream();
    const it = progress(await get(), { unit: 'B', stream });
    expect(it.bar.total).toBe(SIZE);
    const hash = createHash('sha256');
    for await (const chunk of it) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(sha256(file));

    const meter = progress.stream({ stream });
    const { sink, digest } = hashingSink();
    await pipeline(await get(), meter, sink);
    expect(meter.bar.total).toBe(SIZE);
    expect(meter.bar.n).toBe(SIZE);
    expect(digest()).toBe(sha256(file));
  });

  test('the connection drops mid-body: the pipeline rejects and the bar closes failed', async () => {
    const stream = new MemoryStream();
    const res = await fetch(`${base}/broken.bin`);
    const meter = progress.stream({ desc: 'broken', total: contentLength(res), stream });
    const { sink, bytes } = hashingSink();
    await expect(pipeline(res.body as ReadableStream<Uint8Array>, meter, sink)).rejects.toThrow();
    expect(outcomeOf(meter.bar)).toBe('failed');
    expect(bytes()).toBeLessThan(SIZE);
    expect(stream.lines.at(-1)).toMatch(/^broken: +\d+%.*✗/);
  });
});
