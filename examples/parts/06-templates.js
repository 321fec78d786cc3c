import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from 'taqaddum';

export const title = 'Your own line: templates, colour, ASCII, a spinner for an unknown total';

/** `count` items, one every `ms` milliseconds; fails at item `failAt` if given. */
async function* work(count, ms, failAt) {
  for (let i = 0; i < count; i++) {
    await sleep(ms);
    if (i === failAt) throw new Error(`bad row ${i}`);
    yield i;
  }
}

/** Runs a loop over `source` to its end; a failure is the bar's to show (red, ✗), not the demo's. */
async function drain(source) {
  try {
    for await (const _ of source);
  } catch {}
}

export async function run() {
  const mb = 1_000_000;
  await Promise.all([
    // tqdm's look, drawn with ASCII only.
    drain(progress(work(300, 10), { desc: 'rows', total: 300, format: '{desc}: {percentage}|{bar}| {n}/{total} [{elapsed}<{eta}, {rate}]', ascii: true })),
    // A download; `color` colours the bar, which turns green once complete.
    drain(
      progress(work(120, 25), {
        desc: 'ubuntu.iso',
        total: 120 * 0.4 * mb,
        unit: 'B',
        weight: () => 0.4 * mb,
        format: '{desc} {bar} {n}/{total} · {rate} · {eta} left',
        color: 'magenta',
      }),
    ),
    // A minimal one.
    drain(progress(work(200, 14), { desc: 'resize', total: 200, format: '{[{desc} ]}{percentage}' })),
    // No total: the spinner turns with the timer.
    drain(progress(work(90, 33), { desc: 'crawl', unit: 'page', format: '{spinner} {desc}: {n} {unit} · {elapsed}' })),
    // Styles in the template: a bold desc, a cyan bar, a yellow percentage.
    drain(progress(work(600, 5), { desc: 'train', total: 600, format: '{desc:bold} {bar:cyan} {percentage:yellow} {n}/{total}' })),
    // The default layout with a colour; a failure turns the bar red.
    drain(progress(work(200, 15, 130), { desc: 'import', total: 200, color: 'yellow' })),
  ]);
}
