/**
 * No unhandled rejections, ever: a Node process run with `--unhandled-rejections=strict` (an unhandled
 * rejection kills it at once, exit code 1) goes through every way of leaving work behind — gather
 * failing fast or aborted, asCompleted and map left early or failing, a loop over an array of promises
 * that throws, bad options, an aborted `progress(asyncIterable)` step — while the promises left behind
 * reject later. It must print `ok` and exit with 0.
 *
 * The library is transpiled from `src/` into a scratch directory under node_modules/.cache (so that its
 * dependencies resolve), which keeps this test independent of `dist/` and of the build.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = join(root, 'node_modules', '.cache', `taqaddum-unhandled-${process.pid}`);

function transpileTree(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) transpileTree(path, join(to, name));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const out = ts.transpileModule(readFileSync(path, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: path,
      });
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, relative(from, path).replace(/\.ts$/, '.js')), out.outputText);
    }
  }
}

const program = String.raw`
import { progress, gather, asCompleted, map } from './src/index.js';

const stream = { write() { return true; } }; // bars draw into the void
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rejectLater = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error(what)), ms));
const expectRejection = async (p, label) => {
  try { await p; } catch { return; }
  throw new Error(label + ': expected a rejection');
};

// gather fails fast; the others reject later.
await expectRejection(gather([rejectLater(1, 'first'), rejectLater(20, 'second'), rejectLater(30, 'third')], { stream }), 'gather');
// gather aborted; the inputs reject later.
{
  const c = new AbortController();
  const p = gather([rejectLater(20, 'a'), rejectLater(25, 'b')], { stream, signal: c.signal });
  c.abort(new Error('stop'));
  await expectRejection(p, 'gather abort');
}
// gather with an already aborted signal, and with bad options.
await expectRejection(gather([rejectLater(20, 'c')], { stream, signal: AbortSignal.abort() }), 'gather pre-abort');
await expectRejection(gather([rejectLater(20, 'd')], { stream, settle: 'x' }), 'gather bad options');
// asCompleted: leave early, then the rest reject.
for await (const _ of asCompleted([Promise.resolve(1), rejectLater(20, 'e'), rejectLater(25, 'f')], { stream })) break;
// asCompleted: a rejection ends the loop; others still pending reject later.
await expectRejection((async () => { for await (const _ of asCompleted([rejectLater(1, 'g'), rejectLater(20, 'h')], { stream })) {} })(), 'asCompleted');
// asCompleted: a rejection waiting in the queue that the loop never reaches.
{
  const it = asCompleted([Promise.resolve(1), Promise.reject(new Error('queued'))], { stream });
  await sleep(5);
  for await (const _ of it) break;
}
// asCompleted: bad options throw synchronously; the inputs are still handled.
try { asCompleted([rejectLater(20, 'i')], { indexed: 'x', stream }); throw new Error('no throw'); } catch (e) { if (e.message === 'no throw') throw e; }
// for await over an array of promises: the loop throws at #0; #1 rejects later. And a break.
await expectRejection((async () => { for await (const _ of progress([rejectLater(1, 'j'), rejectLater(20, 'k')], { stream })) {} })(), 'promise array');
for await (const _ of progress([Promise.resolve(0), rejectLater(20, 'l')], { stream })) break;
// …and a rejection while the loop still waits on an earlier, slower input (a plain array would crash here).
await expectRejection((async () => { for await (const _ of progress([sleep(30), rejectLater(5, 'l2')], { stream })) {} })(), 'promise array, later rejection');
// map: fail fast; calls in flight reject after being aborted, and later on their own.
await expectRejection((async () => {
  for await (const _ of map([1, 2, 3, 4], (x, { signal }) => x === 2
    ? rejectLater(1, 'm')
    : new Promise((_, reject) => { signal.addEventListener('abort', () => reject(signal.reason)); setTimeout(() => reject(new Error('n')), 30); }),
    { concurrency: 4, stream })) {}
})(), 'map');
// map: left early with calls in flight that reject later; unordered too; with timeouts.
for await (const _ of map([1, 2, 3], (x) => x === 1 ? x : rejectLater(20, 'o'), { stream })) break;
for await (const _ of map([1, 2, 3], (x) => x === 1 ? x : rejectLater(20, 'p'), { stream, ordered: false })) break;
await expectRejection((async () => { for await (const _ of map([1, 2], (x) => rejectLater(40, 'q'), { stream, timeout: 5 })) {} })(), 'map timeout');
// map: aborted by its signal while calls run; settle mode left early.
{
  const c = new AbortController();
  const it = map([1, 2, 3], () => rejectLater(20, 'r'), { stream, signal: c.signal });
  const step = it.next();
  c.abort(new Error('stop'));
  await expectRejection(step, 'map abort');
}
for await (const _ of map([1, 2, 3], (x) => x === 1 ? x : rejectLater(20, 's'), { stream, settle: true })) break;
// progress(asyncIterable, { signal }): the aborted step's source step rejects later.
{
  const c = new AbortController();
  const source = { [Symbol.asyncIterator]() { return { next: () => rejectLater(20, 't'), return: () => rejectLater(10, 'u') }; } };
  const it = progress(source, { stream, signal: c.signal });
  const step = it.next();
  c.abort(new Error('stop'));
  await expectRejection(step, 'progress abort');
}
await sleep(80); // every promise left behind has rejected by now
process.stdout.write('ok\n');
`;

beforeAll(() => {
  transpileTree(join(root, 'src'), join(scratch, 'src'));
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(scratch, 'program.js'), program);
}, 60_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('work left behind never rejects unhandled (a strict process survives every case)', () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['--unhandled-rejections=strict', join(scratch, 'program.js')], {
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
});

test('the check works: the same process does crash on an unhandled rejection', () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(
    process.execPath,
    ['--unhandled-rejections=strict', '--input-type=module', '-e', 'Promise.reject(new Error("x")); await new Promise((r) => setTimeout(r, 10)); console.log("ok")'],
    { encoding: 'utf8', env, timeout: 30_000 },
  );
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
});
