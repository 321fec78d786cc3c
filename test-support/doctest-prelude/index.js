// The doc-test prelude: small helpers that a README block's setup may import
// (`<!-- doctest: setup import { textFile } from 'doctest-prelude'; … -->`, see test-support/doctest.ts).
// A block never sees these unless its setup names them: only what the setup itself declares or imports
// becomes a global for the block. Files are written in the block's scratch directory (the working
// directory of the run), so relative paths in the README ('big.log') find them.
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a text file of `lines` numbered lines ("line 1" …) and returns its path. */
export function textFile(path, lines) {
  mkdirSync(dirname(path), { recursive: true });
  let text = '';
  for (let i = 1; i <= lines; i++) text += `line ${i}\n`;
  writeFileSync(path, text);
  return path;
}

/** Writes a file of `size` bytes (a repeating pattern) and returns its path. */
export function binaryFile(path, size) {
  mkdirSync(dirname(path), { recursive: true });
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
  writeFileSync(path, data);
  return path;
}

/** The lines of a text file, one by one (an async iterable of strings, as `readline` gives them). */
export function readLines(path) {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity });
}

/** An async generator of `n` records `{ id }` (endless when `n` is Infinity), one every `ms` ms. */
export async function* records(n, ms = 0) {
  for (let id = 0; id < n; id++) {
    if (ms > 0) await sleep(ms);
    else await null;
    yield { id };
  }
}

/**
 * A local HTTP server that answers every GET with `body` (a Buffer or a string) and its `content-length`,
 * on a fresh connection each time (`connection: close`), and never keeps the process alive. Resolves to
 * its base URL (`http://127.0.0.1:PORT/`).
 */
export async function serve(body) {
  const data = Buffer.from(body);
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/octet-stream', connection: 'close' });
    res.end(data);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${server.address().port}/`;
}
