import { setTimeout as sleep } from 'node:timers/promises';
import { progress, TimeoutError } from 'taqaddum';

export const title = 'Promises: gather; a pool with failures and a stuck call; a cancelled job';

/** A fake fetch: takes 30–400 ms, fails now and then. */
async function fakeFetch(url, { signal } = {}) {
  await sleep(30 + Math.random() * 370, undefined, { signal });
  if (url.endsWith('13')) throw new Error(`503 from ${url}`);
  return `<html>${url}</html>`;
}

/** A fake conversion: most take 50–250 ms; one never finishes unless its signal is aborted. */
async function convert(file, { signal }) {
  const ms = file === 'scan-0003.tif' ? 60_000 : 50 + Math.random() * 200;
  await sleep(ms, undefined, { signal });
  if (file.endsWith('7.tif')) throw new Error(`corrupt: ${file}`);
  return file.replace('.tif', '.png');
}

export async function run() {
  // 1. gather: like Promise.all, the bar counts promises as they settle.
  const urls = Array.from({ length: 60 }, (_, i) => `https://example.org/page/${i}`);
  const pages = await progress.gather(
    urls.map((u) => fakeFetch(u).catch(() => '')),
    { desc: 'fetch' },
  );
  process.stderr.write(`  fetched ${pages.filter(Boolean).length} of ${urls.length} pages\n`);

  // 2. map with a limit: a stuck call is named under the bar (`1 slow`, `#3 scan-0003.tif  waiting 1s`)
  //    while the other calls go on finishing, then times out; with `settle`, the bar names the failures
  //    under its final line when it closes (and `bar.failures()` has them for the program).
  const files = Array.from({ length: 96 }, (_, i) => `scan-${String(i).padStart(4, '0')}.tif`);
  const conversions = progress.map(files, convert, {
    desc: 'convert',
    concurrency: 6,
    ordered: false, // results as they come: the other calls do not wait behind the stuck one
    settle: true,
    timeout: 2500,
    slowAfter: 800, // a call running 0.8 s (and 4 × most calls' time) is a straggler: named live
    stallAfter: 800,
    plainInterval: 1000, // piped to a log: a status line a second, so the stall shows there too
    label: (file) => file,
  });
  for await (const _r of conversions);
  const timedOut = conversions.bar.failures().filter((f) => f.error instanceof TimeoutError).length;
  process.stderr.write(`  ${timedOut} timed out\n`);

  // 3. a job cancelled after 1.5 s: the bar closes as aborted and lists what was still pending.
  const hang = new AbortController(); // lets the demo end: the stuck tasks are cancelled afterwards
  const tasks = urls
    .slice(0, 24)
    .map((u, i) => (i % 8 === 5 ? sleep(60_000, u, { signal: hang.signal }) : fakeFetch(u).catch(() => u)));
  try {
    for await (const _page of progress.asCompleted(tasks, {
      desc: 'crawl',
      signal: AbortSignal.timeout(1500),
      label: (_task, i) => urls[i],
    }));
  } catch (error) {
    process.stderr.write(`  stopped: ${error.name}\n`);
  } finally {
    hang.abort(); // their rejections are handled: asCompleted watches every input it was given
  }
}
