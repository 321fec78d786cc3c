import { progress } from 'taqaddum';

export const title = 'A sync loop over an array (each item takes ~2 ms of CPU)';

function work(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

export async function run() {
  const rows = Array.from({ length: 1500 }, (_, i) => i);
  for (const _row of progress(rows, { desc: 'rows' })) work(2);
  for (const _i of progress(20_000_000, { desc: 'fast range' }));
}
