import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { progress } from 'taqaddum';

export const title = 'progress.stream(): a local download, a file; then the taqaddum command';

/** A sink that only hashes what reaches it. */
function hashing() {
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  return { sink, digest: () => hash.digest('hex') };
}

export async function run() {
  const size = 24 * 1024 * 1024;
  const body = randomBytes(size);
  // A server on 127.0.0.1 that sends the file with its content-length, at about 8 MB/s.
  const server = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    for (let offset = 0; offset < size; offset += 128 * 1024) {
      if (!res.write(body.subarray(offset, offset + 128 * 1024))) await new Promise((r) => res.once('drain', r));
      await sleep(16);
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'taqaddum-demo-'));
  try {
    // The README recipe: total from content-length, bytes passed through untouched.
    const res = await fetch(`http://127.0.0.1:${server.address().port}/ubuntu.iso`);
    const length = res.headers.get('content-length');
    const download = hashing();
    await pipeline(
      res.body,
      progress.stream({ desc: 'ubuntu.iso', total: length === null ? undefined : Number(length) }),
      download.sink,
    );
    const expected = createHash('sha256').update(body).digest('hex');
    if (download.digest() !== expected) throw new Error('the download was corrupted');

    // A file piped in: the stream takes its total from the file's size.
    const file = join(dir, 'ubuntu.iso');
    writeFileSync(file, body);
    await pipeline(createReadStream(file), progress.stream({ desc: 'gzip' }), createGzip({ level: 1 }), hashing().sink);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }

  // The command in a shell pipe: lines counted on the way through, the bar on stderr.
  const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
  const shell = `seq 4000000 | "${process.execPath}" "${bin}" --desc 'seq | taqaddum' --total 4M | gzip -1 > /dev/null`;
  spawnSync('sh', ['-c', shell], { stdio: ['ignore', 'ignore', 'inherit'] });
}
