// `npm run demo`: a tour of taqaddum. Each part runs a few seconds; try it piped too: `npm run demo 2> log`.
import { readdir } from 'node:fs/promises';

const dir = new URL('./parts/', import.meta.url);
const parts = (await readdir(dir)).filter((f) => /^\d+-.*\.js$/.test(f)).sort();
for (const part of parts) {
  const { title, run } = await import(new URL(part, dir).href);
  process.stderr.write(`\n── ${title} ──\n`);
  await run();
}
process.stderr.write('\nDone. See README.md for the API.\n');
