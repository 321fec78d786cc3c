import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from 'taqaddum';

export const title = 'An async generator with no known length, then one with a total';

async function* readLines(count, delay) {
  for (let i = 0; i < count; i++) {
    if (i % 20 === 0) await sleep(delay);
    yield `line ${i}`;
  }
}

export async function run() {
  for await (const _line of progress(readLines(1200, 25), { desc: 'lines' }));
  const bar = progress(readLines(1200, 25), { desc: 'with total', total: 1200 });
  for await (const line of bar) {
    if (line.endsWith('00')) bar.bar.set({ postfix: { last: line } });
  }
}
