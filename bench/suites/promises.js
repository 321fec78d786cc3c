/**
 * Issue 3, part 8: promise arrays and task pools.
 *
 * - `gather` over 1,000,000 already-resolved promises against `Promise.all` on the same kind of input:
 *   time (CPU) and the heap held while the promises are watched (the retained size right after the call,
 *   after a collection: what a job that gathers a million promises keeps alive until they settle).
 * - `asCompleted`: a `for await` over 200k promises against 100k (it must be linear: no `Promise.race`
 *   over the remaining set), and against `Promise.all` on the same 200k input.
 * - `map` over 1,000,000 items with `concurrency: 8` against p-map's `pMapIterable` with the same
 *   concurrency, with a sync function (`x => x`) and an async one (`async x => x`).
 * - Frames: writes per second to a terminal while tasks settle as fast as they can, against
 *   `1000 / minInterval`.
 *
 * Every bar is live, drawing to a fake terminal (bench/lib.js `fakeTTY`). Each figure is a median over
 * interleaved rounds (A B, B A, …), each round on a fresh input, with a collection before each run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pMapIterable } from 'p-map';
import { asCompleted, gather, map } from '../../dist/index.js';
import { cpuNow, fakeTTY, gc, median, now, summary } from '../lib.js';

export const title = 'Promises: gather, asCompleted, map (issue 3)';

const pMapVersion = JSON.parse(readFileSync(new URL('../../node_modules/p-map/package.json', import.meta.url), 'utf8')).version;

/** `n` promises, already resolved to small integers. */
function resolved(n) {
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = Promise.resolve(i & 1023);
  return a;
}

function* endless() {
  for (let i = 0; ; i++) yield i & 1023;
}

function smallInts(n) {
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = i & 1023;
  return a;
}

// ── the loops, each its own function ────────────────────────────────────────────────────────────────

async function sumAll(items) {
  let s = 0;
  for (const x of await Promise.all(items)) s = (s + x) | 0;
  return s;
}

async function sumGather(items, stream) {
  let s = 0;
  for (const x of await gather(items, { stream })) s = (s + x) | 0;
  return s;
}

async function sumAsCompleted(items, stream) {
  let s = 0;
  for await (const x of asCompleted(items, { stream })) s = (s + x) | 0;
  return s;
}

async function sumMap(source, fn, stream) {
  let s = 0;
  for await (const x of map(source, fn, { concurrency: 8, stream })) s = (s + x) | 0;
  return s;
}

async function sumPMap(source, fn) {
  let s = 0;
  for await (const x of pMapIterable(source, fn, { concurrency: 8 })) s = (s + x) | 0;
  return s;
}

const identity = (x) => x;
const asyncIdentity = async (x) => x;

/**
 * Interleaved rounds of two runs, each on a fresh input from `make()` (built before the clock starts).
 * Returns the CPU times in ms and the per-round ratios b / a.
 */
async function pairedFresh(rounds, make, a, b) {
  const ta = [];
  const tb = [];
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      const input = make();
      gc();
      const t0 = cpuNow();
      await (which === 'a' ? a(input) : b(input));
      (which === 'a' ? ta : tb).push(cpuNow() - t0);
    }
  }
  return { a: ta, b: tb, ratio: tb.map((t, i) => t / ta[i]) };
}

/** Heap (bytes per promise) held right after the call, while the promises are being watched. */
async function heldPerItem(n, start) {
  const items = resolved(n);
  gc();
  const before = process.memoryUsage().heapUsed;
  const pending = start(items);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  await pending;
  return held / n;
}

/** A trivial async iterator of `n` small integers: the cost of a `for await` alone. */
class Trivial {
  constructor(n) {
    this.i = 0;
    this.n = n;
  }
  next() {
    return Promise.resolve(this.i < this.n ? { value: this.i++ & 1023, done: false } : { value: undefined, done: true });
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

async function sumTrivial(n) {
  let s = 0;
  for await (const x of new Trivial(n)) s = (s + x) | 0;
  return s;
}

/**
 * asCompleted over `small` and `2 × small` resolved promises, and `Promise.all` over both, interleaved
 * (order flipped every other round): medians in ms and the medians of the per-round ratios.
 */
async function measureAsCompleted(small, rounds, stream) {
  const big = small * 2;
  const t = { small: [], big: [], all: [], allSmall: [], floor: [] };
  const growth = [];
  const overAll = [];
  for (let i = 0; i < 20; i++) {
    await sumAsCompleted(resolved(2000), stream);
    await sumAll(resolved(2000));
    await sumTrivial(2000);
  }
  for (let r = 0; r < rounds; r++) {
    const runs = [
      ['small', small, (items) => sumAsCompleted(items, stream)],
      ['big', big, (items) => sumAsCompleted(items, stream)],
      ['all', big, (items) => sumAll(items)],
      ['allSmall', small, (items) => sumAll(items)],
      ['floor', big, (items) => sumTrivial(items.length)],
    ];
    if (r % 2 === 1) runs.reverse();
    const round = {};
    for (const [key, n, fn] of runs) {
      const items = resolved(n);
      gc();
      const t0 = cpuNow();
      await fn(items);
      round[key] = cpuNow() - t0;
      t[key].push(round[key]);
    }
    growth.push(round.big / round.small);
    overAll.push(round.big / round.all);
  }
  return {
    small: median(t.small),
    big: median(t.big),
    all: median(t.all),
    allSmall: median(t.allSmall),
    allGrowth: median(t.all) / median(t.allSmall),
    floor: median(t.floor),
    growth: summary(growth),
    overAll: summary(overAll),
  };
}

/** `measureAsCompleted` in a fresh Node process started with `flags`. */
function measureInChild(flags, small, rounds) {
  const out = execFileSync(process.execPath, ['--expose-gc', ...flags, fileURLToPath(import.meta.url), CHILD_FLAG, String(small), String(rounds)], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

const CHILD_FLAG = '--measure-as-completed';
if (process.argv[2] === CHILD_FLAG) {
  const result = await measureAsCompleted(Number(process.argv[3]), Number(process.argv[4]), fakeTTY());
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export async function run(ctx) {
  const quick = ctx.quick;
  const log = ctx.log ?? (() => {});
  const rows = [];
  const notes = [];
  const stream = fakeTTY();

  // Warm up every loop on small inputs, so that none is timed before it is optimized.
  for (let i = 0; i < 30; i++) {
    await sumAll(resolved(2000));
    await sumGather(resolved(2000), stream);
    await sumAsCompleted(resolved(2000), stream);
    await sumMap(smallInts(2000), identity, stream);
    await sumPMap(smallInts(2000), identity);
    await sumMap(smallInts(2000), asyncIdentity, stream);
    await sumPMap(smallInts(2000), asyncIdentity);
  }

  // ── gather ──────────────────────────────────────────────────────────────────────────────────────────
  {
    const section = 'gather: like Promise.all, with a bar';
    const N = quick ? 50_000 : 1_000_000;
    const ROUNDS = quick ? 3 : 9;
    log(`gather: ${N} resolved promises, ${ROUNDS} rounds`);
    const r = await pairedFresh(ROUNDS, () => resolved(N), (items) => sumAll(items), (items) => sumGather(items, stream));
    const ours = summary(r.b);
    const ratio = median(r.ratio);
    rows.push({
      section,
      name: `\`await gather(promises)\`, ${N.toLocaleString('en-US')} already resolved: time`,
      value: ours.value,
      min: ours.min,
      max: ours.max,
      runs: ROUNDS,
      unit: 'ms',
      reference: `\`Promise.all\`: ${median(r.a).toFixed(0)} ms`,
      ratio,
      target: '≤ 1.5× Promise.all',
      pass: ratio <= 1.5,
    });

    const MEM_ROUNDS = quick ? 1 : 3;
    const heldAll = [];
    const heldGather = [];
    for (let i = 0; i < MEM_ROUNDS; i++) {
      heldAll.push(await heldPerItem(N, (items) => Promise.all(items)));
      heldGather.push(await heldPerItem(N, (items) => gather(items, { stream })));
    }
    const all = median(heldAll);
    const held = median(heldGather);
    rows.push({
      section,
      name: `\`gather(promises)\`, ${N.toLocaleString('en-US')}: heap held while they are watched`,
      value: held,
      min: Math.min(...heldGather),
      max: Math.max(...heldGather),
      runs: MEM_ROUNDS,
      unit: 'B/promise',
      reference: `\`Promise.all\`: ${all.toFixed(0)} B/promise`,
      ratio: held / all,
      target: '≤ 1.5× Promise.all',
      pass: held / all <= 1.5,
    });
  }

  // ── asCompleted ─────────────────────────────────────────────────────────────────────────────────────
  {
    const section = 'asCompleted: completion order, linear';
    const SMALL = quick ? 10_000 : 100_000;
    const BIG = SMALL * 2;
    const ROUNDS = quick ? 3 : 15;
    log(`asCompleted: ${SMALL} vs ${BIG}, and vs Promise.all, ${ROUNDS} rounds`);
    const here = await measureAsCompleted(SMALL, ROUNDS, stream);
    // The same in a process whose young generation holds either size (64 MB semi-spaces), so that both
    // sizes are collected the same way and the growth shows the algorithm rather than the point where
    // objects start being promoted to the old generation (which makes `Promise.all` itself superlinear).
    log('asCompleted: again with --max-semi-space-size=64');
    const roomy = measureInChild(['--max-semi-space-size=64'], SMALL, ROUNDS);
    const fmtMs = (x) => `${x.toFixed(1)} ms`;
    for (const [m, where] of [
      [here, 'default heap'],
      [roomy, '64 MB young generation'],
    ]) {
      rows.push({
        section,
        name: `\`for await (… of asCompleted(promises))\`: ${BIG.toLocaleString('en-US')} vs ${SMALL.toLocaleString('en-US')} promises (${where})`,
        value: m.growth.value,
        min: m.growth.min,
        max: m.growth.max,
        runs: ROUNDS,
        unit: '×',
        reference: `${fmtMs(m.small)} → ${fmtMs(m.big)}; \`Promise.all\` itself: ${fmtMs(m.allSmall)} → ${fmtMs(m.all)} (${m.allGrowth.toFixed(2)}×)`,
        target: '≤ 2.3× (linear)',
        pass: m.growth.value <= 2.3,
      });
    }
    for (const [m, where, target] of [
      [here, 'default heap', true],
      [roomy, '64 MB young generation', false],
    ]) {
      rows.push({
        section,
        name: `\`for await (… of asCompleted(promises))\`, ${BIG.toLocaleString('en-US')} promises, vs \`Promise.all\` (${where})`,
        value: m.overAll.value,
        min: m.overAll.min,
        max: m.overAll.max,
        runs: ROUNDS,
        unit: '×',
        reference: `\`Promise.all\` + a loop over the results: ${fmtMs(m.all)}; a bare \`for await\` over a trivial async iterator of ${BIG.toLocaleString('en-US')}: ${fmtMs(m.floor)}`,
        ...(target ? { target: '≤ 3×', pass: m.overAll.value <= 3 } : { target: 'information' }),
      });
    }
    notes.push(
      `asCompleted: with the default heap, \`Promise.all\` over ${BIG.toLocaleString('en-US')} promises is slowed by the garbage collector (objects promoted out of the young generation) more than \`asCompleted\` is, which flatters the ratio; with a 64 MB young generation it runs ${(here.all / roomy.all).toFixed(1)}× faster and the ratio is ${roomy.overAll.value.toFixed(1)}×. Any \`for await\` pays a promise and a result object per step: a loop over a trivial async iterator alone costs ${(roomy.floor / roomy.all).toFixed(1)}× \`Promise.all\` there.`,
    );
  }

  // ── map ─────────────────────────────────────────────────────────────────────────────────────────────
  {
    const section = `map: concurrency 8, against p-map ${pMapVersion} \`pMapIterable\``;
    const N = quick ? 50_000 : 1_000_000;
    const ROUNDS = quick ? 2 : 5;
    for (const [label, fn] of [
      ['a sync function `x => x`', identity],
      ['an async function `async x => x`', asyncIdentity],
    ]) {
      log(`map: ${N} items, ${label}, ${ROUNDS} rounds`);
      const source = smallInts(N);
      const r = await pairedFresh(
        ROUNDS,
        () => source,
        (src) => sumPMap(src, fn),
        (src) => sumMap(src, fn, stream),
      );
      const ours = summary(r.b);
      const ratio = median(r.ratio);
      rows.push({
        section,
        name: `\`for await (… of map(items, fn, { concurrency: 8 }))\`, ${N.toLocaleString('en-US')} items, ${label}`,
        value: ours.value,
        min: ours.min,
        max: ours.max,
        runs: ROUNDS,
        unit: 'ms',
        reference: `\`pMapIterable\`: ${median(r.a).toFixed(0)} ms`,
        ratio,
        target: '≤ 1.5× pMapIterable',
        pass: ratio <= 1.5,
      });
    }
  }

  // ── frames ──────────────────────────────────────────────────────────────────────────────────────────
  {
    const section = 'Frames while tasks settle as fast as they can';
    const SECONDS = quick ? 0.4 : 2;
    for (const minInterval of [100, 20]) {
      const term = fakeTTY({ keepTimes: true });
      log(`frames: map over async tasks for ${SECONDS} s, minInterval ${minInterval}`);
      let settled = 0;
      const t0 = now();
      for await (const _ of map(endless(), asyncIdentity, { concurrency: 8, stream: term, minInterval })) {
        if ((++settled & 1023) === 0 && now() - t0 >= SECONDS * 1000) break;
      }
      // Leaving the loop draws a closing frame at once, whatever the throttle: the rate is measured from
      // the first frame to the one before the closing one.
      const times = term.times.slice(0, -1);
      const gaps = [];
      for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
      const span = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
      const perSecond = times.length > 1 ? (times.length - 1) / span : 0;
      rows.push({
        section,
        name: `\`map\` over async tasks for ${SECONDS} s (${settled.toLocaleString('en-US')} settled), \`minInterval: ${minInterval}\``,
        value: perSecond,
        unit: 'frames/s',
        reference: `${term.times.length} writes; gaps ${gaps.length ? `${Math.min(...gaps).toFixed(1)}–${Math.max(...gaps).toFixed(1)}` : '–'} ms (write times)`,
        target: `≤ ${1000 / minInterval} frames/s`,
        pass: perSecond <= 1000 / minInterval,
      });
    }
  }

  // ── the first failure in a fresh process (issue 13, target 4) ─────────────────────────────────────────
  {
    const section = 'The first failure in a fresh process';
    const RUNS = quick ? 3 : 21;
    const dist = pathToFileURL(path.join(ctx.root, 'dist', 'index.js')).href;
    // A bar on a terminal, nothing loaded yet: the rejection must not wait for log-update (~100 ms of CPU
    // to load), which a terminal's frames need and a failure does not.
    const code =
      `import(${JSON.stringify(dist)}).then(async ({ progress }) => {` +
      ' const stream = { isTTY: true, columns: 100, rows: 40, write() { return true; } };' +
      ' const t0 = performance.now();' +
      " try { await progress.gather([Promise.reject(new Error('x')), new Promise(() => {})], { stream }); } catch {}" +
      ' process.stdout.write(String(performance.now() - t0)); process.exit(0);' +
      ' })';
    log(`first failure: ${RUNS} fresh processes`);
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      times.push(Number(out.trim()));
    }
    const t = summary(times);
    rows.push({
      section,
      name: "`await progress.gather([Promise.reject(new Error('x')), new Promise(() => {})])`, a bar on a TTY: from the call to the rejection",
      value: t.value,
      min: t.min,
      max: t.max,
      runs: RUNS,
      unit: 'ms',
      reference: 'wall time in the process, `performance.now()`',
      target: '< 50 ms',
      pass: t.value < 50,
    });
  }

  notes.push(
    'Times are CPU time of the benchmark process (user + system), so waiting for a core on the shared machine is not counted; garbage collection is (it is most of the cost of a million promises, for both sides).',
    '`gather` keeps one slot per input and gives each input one `then` whose handler is a bound function (the index is its `this`); without `settle` every input shares one rejection handler. `Promise.all` does the same work natively, so the time and memory left are a derived promise and a bound function per input.',
    '`asCompleted` queues each settled index and hands the front of the queue to the loop: O(1) per step, no `Promise.race`. The loop itself costs a promise and a result object per step, which `Promise.all` does not have.',
    '`map` runs `fn` synchronously when it returns a plain value and never allocates more than a record per call; `pMapIterable` runs an async function per item.',
  );
  return { rows, notes };
}
