/**
 * Bytes, lines and streams (issue 5, part 4):
 * - 1 GiB piped through `taqaddum --bytes` vs through `cat` (target ≥ 0.8× cat's throughput);
 * - line counting (`taqaddum`, its default) vs `wc -l` on the same data (target: within 2×);
 * - `progress.stream()` in a `pipeline` vs a bare `PassThrough` (target ≥ 0.9×);
 * - memory stays flat: peak RSS of the command and of a stream pipeline for a large input vs a small one.
 *
 * The command rows time whole shell pipelines (`head -c N /dev/zero | X | cat > /dev/null`) by wall clock,
 * each run paired with its reference run next to it, order alternating; a ratio is the median of the
 * per-round ratios. Three processes share the machine's cores in each pipeline, as they do in real use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cpuNow, fakeTTY, gc, median, now, paired, summary } from '../lib.js';

export const title = 'Bytes, lines and streams: the taqaddum command and progress.stream()';

const MiB = 1024 * 1024;

function sh(command) {
  const r = spawnSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`\`${command}\` failed (${r.status ?? r.signal}): ${r.stderr}`);
}

function haveTools() {
  return ['head', 'cat', 'wc'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0) && existsSync('/dev/zero');
}

/** Throughput row from paired wall-clock runs: value in MB/s of `ours`, ratio = per-round t_ref / t_ours. */
function throughputRow(name, bytes, runs, referenceName, target) {
  const ours = runs.b.map((t) => bytes / 1e6 / (t / 1000));
  const ratios = runs.a.map((ta, i) => ta / runs.b[i]);
  const refRate = bytes / 1e6 / (median(runs.a) / 1000);
  const ratio = summary(ratios);
  const row = {
    name,
    ...summary(ours),
    unit: 'MB/s',
    reference: `${referenceName}: ${Math.round(refRate)} MB/s`,
    ratio: ratio.value,
  };
  if (target === undefined) return row;
  return { ...row, target: `≥ ${target}× ${referenceName}`, pass: ratio.value >= target };
}

/** Text lines of mixed lengths (6–150 bytes, ~60 on average), like a log. */
function writeLinesFile(file, size) {
  const words = ['GET', '/api/v1/items', '200', 'ok', 'user=42', 'latency_ms=13', 'cache=miss', 'α', 'retry', '—', 'x'];
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let block = '';
  while (block.length < MiB) {
    let line = `2026-01-01T00:00:${String(Math.floor(rand() * 60)).padStart(2, '0')}Z`;
    const n = Math.floor(rand() * 12);
    for (let i = 0; i < n; i++) line += ` ${words[Math.floor(rand() * words.length)]}`;
    block += `${line.slice(0, 6 + Math.floor(rand() * 144))}\n`;
  }
  const buf = Buffer.from(block);
  const fd = openSync(file, 'w');
  for (let written = 0; written < size; written += buf.length) writeSync(fd, buf, 0, Math.min(buf.length, size - written));
  closeSync(fd);
  const lines = buf.toString().split('\n').length - 1;
  return { lines, bytesPerLine: buf.length / lines };
}

/** Peak resident memory (VmHWM, MB) of a process reading `bytes` of zeros on stdin, polled from /proc. */
function peakRss(argv, bytes) {
  return new Promise((resolve, reject) => {
    const head = spawn('head', ['-c', String(bytes), '/dev/zero'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const child = spawn(process.execPath, argv, { stdio: [head.stdout, 'ignore', 'ignore'] });
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 5);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`taqaddum exited with ${code}`));
      else resolve(peak);
    });
  });
}

const CHUNK = 16 * 1024;

/** Runs `chunks` chunks of one 16 KiB buffer through `middle` into a sink that drops them. */
async function streamThrough(middle, chunks) {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  let left = chunks;
  const source = new Readable({
    highWaterMark: CHUNK,
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
  const sink = new Writable({
    highWaterMark: CHUNK,
    write(_c, _e, callback) {
      callback();
    },
  });
  await pipeline(source, middle, sink);
}

export async function run(ctx) {
  const rows = [];
  const notes = [];
  const bin = path.join(ctx.root, 'dist', 'cli', 'bin.js');
  const node = JSON.stringify(process.execPath);
  const taqaddum = `${node} ${JSON.stringify(bin)}`;
  const rounds = ctx.quick ? 1 : 7;
  const { progress } = await import(path.join(ctx.root, 'dist', 'index.js'));

  if (!haveTools()) {
    notes.push('Skipped the command rows: `sh`, `head`, `cat`, `wc` or /dev/zero is missing.');
  } else {
    // ── 1. bytes: taqaddum --bytes vs cat ──────────────────────────────────────────────────────────
    const bytes = ctx.quick ? 8 * MiB : 1024 * MiB;
    const through = (x) => () => sh(`head -c ${bytes} /dev/zero | ${x} | cat > /dev/null`);
    through('cat')(); // warm the page cache and the binaries
    through(`${taqaddum} --bytes`)();
    ctx.log(`bytes: ${rounds} rounds of ${bytes / MiB} MiB`);
    const bytesRuns = await paired(rounds, through('cat'), through(`${taqaddum} --bytes`), now);
    rows.push(throughputRow(`\`taqaddum --bytes\`, ${bytes / MiB} MiB pipe → pipe`, bytes, bytesRuns, 'cat', 0.8));
    // Node's floor: the same blocking loop with nothing else (no bar, no thread, no library), to tell
    // what taqaddum adds from what starting Node costs.
    const floorDir = mkdtempSync(path.join(tmpdir(), 'taqaddum-floor-'));
    try {
      const floor = path.join(floorDir, 'floor.mjs');
      writeFileSync(
        floor,
        "import { readSync, writeSync } from 'node:fs';\n" +
          'const b = Buffer.allocUnsafe(131072);\n' +
          'for (;;) { const k = readSync(0, b, 0, b.length, null); if (k === 0) break;' +
          ' for (let o = 0; o < k; ) o += writeSync(1, b, o, k - o); }\n',
      );
      const floorRuns = await paired(rounds, through('cat'), through(`${node} ${JSON.stringify(floor)}`), now);
      rows.push(throughputRow(`bare Node read/write loop (the floor), ${bytes / MiB} MiB pipe → pipe`, bytes, floorRuns, 'cat'));
    } finally {
      rmSync(floorDir, { recursive: true, force: true });
    }

    // ── 2. lines: taqaddum vs wc -l ────────────────────────────────────────────────────────────────
    const dir = mkdtempSync(path.join(tmpdir(), 'taqaddum-bench-'));
    try {
      const file = path.join(dir, 'lines.txt');
      const size = ctx.quick ? 4 * MiB : 1024 * MiB;
      const { bytesPerLine } = writeLinesFile(file, size);
      const q = JSON.stringify(file);
      const wc = () => sh(`cat ${q} | wc -l > /dev/null`);
      const ours = () => sh(`cat ${q} | ${taqaddum} > /dev/null`);
      wc();
      ours();
      ctx.log(`lines: ${rounds} rounds of ${size / MiB} MiB`);
      const lineRuns = await paired(rounds, wc, ours, now);
      rows.push(throughputRow(`\`taqaddum\` counting lines (~${Math.round(bytesPerLine)} B/line), ${size / MiB} MiB`, size, lineRuns, 'wc -l', 0.5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // ── startup: what a tiny input costs (issue 13, target 2: ≤ 1.5× `node -e 0`) ───────────────────────
    const tiny = (x) => () => sh(`echo hi | ${x} > /dev/null`);
    const startRounds = ctx.quick ? 1 : 21;
    tiny(taqaddum)();
    const startRuns = await paired(startRounds, tiny(`${node} -e 0`), tiny(taqaddum), now);
    const startRatio = median(startRuns.ratio);
    rows.push({
      name: '`echo hi | taqaddum` (start-up and exit)',
      ...summary(startRuns.b),
      unit: 'ms',
      reference: `\`node -e 0\`: ${Math.round(median(startRuns.a))} ms`,
      ratio: startRatio,
      target: '≤ 1.5× `node -e 0`',
      pass: startRatio <= 1.5,
    });
    // The floor of the command: the same with the bar switched off (no thread, no library).
    const offRuns = await paired(startRounds, tiny(`${node} -e 0`), tiny(`TAQADDUM_DISABLE=1 ${taqaddum}`), now);
    rows.push({
      name: '`echo hi | TAQADDUM_DISABLE=1 taqaddum` (the copy alone: its floor)',
      ...summary(offRuns.b),
      unit: 'ms',
      reference: `\`node -e 0\`: ${Math.round(median(offRuns.a))} ms`,
      ratio: median(offRuns.ratio),
    });
    notes.push(
      '`echo hi | taqaddum`: whole shell pipelines, each run paired with a `node -e 0` pipeline next to it (order ' +
        'alternating), the ratio is the median of the per-round ratios. Attempts measured once (2026-11-30, ' +
        'CPU time = user + sys of the pipeline over `node -e 0`\'s, medians of 20 pairs, load average < 1): at ' +
        'commit 6b14da8 (the bar thread started at once, its modules loaded one by one) +165–179 ms CPU, ' +
        '2.06–2.08× wall; the two threads\' modules bundled (bin.js, bar-thread.js), thread still at once: ' +
        '+121 ms CPU, 1.76×; the thread started only once the input lasts 50 ms, an input over sooner getting its ' +
        'final line from the main thread (commit e04d250, shipped): +40–42 ms CPU, 1.27×; the bar switched off ' +
        '(`TAQADDUM_DISABLE=1`): +21 ms, 1.15×. Booting a worker thread costs ~100 ms of CPU on Node 20: more ' +
        'than all the rest of the command.',
    );

    // ── 4a. memory of the command ──────────────────────────────────────────────────────────────────
    if (existsSync('/proc/self/status')) {
      const small = ctx.quick ? 1 * MiB : 16 * MiB;
      const large = ctx.quick ? 16 * MiB : 1024 * MiB;
      const rssSmall = await peakRss([bin, '--bytes'], small);
      const rssLarge = await peakRss([bin, '--bytes'], large);
      rows.push({
        name: `\`taqaddum --bytes\` peak RSS, ${large / MiB} MiB input`,
        value: rssLarge,
        unit: 'MB',
        reference: `${small / MiB} MiB input: ${rssSmall.toFixed(0)} MB`,
        ratio: rssLarge / rssSmall,
        target: 'flat (≤ +16 MB)',
        pass: rssLarge - rssSmall <= 16,
      });
    } else notes.push('Skipped the command memory row: no /proc.');
  }

  // ── 3. progress.stream() vs PassThrough ────────────────────────────────────────────────────────────
  const chunks = ctx.quick ? 1024 : 64 * 1024; // 16 KiB each: 16 MiB quick, 1 GiB full
  const tty = fakeTTY();
  const meter = () => progress.stream({ desc: 'bench', stream: tty });
  for (let i = 0; i < 3; i++) {
    await streamThrough(new PassThrough(), 64);
    await streamThrough(meter(), 64);
  }
  const mib = (chunks * CHUNK) / MiB;
  ctx.log(`stream: ${rounds} rounds of ${mib} MiB`);
  const streamRuns = await paired(
    ctx.quick ? 1 : 11,
    () => streamThrough(new PassThrough(), chunks),
    () => streamThrough(meter(), chunks),
    cpuNow,
  );
  rows.push(throughputRow(`\`progress.stream()\` in a pipeline, ${mib} MiB in 16 KiB chunks`, chunks * CHUNK, streamRuns, 'PassThrough', 0.9));

  // ── 4b. memory of a stream pipeline ───────────────────────────────────────────────────────────────
  gc();
  const before = process.memoryUsage().rss / 1e6;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss / 1e6);
  }, 5);
  await streamThrough(meter(), chunks);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss / 1e6);
  rows.push({
    name: `\`progress.stream()\` pipeline RSS growth over ${mib} MiB`,
    value: peak - before,
    unit: 'MB',
    reference: `RSS before: ${before.toFixed(0)} MB`,
    target: 'flat (≤ 16 MB)',
    pass: peak - before <= 16,
  });

  notes.push(
    'Command rows: wall time of a whole shell pipeline, `head -c N /dev/zero | X | cat > /dev/null` (bytes) and ' +
      '`cat FILE | X > /dev/null` vs `cat FILE | wc -l` (lines), paired with the reference run next to it. ' +
      'taqaddum includes starting Node, its copy thread and the library (see the start-up row), which is most of ' +
      'the difference from cat and wc on small inputs.',
    '`progress.stream()` row: CPU time of one process pushing a 16 KiB buffer through source → X → sink, ' +
      'X a bare PassThrough vs progress.stream() drawing to a fake terminal.',
  );
  return { rows, notes };
}
