import { once } from 'node:events';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { progress } from 'taqaddum';

export const title = 'Four worker threads feeding one bar: bar.share(), progress.attach()';

const FILES = 16;
const ROWS = 62_500; // per file: a million rows in all
const BATCH = 2_500;

// In each worker (this file is also the workers' script): parse its files, counting every row into the
// main thread's bar. `remote.update()` is a write to shared memory, as cheap as `bar.update()`.
if (!isMainThread) {
  const { handle, files } = workerData;
  const remote = progress.attach(handle);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let checksum = 0;
  for (const file of files) {
    remote.set({ postfix: { file } });
    for (let row = 0; row < ROWS; row++) {
      checksum = (checksum * 31 + row) | 0; // the "parsing"
      remote.update();
      if (row % BATCH === BATCH - 1) Atomics.wait(nap, 0, 0, 20); // and the reading
    }
  }
  remote.close();
  if (checksum === 42) console.log('lucky'); // keep the loop's work
}

export async function run() {
  const names = Array.from({ length: FILES }, (_, i) => `part-${String(i).padStart(2, '0')}.csv`);
  const bar = progress.bar({ desc: '4 workers', total: FILES * ROWS, unit: 'row' });
  const handle = bar.share();
  const workers = [0, 1, 2, 3].map(
    (w) => new Worker(new URL(import.meta.url), { workerData: { handle, files: names.filter((_, i) => i % 4 === w) } }),
  );
  await Promise.all(workers.map((worker) => once(worker, 'exit')));
  bar.close();
}
