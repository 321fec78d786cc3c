/**
 * Issue 2, part 10: the core benchmarks.
 *
 * - Sync overhead: ns/item over a bare `for…of` on a 10M-element array with a live TTY renderer, against
 *   cli-progress `increment()`, progress `tick()` and ts-tqdm's wrapper; and over a bare generator loop.
 * - Async overhead: `for await` over a 1M-item trivial async generator, wrapped vs bare, with and
 *   without a known `total`; and the designs tried for the unknown total (issue 13, target 3:
 *   bench/variants/async-designs.js), each in the same rounds as the shipped adapter and the bare loop.
 * - Frames: writes per second to the stream, for fast items and for slow ones.
 * - Cold import: `import()` of the package vs an empty `node -e ''`.
 * - Memory: the heap held by an open bar after 10 items vs after 10M.
 * - Lines: `console.log` of 100k lines under a live bar in a pty, against the same loop without the bar.
 *
 * Timings are CPU time of this process (see bench/lib.js); frame rates and import times are wall time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import v8 from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuNow, fakeTTY, gc, median, now, paired, redirectOutput, sleep, smallInts, spin, summary } from '../lib.js';
import { progress } from '../../dist/index.js';
import * as designs from '../variants/async-designs.js';

export const title = 'Core: overhead, frames, import time, memory (issue 2)';

const require = createRequire(import.meta.url);
const distUrl = new URL('../../dist/index.js', import.meta.url).href;

/**
 * Timed pairs run without a forced full collection before each: V8 throws away optimized code that
 * embedded an object from the previous run once a full collection finds it dead ("weak objects"
 * deopts), so forcing one before every pair would time the re-optimization, not the loop.
 */
const NO_GC = { collect: false };

/** Per-item figures from paired runs of `items` items: ns/item over the reference, and the ratio. */
function perItem(result, items) {
  const over = summary(result.diff.map((ms) => (ms * 1e6) / items));
  const ref = median(result.a) * 1e6 / items;
  const ratio = median(result.ratio);
  return { over, ref, ratio };
}

/**
 * Round-robin runs: `rounds` times, the reference, then every function (the order rotated each round),
 * then the reference again; each run's ratio is to the mean of its round's two reference runs. Many
 * functions share the same reference runs, so their figures compare with each other as well as with it.
 * Returns, per function, the ratios and the differences (ms), and the reference's times (ms).
 */
async function roundRobin(rounds, ref, fns, clock) {
  const time = async (fn) => {
    const t0 = clock();
    await fn();
    return clock() - t0;
  };
  const out = fns.map(() => ({ ratio: [], diff: [] }));
  const refs = [];
  for (let r = 0; r < rounds; r++) {
    const before = await time(ref);
    const times = new Array(fns.length);
    for (let k = 0; k < fns.length; k++) {
      const i = (k + r) % fns.length;
      times[i] = await time(fns[i]);
    }
    const base = (before + (await time(ref))) / 2;
    refs.push(base);
    times.forEach((t, i) => {
      out[i].ratio.push(t / base);
      out[i].diff.push(t - base);
    });
  }
  return { runs: out, ref: refs };
}

// ── the loops (each its own function, so each keeps its own type feedback) ───────────────────────────

function bareArray(a) {
  let s = 0;
  for (const x of a) s = (s + x) | 0;
  return s;
}

function taqaddumArray(a, stream) {
  let s = 0;
  for (const x of progress(a, { stream })) s = (s + x) | 0;
  return s;
}

function cliProgressArray(a, stream, cliProgress) {
  const bar = new cliProgress.SingleBar({ stream, hideCursor: false, gracefulExit: false }, cliProgress.Presets.legacy);
  bar.start(a.length, 0);
  let s = 0;
  for (const x of a) {
    s = (s + x) | 0;
    bar.increment();
  }
  bar.stop();
  return s;
}

function progressArray(a, stream, ProgressBar) {
  const bar = new ProgressBar('[:bar] :current/:total :percent :etas', {
    total: a.length,
    stream,
    width: 40,
    renderThrottle: 100,
  });
  let s = 0;
  for (const x of a) {
    s = (s + x) | 0;
    bar.tick();
  }
  return s;
}

function tsTqdmArray(a, tqdm) {
  let s = 0;
  for (const x of tqdm(a)) s = (s + x) | 0;
  return s;
}

function* numbers(n) {
  for (let i = 0; i < n; i++) yield i & 1023;
}

function bareGenerator(n) {
  let s = 0;
  for (const x of numbers(n)) s = (s + x) | 0;
  return s;
}

function taqaddumGenerator(n, stream) {
  let s = 0;
  for (const x of progress(numbers(n), { stream })) s = (s + x) | 0;
  return s;
}

function bareRange(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + (i & 1023)) | 0;
  return s;
}

function taqaddumRange(n, stream) {
  let s = 0;
  for (const i of progress(n, { stream })) s = (s + (i & 1023)) | 0;
  return s;
}

async function* asyncNumbers(n) {
  for (let i = 0; i < n; i++) yield i & 1023;
}

async function bareAsync(n) {
  let s = 0;
  for await (const x of asyncNumbers(n)) s = (s + x) | 0;
  return s;
}

async function taqaddumAsync(n, stream) {
  let s = 0;
  for await (const x of progress(asyncNumbers(n), { stream })) s = (s + x) | 0;
  return s;
}

async function taqaddumAsyncTotal(n, stream) {
  let s = 0;
  for await (const x of progress(asyncNumbers(n), { stream, total: n })) s = (s + x) | 0;
  return s;
}

// The designs tried (issue 13, target 3), each counting into a real bar: one loop each, written out. A loop
// shared by all the designs would see a different iterator class from each, so its `next()` call site would
// go megamorphic and every design would be timed slower than it runs in a program of its own.

async function closurePerItemAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.closurePerItem(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function sharedHandlerAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.sharedHandler(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function asyncMethodAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.asyncMethod(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function awaitBesideAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.awaitBeside(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function peekAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.peek(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function peekEvery16Async(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.peekEvery16(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function unreadAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.unread(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function asyncGeneratorWrapperAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.asyncGeneratorWrapper(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function yieldStarAsync(n, stream) {
  let s = 0;
  const bar = progress.bar({ stream });
  for await (const x of designs.yieldStar(asyncNumbers(n), bar)) s = (s + x) | 0;
  bar.close();
  return s;
}

async function reactionOnlyAsync(n) {
  let s = 0;
  for await (const x of designs.reactionOnly(asyncNumbers(n))) s = (s + x) | 0;
  return s;
}

async function passThroughAsync(n) {
  let s = 0;
  for await (const x of designs.passThrough(asyncNumbers(n))) s = (s + x) | 0;
  return s;
}

/**
 * Builds, into `dir`, the library bundled with its runtime dependencies (an attempt of issue 13 that is
 * measured, not shipped): src/lazy.ts's `createRequire(…)(name)` becomes a `require()` of each name, which
 * esbuild bundles as a module initialised on first call, so the lazy loads stay lazy. Returns the file.
 */
async function buildBundledVariant(dir) {
  const { build } = await import('esbuild');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const outfile = path.join(dir, 'index.js');
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  await build({
    entryPoints: [path.join(root, 'src', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    plugins: [
      {
        name: 'bundled-lazy',
        setup(b) {
          b.onLoad({ filter: /[\\/]src[\\/]lazy\.ts$/ }, (args) => {
            const source = readFileSync(args.path, 'utf8');
            const call = 'createRequire(import.meta.url)(name)';
            if (!source.includes(call)) throw new Error(`src/lazy.ts no longer loads with ${call}: update the bench`);
            const bundled =
              "(name === 'log-update' ? require('log-update') : name === 'string-width' ? require('string-width') : require('pretty-bytes'))";
            return { contents: source.replace(call, bundled), loader: 'ts' };
          });
        },
      },
    ],
  });
  return outfile;
}

/** The package's own modules reachable by static imports from `entry`, their size, and the built-ins. */
function importGraph(entry) {
  const seen = new Set();
  const builtins = new Set();
  let bytes = 0;
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(source);
    for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'/gm)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
      else if (spec.startsWith('node:')) builtins.add(spec);
    }
  };
  walk(entry);
  return { modules: seen.size, bytes, builtins: [...builtins].sort() };
}

// ── the suite ─────────────────────────────────────────────────────────────────────────────────────────

export async function run(ctx) {
  const q = ctx.quick;
  const rows = [];
  const notes = [];
  const log = ctx.log;

  const N = q ? 200_000 : 10_000_000; // sync items
  const ROUNDS = q ? 3 : 15;
  const PEER_ROUNDS = q ? 2 : 5;
  const TQDM_N = q ? 5_000 : 100_000;
  const AN = q ? 20_000 : 1_000_000; // async items
  const AROUNDS = q ? 3 : 31;
  const WARM = q ? 20 : 300;
  const small = smallInts(1000);
  const array = smallInts(N);
  /** `BENCH_ONLY=sync,async,frames,import,memory,log` runs only those sections (for work on one of them). */
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
  const want = (part) => only === undefined || only.has(part);

  // ── sync overhead ──
  if (want('sync')) {
    const section = `Sync overhead (${N.toLocaleString('en-US')} items, live renderer on a fake TTY)`;
    const stream = fakeTTY();
    log('sync: warming up');
    for (let i = 0; i < WARM; i++) {
      bareArray(small);
      taqaddumArray(small, stream);
      bareGenerator(1000);
      taqaddumGenerator(1000, stream);
      bareRange(1000);
      taqaddumRange(1000, stream);
    }
    // One full-size run of each too: V8 sizes its young generation and finishes tiering up on the
    // first long runs, which would otherwise land in the first timed rounds.
    bareArray(array);
    taqaddumArray(array, stream);
    bareGenerator(N);
    taqaddumGenerator(N, stream);
    bareRange(N);
    taqaddumRange(N, stream);

    log('sync: taqaddum over an array');
    stream.reset();
    let r = await paired(ROUNDS, () => bareArray(array), () => taqaddumArray(array, stream), cpuNow, NO_GC);
    let m = perItem(r, N);
    rows.push({
      section,
      name: 'taqaddum `for (const x of progress(array))`',
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: ROUNDS,
      unit: 'ns/item',
      reference: `bare \`for…of\`: ${m.ref.toFixed(2)} ns/item`,
      ratio: m.ratio,
      target: '≤ 5 ns/item over bare',
      pass: m.over.value <= 5,
    });
    const ourWrites = stream.writes / ROUNDS;

    log('sync: taqaddum over a generator');
    r = await paired(ROUNDS, () => bareGenerator(N), () => taqaddumGenerator(N, stream), cpuNow, NO_GC);
    m = perItem(r, N);
    rows.push({
      section,
      name: 'taqaddum over a generator',
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: ROUNDS,
      unit: 'ns/item',
      reference: `bare generator loop: ${m.ref.toFixed(1)} ns/item`,
      ratio: m.ratio,
      target: '≤ 15 ns/item over bare',
      pass: m.over.value <= 15,
    });

    log('sync: taqaddum range');
    r = await paired(ROUNDS, () => bareRange(N), () => taqaddumRange(N, stream), cpuNow, NO_GC);
    m = perItem(r, N);
    rows.push({
      section,
      name: 'taqaddum `progress(n)` range',
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: ROUNDS,
      unit: 'ns/item',
      reference: `bare \`for (let i…)\`: ${m.ref.toFixed(2)} ns/item`,
      ratio: m.ratio,
    });

    log('sync: cli-progress increment()');
    const cliProgress = require('cli-progress');
    const cliStream = fakeTTY();
    for (let i = 0; i < Math.min(WARM, 50); i++) cliProgressArray(small, cliStream, cliProgress);
    cliStream.reset();
    r = await paired(PEER_ROUNDS, () => bareArray(array), () => cliProgressArray(array, cliStream, cliProgress), cpuNow, NO_GC);
    m = perItem(r, N);
    rows.push({
      section,
      name: `cli-progress ${require('cli-progress/package.json').version} \`increment()\``,
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: PEER_ROUNDS,
      unit: 'ns/item',
      reference: `bare \`for…of\`: ${m.ref.toFixed(2)} ns/item`,
      ratio: m.ratio,
    });
    const cliWrites = cliStream.writes / PEER_ROUNDS;

    log('sync: progress tick()');
    const ProgressBar = require('progress');
    const pStream = fakeTTY();
    for (let i = 0; i < Math.min(WARM, 50); i++) progressArray(small, pStream, ProgressBar);
    pStream.reset();
    r = await paired(PEER_ROUNDS, () => bareArray(array), () => progressArray(array, pStream, ProgressBar), cpuNow, NO_GC);
    m = perItem(r, N);
    rows.push({
      section,
      name: `progress ${require('progress/package.json').version} \`tick()\``,
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: PEER_ROUNDS,
      unit: 'ns/item',
      reference: `bare \`for…of\`: ${m.ref.toFixed(2)} ns/item`,
      ratio: m.ratio,
    });
    const pWrites = pStream.writes / PEER_ROUNDS;

    log(`sync: ts-tqdm (capped at ${TQDM_N} items)`);
    const { tqdm } = require('ts-tqdm');
    const tqdmArray = smallInts(TQDM_N);
    const tStream = fakeTTY();
    await redirectOutput(tStream, async () => {
      for (let i = 0; i < 5; i++) tsTqdmArray(small, tqdm);
      tStream.reset();
      r = await paired(PEER_ROUNDS, () => bareArray(tqdmArray), () => tsTqdmArray(tqdmArray, tqdm), cpuNow, NO_GC);
    });
    m = perItem(r, TQDM_N);
    rows.push({
      section,
      name: `ts-tqdm ${require('ts-tqdm/package.json').version} \`tqdm(array)\` (${TQDM_N.toLocaleString('en-US')} items only)`,
      value: m.over.value,
      min: m.over.min,
      max: m.over.max,
      runs: PEER_ROUNDS,
      unit: 'ns/item',
      reference: `bare \`for…of\` on the same ${TQDM_N.toLocaleString('en-US')} items: ${m.ref.toFixed(2)} ns/item`,
      ratio: m.ratio,
    });
    const tWrites = tStream.writes / PEER_ROUNDS;

    notes.push(
      `Sync rows: each wrapped run of ${N.toLocaleString('en-US')} items is paired with a bare run of the same loop (\`s = (s + x) | 0\`), ` +
        'and the figure is the median over the pairs of (wrapped − bare) / items, in CPU time. Every loop was first run on ' +
        `1,000-item inputs (${WARM}× for taqaddum) so that both sides are optimized before timing.`,
      '**Result objects are not reused.** `next()` returns a fresh `{ value, done }` each time, so code that keeps ' +
        'results (`const a = it.next(), b = it.next()`) stays correct. It costs nothing in an optimized loop: the ' +
        'array and range iterators build that object in one place for both outcomes, which lets V8 remove the ' +
        'allocation (escape analysis; with separate literals for \"item\" and \"done\" it could not, and every item ' +
        'allocated: 24 young-generation collections per 10M items, ≈ 6–8 ns/item here). They also count lazily: ' +
        'per item only the index moves and is compared with the next sync point; the bar\'s count is brought up ' +
        'to date there (about every `minInterval / 4`), at the end, and before anything reads it.',
      `Writes per ${N.toLocaleString('en-US')}-item run: taqaddum ${ourWrites.toFixed(1)}, cli-progress ${cliWrites.toFixed(0)}, ` +
        `progress ${pWrites.toFixed(0)} (its \`renderThrottle\` set to 100 ms like the others; cli-progress at its default 10 fps). ` +
        `ts-tqdm writes on every item (${tWrites.toFixed(0)} writes per ${TQDM_N.toLocaleString('en-US')}-item run, to process.stdout, ` +
        'redirected to a counting sink), so its run is capped at that many items.',
    );
  }

  // ── async overhead ──
  if (want('async')) {
    const section = `Async overhead (\`for await\` over a ${AN.toLocaleString('en-US')}-item trivial async generator)`;
    const stream = fakeTTY();
    /**
     * The shipped adapter (with its target), then the designs tried for an unknown total (issue 13,
     * target 3; bench/variants/async-designs.js: minimal adapters counting into a real bar), then the
     * floors (no bar). All timed in the same rounds against the same bare runs.
     */
    const loops = [
      ['taqaddum, `total` unknown (shipped: peek, c)', taqaddumAsync, 1.25],
      ['taqaddum, `total` known (shipped: unread while the total is ahead, c/0)', taqaddumAsyncTotal, 1.1],
      ['design tried: (a0) a closure per item, chained: `next().then((r) => …)`', closurePerItemAsync],
      ['design tried: (a) one shared handler, chained: `next().then(onResult, onError)` (shipped before)', sharedHandlerAsync],
      ['design tried: (b) an `async next()` that `await`s the source', asyncMethodAsync],
      ['design tried: (b′) peek with `await` (an async function per item, beside the loop)', awaitBesideAsync],
      ['design tried: (c) peek: the source\'s own promise handed back, one shared `then` beside the loop\'s', peekAsync],
      ['design tried: (c/16) peek at every 16th result only (misses the end 15 times in 16)', peekEvery16Async],
      ['design tried: (c/0) never read (cannot see the end: the bar closes late)', unreadAsync],
      ['design tried: (d) an `async function*` wrapper: `for await` + `yield`', asyncGeneratorWrapperAsync],
      ['design tried: (d′) `yield*` from an `async function*`, nothing counted', yieldStarAsync],
      ['floor: one `then(noop, noop)` per item on the source\'s promise, no bar', reactionOnlyAsync],
      ['floor: a pass-through `next()`, no bar', passThroughAsync],
    ];
    log('async: warming up');
    for (let i = 0; i < WARM; i++) {
      await bareAsync(1000);
      for (const [, fn] of loops) await fn(1000, stream);
    }
    for (let i = 0; i < (q ? 1 : 3); i++) {
      await bareAsync(AN);
      for (const [, fn] of loops) await fn(AN, stream);
    }
    log(`async: ${loops.length} loops and the bare one, ${AROUNDS} rounds`);
    const r = await roundRobin(
      AROUNDS,
      () => bareAsync(AN),
      loops.map(([, fn]) => () => fn(AN, stream)),
      cpuNow,
    );
    const bareNs = (median(r.ref) * 1e6) / AN;
    const floorAt = loops.findIndex(([name]) => name.startsWith('floor: one'));
    const floor = { ratio: median(r.runs[floorAt].ratio), ns: (median(r.runs[floorAt].diff) * 1e6) / AN };
    loops.forEach(([name, , target], i) => {
      const ratio = summary(r.runs[i].ratio);
      const over = (median(r.runs[i].diff) * 1e6) / AN;
      rows.push({
        section,
        name,
        value: ratio.value,
        min: ratio.min,
        max: ratio.max,
        runs: AROUNDS,
        unit: '×',
        reference: `bare \`for await\`: ${bareNs.toFixed(0)} ns/item; wrapped adds ${over.toFixed(0)} ns/item`,
        ...(target === undefined ? {} : { target: `≤ ${target.toFixed(2)}×`, pass: ratio.value <= target }),
      });
    });
    notes.push(
      'Async rows: the figure is the median over rounds of wrapped time / bare time (CPU time), the ' +
        'generator yielding small integers and the loop body summing them. Each round runs the bare loop, ' +
        'every wrapped loop (the order rotated from round to round), then the bare loop again; a run is ' +
        'compared with the mean of its round\'s two bare runs. Each loop was first run three times at full ' +
        'size untimed.',
      '**The designs tried for an unknown total (issue 13, target 3).** The "design tried" rows are minimal ' +
        'adapters (bench/variants/async-designs.js) counting into a real bar the way the shipped one does; ' +
        'errors, `return()` and weights are left out (off the per-item path). The end (`done`) must be read ' +
        'before the code after the loop runs, and `for await` calls nothing of the wrapper after the last ' +
        'result: so every result must be read, by a reaction on the source\'s promise. That reaction is the ' +
        `floor: the first "floor" row registers one \`then(noop, noop)\` per item and nothing else, and costs ` +
        `${floor.ratio.toFixed(3)}× the bare loop in this run (${floor.ns.toFixed(0)} ns/item) on Node ` +
        `${process.versions.node}, before a single item is counted. ` +
        'Chained (a0, a, b), the loop waits for the wrapper\'s promise; peeked (c, shipped), the loop gets ' +
        'the source\'s own promise and the wrapper\'s reaction, registered first, runs just before the ' +
        'loop\'s: the same number of jobs per item, no `then` lookup on the result, and one promise hop ' +
        'less before the loop body runs. Reading only some results (c/16) or none (c/0) is cheaper but misses ' +
        'the end; the async-generator wrappers (d, d′) cost a generator resumption and its promises per item ' +
        'on top. The designs\' cost does not depend on the total: with a **known `total`** the shipped ' +
        'adapter hands results back unread (c/0) while more than one item is ahead and items come fast (over ' +
        'a thousand per clock read), and reads them again near and past the total, so a source that ends at ' +
        '(or after) its total closes the bar, final line printed, before the code after the loop runs. The ' +
        'cost: a fast source that ends or fails *short* of its known total is noticed by an unref\'d watch ' +
        'timer reading the last unread promise, so that bar closes up to one `minInterval` late, after the ' +
        'code following the loop has started (or at exit).',
    );
  }

  // ── frames ──
  if (want('frames')) {
    const section = 'Frames written to the stream (`minInterval` 100 ms)';
    const minInterval = 100;
    const FRAME_RUNS = q ? 1 : 3;

    /** Writes, elapsed ms and the least gap between writes (the final frame excluded) of one run. */
    async function frames(body) {
      const stream = fakeTTY({ keepTimes: true });
      const t0 = now();
      await body(stream);
      const elapsed = now() - t0;
      const times = stream.times;
      let minGap = Infinity;
      for (let i = 1; i < times.length - 1; i++) minGap = Math.min(minGap, times[i] - times[i - 1]);
      const allowed = Math.floor(elapsed / minInterval) + 2; // the first frame at 0, one per interval, the final one
      return { writes: stream.writes, elapsed, perSecond: stream.writes / (elapsed / 1000), minGap, ok: stream.writes <= allowed && minGap >= minInterval - 1 };
    }

    function frameRow(name, runs, extra) {
      const ps = summary(runs.map((x) => x.perSecond));
      const el = median(runs.map((x) => x.elapsed));
      const gap = Math.min(...runs.map((x) => x.minGap));
      rows.push({
        section,
        name,
        value: ps.value,
        min: ps.min,
        max: ps.max,
        runs: runs.length,
        unit: 'writes/s',
        reference: `${median(runs.map((x) => x.writes))} writes in ${(el / 1000).toFixed(2)} s; least gap ${Number.isFinite(gap) ? `${gap.toFixed(0)} ms` : '—'}${extra ?? ''}`,
        target: '≤ 10/s (one per 100 ms, + the final frame)',
        pass: runs.every((x) => x.ok),
      });
    }

    log('frames: fast items');
    const busy = [];
    const inner = q ? 10 : 25;
    for (let r = 0; r < FRAME_RUNS; r++) {
      busy.push(
        await frames((stream) => {
          let s = 0;
          for (const x of progress(array, { stream, minInterval })) {
            for (let j = 0; j < inner; j++) s = (s * 31 + x + j) | 0;
          }
          return s;
        }),
      );
    }
    frameRow(`${N.toLocaleString('en-US')} fast items (loop body ≈ ${inner} integer ops)`, busy);

    const trivial = [];
    for (let r = 0; r < FRAME_RUNS; r++) trivial.push(await frames((stream) => taqaddumArray(array, stream)));
    {
      // Too short a run for a rate: count the writes against what the throttle allows in that time.
      const w = summary(trivial.map((x) => x.writes));
      const el = median(trivial.map((x) => x.elapsed));
      rows.push({
        section,
        name: `${N.toLocaleString('en-US')} items, trivial body (a run of ${el.toFixed(0)} ms)`,
        value: w.value,
        min: w.min,
        max: w.max,
        runs: trivial.length,
        unit: 'writes',
        reference: `${(w.value / (el / 1000)).toFixed(0)} writes/s over so short a run`,
        target: '≤ 1 + one per 100 ms + the final frame',
        pass: trivial.every((x) => x.ok),
      });
    }

    log('frames: slow items');
    const SLOW = q ? 10 : 100;
    const asyncSlow = [];
    for (let r = 0; r < FRAME_RUNS; r++) {
      asyncSlow.push(
        await frames(async (stream) => {
          async function* slow() {
            for (let i = 0; i < SLOW; i++) {
              await sleep(20);
              yield i;
            }
          }
          for await (const _ of progress(slow(), { stream, minInterval, total: SLOW }));
        }),
      );
    }
    frameRow(`${SLOW} slow items, \`for await\`, 20 ms apart (timer-driven frames)`, asyncSlow);

    const syncSlow = [];
    for (let r = 0; r < FRAME_RUNS; r++) {
      syncSlow.push(
        await frames((stream) => {
          for (const _ of progress(SLOW, { stream, minInterval })) spin(20);
        }),
      );
    }
    frameRow(`${SLOW} slow items, sync loop, 20 ms of CPU each (hot-path frames)`, syncSlow);

    // Issue 8, item 8: a sync loop that slows down after a fast stretch. The countdown between clock
    // reads was loaded for the fast pace; the figure is the longest wait for a frame once items are slow.
    log('frames: fast then slow');
    const FAST = q ? 100_000 : 1_000_000;
    const LATE = q ? 30 : 300;
    const fastThenSlow = smallInts(FAST + LATE);
    const limit = Math.max(minInterval, 1000);
    const turns = [];
    for (let r = 0; r < FRAME_RUNS; r++) {
      const stream = fakeTTY({ keepTimes: true });
      let slowFrom = 0;
      let s = 0;
      let i = 0;
      for (const x of progress(fastThenSlow, { stream, minInterval })) {
        if (i++ < FAST) s = (s + x) | 0;
        else {
          if (slowFrom === 0) slowFrom = now();
          spin(10);
        }
      }
      const end = now();
      // The final frame is written at the end: the gaps that count are those while items still came.
      let gap = 0;
      let last = slowFrom;
      for (const t of stream.times) {
        if (t < slowFrom || t >= end) continue;
        gap = Math.max(gap, t - last);
        last = t;
      }
      gap = Math.max(gap, end - last);
      turns.push({ gap, writes: stream.times.filter((t) => t >= slowFrom).length, s });
    }
    const g = summary(turns.map((x) => x.gap));
    rows.push({
      section,
      name: `${FAST.toLocaleString('en-US')} fast items, then ${LATE} of 10 ms (sync loop): longest wait for a frame once slow`,
      value: g.value,
      min: g.min,
      max: g.max,
      runs: turns.length,
      unit: 'ms',
      reference: `${median(turns.map((x) => x.writes))} writes in the ${((LATE * 10) / 1000).toFixed(1)} s of slow items`,
      target: `≤ ${limit.toLocaleString('en-US')} ms (a frame at least every max(minInterval, 1 s))`,
      pass: g.max <= limit,
    });
    notes.push(
      'Frame rows: wall time, one fresh fake TTY per run; a run passes when its writes are at most one per ' +
        '100 ms from the first plus the final frame, and no two writes but the final one are closer than ' +
        '100 ms ("least gap"). The trivial-body run lasts well under a second, so its writes per second say ' +
        'little: its least gap and write count are the figures. The renderer times its throttle from the start of ' +
        'a frame, so a frame that is slow to draw (the first one of a process loads log-update, ≈ 70 ms) is ' +
        'followed by the next one sooner than 100 ms after it is written: a run in a fresh process can show a ' +
        'least gap of 100 ms minus that delay.',
      'Fast-then-slow row: one array loop whose first items take a few ns and whose last ones spin 10 ms of CPU ' +
        'each; the figure is the longest wall time without a write from the first slow item to the last (the wait ' +
        'for the first frame after the slow-down included). The countdown between two clock reads is never more ' +
        'than 64 items (nor more than 20 µs of them): so the slow-down is seen within 64 slow items (src/core/pace.ts).',
    );
  }

  // ── cold import ──
  if (want('import')) {
    const section = 'Cold import (`node -e`, whole processes)';
    const IMPORT_RUNS = q ? 3 : 31;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // Each child also reports the CPU time it used (all threads), a steadier figure on a busy machine.
    const cpuReport = "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write(String((u.user+u.system)/1000))})";
    const nodeRun = (code, extraEnv) => {
      const t0 = now();
      const res = spawnSync(process.execPath, ['-e', `${cpuReport};${code}`], { env: extraEnv ? { ...env, ...extraEnv } : env, stdio: ['ignore', 'ignore', 'pipe'] });
      const wall = now() - t0;
      if (res.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} failed: ${res.stderr}`);
      return { wall, cpu: Number(res.stderr.toString().trim().split('\n').pop()) };
    };
    const firstFrameOf = (url) =>
      `import(${JSON.stringify(url)}).then(({ progress }) => {` +
      ' const stream = { isTTY: true, columns: 100, write() { return true; } };' +
      ' for (const _ of progress([1, 2, 3], { stream }));' +
      ' })';
    log('cold import');
    const graph = importGraph(fileURLToPath(distUrl));
    const logUpdateUrl = pathToFileURL(require.resolve('log-update')).href;
    const stringWidthUrl = pathToFileURL(require.resolve('string-width')).href;
    const variantDir = mkdtempSync(path.join(tmpdir(), 'taqaddum-bundled-'));
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'taqaddum-compile-cache-'));
    const compileCache = typeof Module.enableCompileCache === 'function';
    try {
      const bundled = await buildBundledVariant(variantDir);
      const FRAME_TARGET = 40;
      const cases = [
        { name: "`import('taqaddum')`", code: `import(${JSON.stringify(distUrl)})`, wallTarget: 15 },
        {
          name: '`import` + one bar drawn on a TTY (a sync loop: loads log-update)',
          code: firstFrameOf(distUrl),
          cpuTarget: FRAME_TARGET,
        },
        {
          name: "`import('log-update')` alone: its module graph, the floor while it draws the frames",
          code: `import(${JSON.stringify(logUpdateUrl)})`,
        },
        { name: "`import('string-width')` alone (part of log-update's graph, through wrap-ansi)", code: `import(${JSON.stringify(stringWidthUrl)})` },
        {
          name: 'attempt, not shipped: the same first frame with log-update, string-width and pretty-bytes bundled into dist/index.js',
          code: firstFrameOf(pathToFileURL(bundled).href),
          cpuTarget: FRAME_TARGET,
        },
      ];
      if (compileCache) {
        cases.push({
          name: 'the same first frame with Node\'s compile cache (`NODE_COMPILE_CACHE`, warm)',
          code: firstFrameOf(distUrl),
          env: { NODE_COMPILE_CACHE: cacheDir },
          cpuTarget: FRAME_TARGET,
        });
      }
      // Every round runs each case once, in turn (so that the rows see the same load on the shared
      // machine and compare with each other), each run paired with a bare run next to it.
      for (const c of cases) nodeRun(c.code, c.env); // warms the file cache (and the compile cache)
      const runs = cases.map(() => ({ bare: [], ours: [] }));
      for (let r = 0; r < IMPORT_RUNS; r++) {
        for (let k = 0; k < cases.length; k++) {
          const i = (k + r) % cases.length;
          const { code, env: extraEnv } = cases[i];
          if ((r + k) % 2 === 0) {
            runs[i].bare.push(nodeRun(''));
            runs[i].ours.push(nodeRun(code, extraEnv));
          } else {
            runs[i].ours.push(nodeRun(code, extraEnv));
            runs[i].bare.push(nodeRun(''));
          }
        }
      }
      for (const [i, { name, wallTarget, cpuTarget }] of cases.entries()) {
        const { bare, ours } = runs[i];
        const wall = summary(ours.map((o, i) => o.wall - bare[i].wall));
        const cpu = summary(ours.map((o, i) => o.cpu - bare[i].cpu));
        const bareWall = median(bare.map((x) => x.wall)).toFixed(0);
        const bareCpu = median(bare.map((x) => x.cpu)).toFixed(0);
        // A CPU target is read on CPU time (steadier on a shared machine), the wall one on wall time.
        const byCpu = wallTarget === undefined;
        const d = byCpu ? cpu : wall;
        rows.push({
          section,
          name,
          value: d.value,
          min: d.min,
          max: d.max,
          runs: IMPORT_RUNS,
          unit: byCpu ? 'ms CPU' : 'ms',
          reference: byCpu
            ? `\`node -e ''\`: ${bareCpu} ms CPU; wall time: +${wall.value.toFixed(1)} ms over its ${bareWall} ms`
            : `\`node -e ''\`: ${bareWall} ms; CPU time: +${cpu.value.toFixed(1)} ms over its ${bareCpu} ms`,
          ratio: median(ours.map((o, i) => (byCpu ? o.cpu / bare[i].cpu : o.wall / bare[i].wall))),
          target: wallTarget !== undefined ? `≤ ${wallTarget} ms over \`node -e ''\`` : cpuTarget !== undefined ? `≤ +${cpuTarget} ms CPU over \`node -e ''\`` : undefined,
          pass: wallTarget !== undefined ? wall.value <= wallTarget : cpuTarget !== undefined ? cpu.value <= cpuTarget : undefined,
        });
      }
    } finally {
      rmSync(variantDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
    notes.push(
      'Cold import: `node -e` runs of the empty script and of the import, alternated, every row\'s runs taken in ' +
        'turn in each round; the figure is the median ' +
        'difference of their wall times (`import(\'taqaddum\')`) or of their CPU times (user + system, the ' +
        'other rows: steadier on a shared machine). Any `import()` starts Node\'s ESM ' +
        'loader (≈ 6 ms here for a one-line module); each further module costs ≈ 0.4 ms, and `dist/index.js` pulls ' +
        `in ${graph.modules} modules of its own (${(graph.bytes / 1024).toFixed(0)} KiB) and ${graph.builtins.length} Node ` +
        `built-in modules (${graph.builtins.join(', ')}). The drawn-bar row adds the lazy load of log-update, whose ` +
        'graph (ansi-escapes, cli-cursor → restore-cursor → onetime, signal-exit; wrap-ansi → string-width, ' +
        'strip-ansi, ansi-styles; slice-ansi …: some 20 ES modules) is loaded whole by any import of it: ' +
        'its `import` alone is the floor of a first frame drawn by log-update. string-width\'s top level is ' +
        'most of it: compiling its `/^\\p{RGI_Emoji}$/v` costs ≈ 17 ms and its `new Intl.Segmenter()` ≈ 17 ms ' +
        '(ICU\'s break rules), whatever loads it. Our own width code never loads it for ASCII and our own glyphs ' +
        '(src/format/width.ts); log-update does, through wrap-ansi, which measures every word of a frame with it: ' +
        'the first frame that shows a bar cell (`█`) costs ≈ 27 ms more (the first runs of that regular expression; ' +
        'later frames < 1 ms), not in these rows, whose three-item loop draws only its 0 % frame through log-update. ' +
        'The bundled variant is built here by esbuild ' +
        '(lazy loads kept lazy) to measure what per-module loading costs; it is not shipped: log-update and ' +
        'pretty-bytes stay the package\'s runtime dependencies. ' +
        (compileCache
          ? 'The compile-cache row runs with `NODE_COMPILE_CACHE` set to a warmed directory.'
          : `Node's compile cache (\`module.enableCompileCache\`, \`NODE_COMPILE_CACHE\`) needs Node ≥ 22.1: not in ${process.version}, so no row.`),
    );
  }

  // ── memory ──
  if (want('memory')) {
    const section = 'Memory (heap held by an open bar, after a full collection)';
    const BIG = q ? 100_000 : 10_000_000;
    const MEM_RUNS = q ? 1 : 5;
    const stream = fakeTTY();

    /** Heap in use, without code space (compiled code comes and goes with the JIT, not with the bar). */
    function heapInUse() {
      let used = 0;
      for (const space of v8.getHeapSpaceStatistics()) {
        if (space.space_name !== 'code_space' && space.space_name !== 'code_large_object_space') used += space.space_used_size;
      }
      return used;
    }
    function heldByIterator(n) {
      gc();
      const before = heapInUse();
      const it = progress(BIG, { stream }); // a range: the source itself holds nothing
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + it.next().value) | 0;
      gc();
      const held = heapInUse() - before;
      it.return();
      return held;
    }
    function heldByManualBar(n) {
      gc();
      const before = heapInUse();
      const bar = progress.bar({ stream, total: BIG });
      for (let i = 0; i < n; i++) bar.update();
      gc();
      const held = heapInUse() - before;
      bar.close();
      return held;
    }
    log('memory');
    for (const fn of [heldByIterator, heldByManualBar]) for (const n of [BIG, 10, BIG]) fn(n); // compile first
    for (const [name, fn] of [
      ['`progress(n)` iterator', heldByIterator],
      ['manual bar, `update()` per item', heldByManualBar],
    ]) {
      const small10 = [];
      const big = [];
      for (let r = 0; r < MEM_RUNS; r++) {
        small10.push(fn(10));
        big.push(fn(BIG));
      }
      const growth = summary(big.map((b, i) => (b - small10[i]) / 1024));
      rows.push({
        section,
        name: `${name}: growth from 10 to ${BIG.toLocaleString('en-US')} items`,
        value: growth.value,
        min: growth.min,
        max: growth.max,
        runs: MEM_RUNS,
        unit: 'KiB',
        reference: `held after 10 items: ${(median(small10) / 1024).toFixed(1)} KiB; after ${BIG.toLocaleString('en-US')}: ${(median(big) / 1024).toFixed(1)} KiB`,
        target: '≈ 0 (|growth| ≤ 64 KiB; 1 byte per item would be 9.5 MiB)',
        pass: Math.abs(growth.value) <= 64,
      });
    }
    notes.push(
      'Memory rows: heap in use after two full collections, without code space (compiled code comes and goes ' +
        `with the JIT), measured while the bar is still open, 10 items and ${BIG.toLocaleString('en-US')} items alternated; the first runs ` +
        'of each were discarded so that the loop itself is compiled before measuring.',
    );
  }

  // ── lines printed above a live bar ──
  if (want('log')) {
    const section = 'Lines printed above a live bar (`console.log` in a sync loop, in a real pty)';
    const LINES = q ? 5_000 : 100_000;
    const LOG_RUNS = q ? 1 : 3;
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-support', 'fixtures', 'log-flood.js');
    const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!hasScript) notes.push('Lines row skipped: it needs `script` (util-linux) for a pty.');
    else {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const dir = mkdtempSync(path.join(tmpdir(), 'taqaddum-bench-'));
      /** Bytes the terminal received and the loop's wall time, for `LINES` lines with or without a bar. */
      const flood = (bar) => {
        const out = path.join(dir, 'out.json');
        const args = JSON.stringify({ n: LINES, bar, out });
        const inner = `stty cols 80 rows 24 && exec ${[process.execPath, fixture, args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
        const res = spawnSync('script', ['-qfec', inner, '/dev/null'], { env, maxBuffer: 1 << 30 });
        if (res.status !== 0) throw new Error(`log-flood.js failed: ${res.stderr}`);
        return { bytes: res.stdout.length, ms: JSON.parse(readFileSync(out, 'utf8')).ms };
      };
      log(`log: ${LINES} console.log lines, bare and under a bar`);
      const bare = [];
      const ours = [];
      for (let r = 0; r < LOG_RUNS; r++) {
        if (r % 2 === 0) {
          bare.push(flood(false));
          ours.push(flood(true));
        } else {
          ours.push(flood(true));
          bare.push(flood(false));
        }
      }
      rmSync(dir, { recursive: true, force: true });
      const time = summary(ours.map((o, i) => o.ms / bare[i].ms));
      const bytes = summary(ours.map((o, i) => o.bytes / bare[i].bytes));
      const lines = LINES.toLocaleString('en-US');
      rows.push({
        section,
        name: `${lines} lines under a bar: time`,
        value: time.value,
        min: time.min,
        max: time.max,
        runs: LOG_RUNS,
        unit: '×',
        reference: `bare loop: ${(median(bare.map((b) => b.ms)) / 1000).toFixed(2)} s; under a bar: ${(median(ours.map((o) => o.ms)) / 1000).toFixed(2)} s`,
        target: '≤ 2× the bare loop (the pty is a noisy reader)',
        pass: time.value <= 2,
      });
      rows.push({
        section,
        name: `${lines} lines under a bar: bytes the terminal received`,
        value: bytes.value,
        min: bytes.min,
        max: bytes.max,
        runs: LOG_RUNS,
        unit: '×',
        reference: `bare loop: ${(median(bare.map((b) => b.bytes)) / 1e6).toFixed(2)} MB; under a bar: ${(median(ours.map((o) => o.bytes)) / 1e6).toFixed(2)} MB`,
        target: '≤ 1.1× the bare loop',
        pass: bytes.value <= 1.1,
      });
      notes.push(
        `Lines rows: \`test-support/fixtures/log-flood.js\` prints ${lines} lines with \`console.log\` from a sync loop, bare or ` +
          'inside `for (const i of progress(n))`, in an 80×24 pty (util-linux `script`), alternated; wall time of the loop as ' +
          'the program measures it, and the bytes the terminal received. Each line goes out at once; the bar makes room for ' +
          'it and is drawn again at most twice per `minInterval` (a new frame, and once as it was under a line that came ' +
          'between frames), not once per line (0.1.0 redrew it for every line: 15× the bytes, 7× the time here).',
      );
    }
  }

  return { rows, notes };
}

// Allow `node bench/suites/core.js` for a quick look without the runner.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run({ quick: process.argv.includes('--quick'), log: (m) => console.error(m), root: '' });
  console.log(JSON.stringify(result, null, 2));
}
