#!/usr/bin/env node
/**
 * Benchmark runner: `npm run bench` (builds first), `npm run bench -- --quick` (tiny sizes: proves the
 * benchmarks run; used by CI).
 *
 * Discovers `bench/suites/*.js` and runs each in its own child process (`node --expose-gc`), so that one
 * suite's JIT state, heap and lazily loaded modules cannot disturb another. A suite is an ES module that
 * exports `title` and `async run(ctx)` returning `{ rows, notes? }` (see bench/lib.js and the brief).
 * The full run writes docs/benchmarks.md; a quick run prints the same tables and writes nothing (unless
 * `--out FILE`).
 *
 *   node bench/run.js [--quick] [--out FILE] [--strict] [suite-name…]
 *
 * Exit status: non-zero if a suite crashed or returned malformed rows; with `--strict`, also if a
 * target was missed. A missed target alone is reported, not fatal (the machine is shared and noisy).
 */
import { fork, execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// The suites measure what the bars cost where they draw, on a fake terminal: a CI job (`CI=true`, as .ci/run
// sets it) or a TAQADDUM_* setting would turn those bars into plain or JSON lines, or change their intervals
// and width, and the figures would be of something else. The suites and the programs they start inherit this.
for (const name of ['CI', 'TAQADDUM_MODE', 'TAQADDUM_MIN_INTERVAL', 'TAQADDUM_PLAIN_INTERVAL', 'TAQADDUM_WIDTH', 'TAQADDUM_DISABLE']) {
  delete process.env[name];
}
const root = path.resolve(here, '..');

// ── child mode: run one suite and send its result to the parent ─────────────────────────────────────
if (process.argv[2] === '--child') {
  const file = process.argv[3];
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  let message;
  try {
    const suite = await import(pathToFileURL(file).href);
    if (typeof suite.run !== 'function') throw new Error(`${file} does not export run(ctx)`);
    const ctx = {
      quick,
      root,
      /** Progress messages, shown by the parent as the suite runs. */
      log: (text) =>
        process.send ? process.send({ type: 'log', message: String(text) }) : process.stderr.write(`${text}\n`),
    };
    const result = await suite.run(ctx);
    message = {
      type: 'result',
      title: typeof suite.title === 'string' ? suite.title : path.basename(file, '.js'),
      rows: result?.rows ?? [],
      notes: result?.notes ?? [],
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    message = { type: 'error', message: error?.stack ?? String(error) };
  }
  // Exit once the message is out, even if the suite left handles open. Without a parent (run by hand:
  // `node --expose-gc bench/run.js --child bench/suites/core.js`), print it.
  if (process.send) process.send(message, () => process.exit(0));
  else {
    process.stdout.write(`${JSON.stringify(message, null, 2)}\n`);
    process.exit(message.type === 'result' ? 0 : 1);
  }
} else {
  await main();
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const strict = args.includes('--strict');
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : quick ? undefined : path.join(root, 'docs', 'benchmarks.md');
  const names = args.filter((a, i) => !a.startsWith('--') && !(outIndex >= 0 && i === outIndex + 1));

  const suitesDir = path.join(here, 'suites');
  let files = readdirSync(suitesDir)
    .filter((f) => f.endsWith('.js'))
    .sort((a, b) => (a === 'core.js' ? -1 : b === 'core.js' ? 1 : a.localeCompare(b)));
  if (names.length > 0) files = files.filter((f) => names.includes(path.basename(f, '.js')));
  if (files.length === 0) {
    console.error(`no suites to run in ${suitesDir}${names.length ? ` matching ${names.join(', ')}` : ''}`);
    process.exit(1);
  }

  const machine = machineInfo();
  const loadBefore = os.loadavg();
  log(`taqaddum benchmarks${quick ? ' (quick)' : ''}: ${files.length} suite(s) on ${machine.cpu}, ${machine.cores} cores, Node ${process.version}`);

  const results = [];
  let crashed = 0;
  let missed = 0;
  for (const file of files) {
    const name = path.basename(file, '.js');
    log(`▶ ${name}`);
    const result = await runSuite(path.join(suitesDir, file), name, quick);
    if (result.error) {
      crashed++;
      log(`✗ ${name} crashed:\n${result.error}`);
    } else {
      const problems = validateRows(result.rows);
      if (problems.length > 0) {
        crashed++;
        result.error = `malformed rows:\n${problems.join('\n')}`;
        log(`✗ ${name}: ${result.error}`);
      }
      const failed = result.rows.filter((r) => r.pass === false);
      missed += failed.length;
      log(`✓ ${name} (${result.seconds.toFixed(1)} s)${failed.length ? `: ${failed.length} target(s) missed` : ''}`);
    }
    results.push({ name, ...result });
  }
  const loadAfter = os.loadavg();

  const markdown = render({ results, machine, quick, loadBefore, loadAfter });
  if (out) {
    writeFileSync(out, markdown);
    log(`wrote ${path.relative(process.cwd(), out) || out}`);
  }
  if (!out || quick) process.stdout.write(`\n${markdown}`);
  if (crashed > 0) process.exit(1);
  if (strict && missed > 0) process.exit(2);
}

function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Runs one suite file in a child process; resolves to `{ title, rows, notes, seconds }` or `{ error }`. */
function runSuite(file, name, quick) {
  return new Promise((resolve) => {
    const env = { ...process.env, TERM: process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm-256color' };
    delete env.TAQADDUM_DISABLE; // a switched-off bar would measure nothing
    delete env.NODE_OPTIONS;
    const child = fork(fileURLToPath(import.meta.url), ['--child', file, ...(quick ? ['--quick'] : [])], {
      execArgv: ['--expose-gc'],
      env,
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let result;
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('message', (message) => {
      if (message.type === 'log') log(`  ${name}: ${message.message}`);
      else result = message;
    });
    child.on('exit', (code, signal) => {
      if (result?.type === 'result') resolve({ title: result.title, rows: result.rows, notes: result.notes, seconds: result.seconds });
      else if (result?.type === 'error') resolve({ title: name, rows: [], notes: [], seconds: 0, error: result.message });
      else resolve({ title: name, rows: [], notes: [], seconds: 0, error: `exited (${signal ?? code}) without a result\n${tail}` });
    });
  });
}

function validateRows(rows) {
  const problems = [];
  if (!Array.isArray(rows)) return ['`rows` is not an array'];
  rows.forEach((r, i) => {
    if (typeof r?.name !== 'string') problems.push(`row ${i}: name must be a string`);
    if (typeof r?.value !== 'number' || Number.isNaN(r.value)) problems.push(`row ${i} (${r?.name}): value must be a number`);
    if (typeof r?.unit !== 'string') problems.push(`row ${i} (${r?.name}): unit must be a string`);
  });
  return problems;
}

function machineInfo() {
  const cpus = os.cpus();
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' + uncommitted changes in src/';
  } catch {
    commit = 'unknown';
  }
  let version = '';
  try {
    version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  } catch {
    /* ignore */
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    version,
  };
}

// ── Markdown ────────────────────────────────────────────────────────────────────────────────────────

function cell(text) {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function withUnit(value, unit) {
  if (unit === '×') return `${value.toFixed(3)}×`; // a ratio against a 1.10× target needs the third digit
  const v = fmt(value);
  if (unit === '%') return `${v}%`;
  return unit ? `${v} ${unit}` : v;
}

function range(row) {
  if (row.min === undefined || row.max === undefined) return '';
  return `${withUnit(row.min, row.unit)} – ${withUnit(row.max, row.unit)}`;
}

function reference(row) {
  const ref = row.reference;
  if (ref === undefined || ref === null) return '';
  if (typeof ref === 'number') return withUnit(ref, row.unit);
  return ref;
}

function verdict(row) {
  if (row.pass === true) return '✅ pass';
  if (row.pass === false) return '❌ **fail**';
  return '';
}

function render({ results, machine, quick, loadBefore, loadAfter }) {
  const lines = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push('<!-- Generated by `npm run bench` (bench/run.js). Do not edit by hand: run it again. -->');
  lines.push('');
  if (quick) {
    lines.push('> **Quick run** (`--quick`): tiny sizes, only proves the benchmarks run. The figures mean nothing.');
    lines.push('');
  }
  lines.push('| Machine | |');
  lines.push('|---|---|');
  lines.push(`| CPU | ${cell(machine.cpu)}, ${machine.cores} cores |`);
  lines.push(`| Memory | ${machine.memory} |`);
  lines.push(`| OS | ${cell(machine.os)} |`);
  lines.push(`| Node | ${machine.node} (V8 ${machine.v8}) |`);
  lines.push(`| taqaddum | ${machine.version} at ${cell(machine.commit)} |`);
  lines.push(`| Date | ${machine.date} |`);
  lines.push(
    `| Load average | ${loadBefore.map((x) => x.toFixed(2)).join(' / ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' / ')} after (1 / 5 / 15 min) |`,
  );
  lines.push('');
  lines.push(
    'The machine is shared: other sessions were building and testing on the same cores during this run (see the ' +
      'load average), and single runs vary by 20–40 %. Every figure is therefore a median over several runs, each ' +
      'paired with a run of its reference next to it (see _Method_ at the end).',
  );
  lines.push('');

  const all = results.flatMap((r) => r.rows ?? []);
  const targeted = all.filter((r) => r.pass !== undefined);
  if (targeted.length > 0) {
    const passed = targeted.filter((r) => r.pass).length;
    lines.push(`**Targets: ${passed} of ${targeted.length} met.**`);
    lines.push('');
  }

  for (const result of results) {
    lines.push(`## ${result.title}`);
    lines.push('');
    if (result.error) {
      lines.push('**The suite failed:**');
      lines.push('');
      lines.push('```');
      lines.push(result.error.slice(0, 3000));
      lines.push('```');
      lines.push('');
      continue;
    }
    let section;
    for (const row of result.rows) {
      if (row.section !== undefined && row.section !== section) {
        if (section !== undefined) lines.push('');
        section = row.section;
        lines.push(`### ${section}`);
        lines.push('');
        header(lines);
      } else if (section === undefined && row === result.rows[0]) header(lines);
      lines.push(
        `| ${cell(row.name)} | ${cell(withUnit(row.value, row.unit))} | ${cell(range(row))} | ${cell(row.runs ?? '')} | ${cell(reference(row))} | ${cell(row.ratio !== undefined ? `${fmt(row.ratio)}×` : '')} | ${cell(row.target ?? '')} | ${verdict(row)} |`,
      );
    }
    lines.push('');
    if (result.notes?.length) {
      for (const note of result.notes) lines.push(`- ${note}`);
      lines.push('');
    }
    lines.push(`_Suite time: ${result.seconds.toFixed(1)} s._`);
    lines.push('');
  }
  lines.push('## Method');
  lines.push('');
  for (const item of methodNotes()) lines.push(`- ${item}`);
  lines.push('');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The Method section (a function: module-level constants are not set yet when main() runs). */
function methodNotes() {
  return [
  'Each suite (`bench/suites/*.js`) runs in its own `node --expose-gc` process, so one suite\'s JIT state, heap ' +
    'and lazily loaded modules cannot disturb another. `npm run bench` builds first; `npm run bench -- --quick` ' +
    'runs tiny sizes only to prove the benchmarks run (CI) and writes nothing.',
  '**Paired, interleaved runs.** Every measured run sits next to a run of its reference (A B, B A, A B, …), and a ' +
    'figure is the median over the pairs of the per-pair difference (ns/item, ms) or ratio; min – max is over ' +
    'the same pairs. A reference is always measured in the same process and the same pair, never taken from ' +
    'another run or from a README.',
  '**CPU time** (`process.cpuUsage()`, user + system, all threads) times code inside the benchmark process: ' +
    'on a shared machine, time spent waiting for a core is not charged to the loop. Frame rates and cold ' +
    'imports are wall time, which is what they are about.',
  '**Warm-up.** Each loop is first run on 1,000-item inputs a few hundred times and once at full size, so that ' +
    'V8 has optimized both sides before timing. Without it a long loop is timed partly in the interpreter and ' +
    'baseline tiers, and the bare loop alone varies up to 10× between processes (1.2 to 12 ns/item seen here), ' +
    'which would make an overhead of a few ns meaningless. No full collection is forced between timed pairs: ' +
    'V8 throws away optimized code that embedded an object from the previous run when a full collection finds it ' +
    'dead, and the pair would then time the re-optimization.',
  'Loops sum small integers (`s = (s + x) | 0`): a sum that leaves the small-integer range deoptimizes both ' +
    'loops and hides the difference.',
  'The fake terminal (`bench/lib.js`) claims `isTTY` with 100 columns, counts writes, and has the cursor ' +
    'methods of a `tty.WriteStream` (writing their escape codes through `write()`, as a real one does), so ' +
    'every library draws as it would on a terminal. Nothing is printed.',
];
}

function header(lines) {
  lines.push('| Benchmark | Median | Min – max | Runs | Reference (same run) | Ratio | Target | Result |');
  lines.push('|---|---:|---:|---:|---|---:|---|---|');
}
