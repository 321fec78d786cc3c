/**
 * Shared helpers for benchmark suites: timing, statistics, interleaved paired runs, a fake terminal
 * stream that counts writes, and a way to silence code that writes to process.stdout itself.
 *
 * Method (see docs/benchmarks.md): the machine is noisy, so a measured figure is never one run. Each
 * wrapped run is paired with a reference run next to it (A B A B …, the order flipped every other
 * round), and a figure is the median over the rounds of the per-round difference or ratio, shown with
 * its min–max. Functions are warmed up on small inputs first, so that both loops are optimized before
 * timing starts (otherwise one side may still be running baseline code and the figure says nothing).
 */

/** Wall-clock milliseconds, sub-microsecond resolution. */
export const now = () => performance.now();

/**
 * CPU milliseconds used by this process (user + system, all threads). On a shared machine this is far
 * steadier than wall time: time spent waiting for a core while other processes run is not counted.
 */
export function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs the collector if the process was started with --expose-gc. */
export function gc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `{ value: median, min, max, runs }` of a list of measurements. */
export function summary(xs) {
  return { value: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Time of one call of `fn` in milliseconds (fn may be async), by `clock` (default: CPU time). */
export async function timeMs(fn, clock = cpuNow) {
  const t0 = clock();
  await fn();
  return clock() - t0;
}

/**
 * Interleaved paired runs: `rounds` times, run `a` and `b` back to back (order alternating: AB, BA, …),
 * with a full collection before each pair unless `collect: false`. Returns the raw times in ms and the
 * per-round differences and ratios (b − a, b / a). Works with sync and async functions. `clock`
 * defaults to CPU time.
 *
 * `collect: false` suits code whose optimized form V8 throws away at a full collection ("weak objects"
 * deopts: code that embedded an object from the previous run, e.g. a closure of an iterator now dead):
 * forcing one before every pair would time the re-optimization, not the code.
 */
export async function paired(rounds, a, b, clock = cpuNow, { collect = true } = {}) {
  const ta = [];
  const tb = [];
  for (let r = 0; r < rounds; r++) {
    if (collect) gc();
    if (r % 2 === 0) {
      ta.push(await timeMs(a, clock));
      tb.push(await timeMs(b, clock));
    } else {
      tb.push(await timeMs(b, clock));
      ta.push(await timeMs(a, clock));
    }
  }
  return {
    a: ta,
    b: tb,
    diff: tb.map((t, i) => t - ta[i]),
    ratio: tb.map((t, i) => t / ta[i]),
  };
}

/**
 * A stream that claims to be a terminal and counts what is written to it (nothing is kept but the
 * last chunk). It has the cursor methods of a `tty.WriteStream` (which `progress` calls directly) and
 * writes their escape codes through `write()`, as a real one does.
 */
export function fakeTTY({ columns = 100, rows = 40, keepTimes = false } = {}) {
  const stream = {
    isTTY: true,
    columns,
    rows,
    writes: 0,
    bytes: 0,
    last: '',
    /** Time (ms) of every write, when `keepTimes`. */
    times: keepTimes ? [] : undefined,
    write(chunk, encoding, callback) {
      stream.writes++;
      stream.bytes += chunk.length;
      stream.last = chunk;
      if (stream.times) stream.times.push(now());
      if (typeof encoding === 'function') encoding();
      else if (typeof callback === 'function') callback();
      return true;
    },
    cursorTo(x, y, cb) {
      return stream.write(typeof y === 'number' ? `\x1b[${y + 1};${x + 1}H` : `\x1b[${x + 1}G`, cb);
    },
    moveCursor(dx, dy, cb) {
      let s = '';
      if (dx) s += dx > 0 ? `\x1b[${dx}C` : `\x1b[${-dx}D`;
      if (dy) s += dy > 0 ? `\x1b[${dy}B` : `\x1b[${-dy}A`;
      return stream.write(s, cb);
    },
    clearLine(dir, cb) {
      return stream.write(dir < 0 ? '\x1b[1K' : dir > 0 ? '\x1b[0K' : '\x1b[2K', cb);
    },
    clearScreenDown(cb) {
      return stream.write('\x1b[0J', cb);
    },
    getWindowSize: () => [stream.columns, stream.rows],
    hasColors: () => true,
    getColorDepth: () => 8,
    on: () => stream,
    once: () => stream,
    off: () => stream,
    removeListener: () => stream,
    emit: () => false,
    reset() {
      stream.writes = 0;
      stream.bytes = 0;
      stream.last = '';
      if (stream.times) stream.times.length = 0;
    },
  };
  return stream;
}

/**
 * Runs `fn` with `process.stdout.write` (and `process.stderr.write` if `stderr`) replaced by `sink`'s
 * `write`, for libraries that write to the process's own streams (ts-tqdm). Restores them after.
 */
export async function redirectOutput(sink, fn, { stderr = false } = {}) {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = sink.write;
  if (stderr) process.stderr.write = sink.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** An array of `n` small integers (packed Smi elements), so sums stay small integers. */
export function smallInts(n) {
  const a = new Array(0);
  for (let i = 0; i < n; i++) a.push(i & 1023);
  return a;
}

/** Milliseconds to sleep (keeps the event loop running). */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Busy-waits `ms` milliseconds (blocks the event loop, as a CPU-bound loop body does). */
export function spin(ms) {
  const end = now() + ms;
  while (now() < end);
}

/** Formats a number for the report: 3 significant digits, no exponent for ordinary sizes. */
export function fmt(x, digits = 3) {
  if (x === undefined || x === null) return '';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}
