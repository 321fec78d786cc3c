/**
 * The `taqaddum` command. The parsing and counting are pure and tested directly; the command itself is
 * run as a real process (`node dist/cli/bin.js`, built first) with its stdin fed from a buffer, its
 * output compared by hash, and its exit status and stderr checked as a shell user would see them.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, parseDelimiter, parseInterval, parseSize, type CliOptions } from '../src/cli/args.js';
import {
  ByteDelimiterCounter,
  countByteIndexOf,
  countByteSwar,
  createCounter,
  SequenceDelimiterCounter,
  SimdDelimiterCounter,
  UpdateCounter,
  type Counter,
} from '../src/cli/count.js';
import { createSimdCounter } from '../src/cli/simd.js';
import { threadPoolSize } from '../src/env.js';
import { renderScreen } from '../test-support/screen.js';
import { ensureBuilt } from '../test-support/pty.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist', 'cli', 'bin.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function options(argv: string[]): CliOptions {
  const parsed = parseArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function error(argv: string[]): string {
  const parsed = parseArgs(argv);
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe('sizes, intervals and delimiters', () => {
  test.each([
    ['1500', 1500],
    ['10k', 10_000],
    ['10K', 10_000],
    ['4.2GB', 4.2e9],
    ['4.2 GB', 4.2e9],
    ['2.5M', 2.5e6],
    ['1e6', 1e6],
    ['512MiB', 512 * 1024 ** 2],
    ['1KiB', 1024],
    ['1kib', 1024],
    ['3TB', 3e12],
    ['100B', 100],
    ['0', 0],
    ['.5k', 500],
  ])('parseSize(%j) = %d', (text, value) => {
    expect(parseSize(text)).toBeCloseTo(value, 6);
  });

  test.each(['', 'abc', '-1', '10x', 'k', '1iB', '1.2.3', 'Infinity', '1e400', '10 k b c'])('parseSize(%j) is not a size', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  test('intervals: bare numbers are seconds, ms is milliseconds', () => {
    expect(parseInterval('0.5')).toBe(500);
    expect(parseInterval('2s')).toBe(2000);
    expect(parseInterval('200ms')).toBe(200);
    expect(parseInterval('0')).toBe(0);
    expect(parseInterval('-1')).toBeUndefined();
    expect(parseInterval('fast')).toBeUndefined();
  });

  test('delimiters: text, escapes, UTF-8', () => {
    expect(parseDelimiter('\\n')).toEqual(Buffer.from('\n'));
    expect(parseDelimiter('\\0')).toEqual(Buffer.from([0]));
    expect(parseDelimiter('\\r\\n')).toEqual(Buffer.from('\r\n'));
    expect(parseDelimiter('\\t')).toEqual(Buffer.from('\t'));
    expect(parseDelimiter('\\\\')).toEqual(Buffer.from('\\'));
    expect(parseDelimiter('\\x1e')).toEqual(Buffer.from([0x1e]));
    expect(parseDelimiter(',')).toEqual(Buffer.from(','));
    expect(parseDelimiter('§')).toEqual(Buffer.from('§', 'utf8'));
    expect(parseDelimiter('')).toBe('it is empty');
    expect(parseDelimiter('\\q')).toMatch(/unknown escape "\\q"/);
    expect(parseDelimiter('\\x1')).toMatch(/two hex digits/);
    expect(parseDelimiter('a\\')).toMatch(/lone/);
  });
});

describe('flags', () => {
  test('defaults: count lines, unit it, copy to stdout', () => {
    expect(options([])).toEqual({
      mode: 'lines',
      delimiter: Buffer.from('\n'),
      total: undefined,
      desc: '',
      unit: 'it',
      minInterval: undefined,
      discard: false,
    });
  });

  test('every flag, as "--flag value" and "--flag=value"', () => {
    expect(options(['--bytes', '--total', '4.2GB', '--desc', 'tar', '--min-interval', '0.5', '--null'])).toEqual({
      mode: 'bytes',
      delimiter: Buffer.from('\n'),
      total: 4.2e9,
      desc: 'tar',
      unit: 'B',
      minInterval: 500,
      discard: true,
    });
    expect(options(['--delim=\\0', '--total=10k', '--desc=files', '--unit=files', '--min-interval=50ms'])).toMatchObject({
      mode: 'lines',
      delimiter: Buffer.from([0]),
      total: 10_000,
      desc: 'files',
      unit: 'files',
      minInterval: 50,
    });
    expect(options(['--update', '--unit', 'B'])).toMatchObject({ mode: 'update', unit: 'B' });
    expect(options(['--desc', '--weird-but-a-value'])).toMatchObject({ desc: '--weird-but-a-value' });
    expect(options(['--desc', 'a', '--desc', 'b']).desc).toBe('b');
  });

  test('help and version win over everything else', () => {
    expect(parseArgs(['--help']).kind).toBe('help');
    expect(parseArgs(['-h', '--bytes']).kind).toBe('help');
    expect(parseArgs(['--version']).kind).toBe('version');
    expect(parseArgs(['-v']).kind).toBe('version');
  });

  test('mistakes: one message naming the flag', () => {
    expect(error(['--byte'])).toBe('unknown option "--byte"');
    expect(error(['-b'])).toBe('unknown option "-b" (options start with --, e.g. --bytes)');
    expect(error(['--total'])).toBe('--total needs a value');
    expect(error(['--total', 'lots'])).toBe('--total: expected a size like 4.2GB, 10k or 1500, got "lots"');
    expect(error(['--total='])).toBe('--total: expected a size like 4.2GB, 10k or 1500, got ""');
    expect(error(['--min-interval', 'soon'])).toBe('--min-interval: expected seconds (0.5) or milliseconds (200ms), got "soon"');
    expect(error(['--delim', ''])).toBe('--delim: it is empty');
    expect(error(['--delim', '\\z'])).toMatch(/^--delim: unknown escape/);
    expect(error(['--bytes=yes'])).toBe('--bytes takes no value');
    expect(error(['--bytes', '--update'])).toBe('--update cannot be combined with --bytes');
    expect(error(['--bytes', '--delim', ','])).toMatch(/^--delim has no effect with --bytes/);
    expect(error(['--unit', ''])).toBe('--unit: expected a name, got ""');
    // A unit made only of escape sequences would show as nothing; a flag's controls are shown escaped.
    expect(error(['--unit', '\u001b]52;c;aGVsbG8=\u0007'])).toBe('--unit: expected a name, got "\\u001b]52;c;aGVsbG8=\\u0007"');
    expect(error(['--total', '\u009b2J'])).toBe('--total: expected a size like 4.2GB, 10k or 1500, got "\\u009b2J"');
    expect(error(['file.txt'])).toMatch(/^unexpected argument "file\.txt": taqaddum reads standard input/);
    expect(error(['--', 'file.txt'])).toMatch(/^unexpected argument "file\.txt"/);
  });
});

/** Feeds `data` to a counter in the given chunk sizes (cycled) and returns the total count. */
function countInChunks(counter: Counter, data: Buffer, sizes: readonly number[]): number {
  let n = 0;
  let k = 0;
  for (let i = 0; i < data.length; ) {
    const size = Math.max(1, sizes[k++ % sizes.length] as number);
    // A copy in a reused scratch buffer, as the copy loop hands them: counters must not keep references.
    const scratch = Buffer.alloc(size + 3);
    const chunk = scratch.subarray(3, 3 + Math.min(size, data.length - i));
    data.copy(chunk, 0, i, i + chunk.length);
    n += counter.feed(chunk);
    scratch.fill(0xee);
    i += chunk.length;
  }
  return n + counter.end();
}

/** Non-overlapping matches from the left, plus one for a last record without its delimiter. */
function referenceRecords(data: Buffer, delimiter: Buffer): number {
  let n = 0;
  let end = 0;
  for (let i = data.indexOf(delimiter); i !== -1; i = data.indexOf(delimiter, end)) {
    n++;
    end = i + delimiter.length;
  }
  return n + (end < data.length ? 1 : 0);
}

describe('counting', () => {
  test('the word-at-a-time byte count equals a plain count at every alignment and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), fc.constantFrom(10, 0, 44, 255), (bytes, offset, byte) => {
        const buf = Buffer.alloc(bytes.length + offset);
        buf.set(bytes, offset);
        const view = buf.subarray(offset);
        let plain = 0;
        for (const b of view) if (b === byte) plain++;
        expect(countByteSwar(view, byte)).toBe(plain);
        expect(countByteIndexOf(view, byte)).toBe(plain);
      }),
    );
  });

  test('the WebAssembly SIMD count equals a plain count at every offset, length and density', () => {
    const simd = createSimdCounter();
    expect(simd).toBeDefined();
    if (simd === undefined) return;
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.integer({ min: 0, max: 9000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(10, 0, 255),
        (offset, length, density, byte) => {
          let plain = 0;
          for (let i = 0; i < length; i++) {
            const v = Math.random() < density ? byte : Math.floor(Math.random() * 256);
            simd.memory[offset + i] = v;
            if (v === byte) plain++;
          }
          expect(simd.count(offset, length, byte)).toBe(plain);
        },
      ),
    );
    // Long runs of matches: the 8-bit lanes are emptied before they can overflow.
    simd.memory.fill(10, 0, 131072);
    expect(simd.count(0, 131072, 10)).toBe(131072);
    expect(simd.count(3, 131069, 10)).toBe(131069);
  });

  test('the WebAssembly module is what simd.wat assembles to (`node scripts/wat.js --check`)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'wat.js'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('SIMD line counts, in the module memory or copied in, equal a count over the whole input', () => {
    const simd = createSimdCounter();
    if (simd === undefined) return;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'bb', '\n', 'c'.repeat(70), '\n\n')).map((p) => Buffer.from(p.join(''))),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1 }),
        (buf, sizes) => {
          const expected = referenceRecords(buf, Buffer.from('\n'));
          expect(countInChunks(new SimdDelimiterCounter(simd, 10), buf, sizes)).toBe(expected);
          // In place, as the copy loop does it: each chunk read into the module's memory at offset 0.
          const counter = new SimdDelimiterCounter(simd, 10);
          let n = 0;
          for (let i = 0, k = 0; i < buf.length; k++) {
            const size = Math.min(sizes[k % sizes.length] as number, buf.length - i);
            simd.memory.set(buf.subarray(i, i + size), 0);
            n += counter.feed(simd.memory.subarray(0, size));
            i += size;
          }
          expect(n + counter.end()).toBe(expected);
        },
      ),
    );
    // A chunk bigger than the scratch space is counted in pieces.
    const big = Buffer.alloc(600_000, 0x0a);
    expect(new SimdDelimiterCounter(simd, 10).feed(big)).toBe(600_000);
  });

  test('lines: a last line without a newline counts; an empty input is 0 lines', () => {
    const lines = (text: string): number => countInChunks(new ByteDelimiterCounter(10), Buffer.from(text), [3]);
    expect(lines('')).toBe(0);
    expect(lines('a\nb\nc\n')).toBe(3);
    expect(lines('a\nb\nc')).toBe(3);
    expect(lines('\n\n')).toBe(2);
    expect(lines('no newline at all')).toBe(1);
  });

  test('lines in any chunking, sparse or dense, equal a count over the whole input', () => {
    const data = fc
      .tuple(fc.array(fc.constantFrom('a', 'bb', '\n', 'ccccccccccccccccccccccccccccccccccccccccccccccccccccccc', '\n\n')), fc.boolean())
      .map(([parts, dense]) => Buffer.from(dense ? parts.join('\n') : parts.join('')));
    fc.assert(
      fc.property(data, fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }), (buf, sizes) => {
        expect(countInChunks(new ByteDelimiterCounter(10), buf, sizes)).toBe(referenceRecords(buf, Buffer.from('\n')));
      }),
    );
  });

  test('a delimiter of several bytes is found across chunk boundaries, without overlaps', () => {
    const delimiters = ['\r\n', 'aa', 'aba', '--\n'].map((d) => Buffer.from(d));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '\r', '\n', '-', 'aa', '\r\n')).map((p) => Buffer.from(p.join(''))),
        fc.constantFrom(...delimiters),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }),
        (buf, delimiter, sizes) => {
          expect(countInChunks(new SequenceDelimiterCounter(delimiter), buf, sizes)).toBe(referenceRecords(buf, delimiter));
        },
      ),
    );
    expect(countInChunks(new SequenceDelimiterCounter(Buffer.from('aa')), Buffer.from('aaa'), [1])).toBe(2); // "aa" + "a"
  });

  test('--update: each record is a number to add; blanks are skipped; the rest are reported', () => {
    const counter = new UpdateCounter(Buffer.from('\n'));
    const data = Buffer.from('10\n2.5\n\n  3 \r\nabc\n-1\n1e3\nlast-is-bad');
    expect(countInChunks(counter, data, [1, 2, 5])).toBe(10 + 2.5 + 3 - 1 + 1000);
    expect(counter.invalid).toBe(2);
    expect(counter.firstInvalid).toEqual({ record: 5, text: 'abc' });
  });

  test('--update in any chunking, with a two-byte delimiter, equals parsing the whole input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('', ' 7 ', 'x'))),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
        (records, sizes) => {
          const expected = records.reduce((sum, r) => sum + (r.trim() === '' || r === 'x' ? 0 : Number(r)), 0);
          const counter = new UpdateCounter(Buffer.from('\r\n'));
          expect(countInChunks(counter, Buffer.from(records.join('\r\n')), sizes)).toBe(expected);
          expect(counter.invalid).toBe(records.filter((r) => r === 'x').length);
        },
      ),
    );
  });

  test('--update: a huge record is not kept in memory and is reported by its start', () => {
    const counter = new UpdateCounter(Buffer.from('\n'));
    const data = Buffer.concat([Buffer.from('5\n'), Buffer.alloc(1_000_000, 0x31), Buffer.from('\n6\n')]);
    expect(countInChunks(counter, data, [4096])).toBe(11);
    expect(counter.invalid).toBe(1);
    expect(counter.firstInvalid?.record).toBe(2);
    expect(counter.firstInvalid?.text).toMatch(/^1{40}…$/);
  });

  test('createCounter picks the counter for the mode', () => {
    expect(createCounter('bytes', Buffer.from('\n')).feed(Buffer.alloc(7))).toBe(7);
    expect(createCounter('lines', Buffer.from('\n'))).toBeInstanceOf(ByteDelimiterCounter);
    expect(createCounter('lines', Buffer.from('\n'), createSimdCounter())).toBeInstanceOf(SimdDelimiterCounter);
    expect(createCounter('lines', Buffer.from('\r\n'))).toBeInstanceOf(SequenceDelimiterCounter);
    expect(createCounter('update', Buffer.from('\n'))).toBeInstanceOf(UpdateCounter);
  });
});

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the built command with `input` on stdin. Bars are plain lines here (stderr is a pipe). */
function run(args: readonly string[], input: Buffer | string = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, TAQADDUM_DISABLE: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {}); // the command may exit before reading everything (bad flags)
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input);
  });
}

/** The last line the bar wrote. */
const lastLine = (r: Run): string => r.stderr.trimEnd().split('\n').at(-1) ?? '';

test('UV_THREADPOOL_SIZE is read as libuv reads it: 4 when unset, else its leading number, at least 1', () => {
  const saved = process.env.UV_THREADPOOL_SIZE;
  try {
    const sizes: Record<string, number> = {};
    for (const v of ['8', '2x', '0', '', 'abc']) {
      process.env.UV_THREADPOOL_SIZE = v;
      sizes[v] = threadPoolSize();
    }
    delete process.env.UV_THREADPOOL_SIZE;
    sizes.unset = threadPoolSize();
    expect(sizes).toEqual({ '8': 8, '2x': 2, '0': 1, '': 1, abc: 1, unset: 4 });
  } finally {
    if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = saved;
  }
});

describe('the command', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  test('package.json points the taqaddum bin at the built command, which is executable', () => {
    expect(pkg.bin.taqaddum).toBe('dist/cli/bin.js');
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  test('random binary data comes out byte for byte; lines and bytes are counted', async () => {
    const data = randomBytes(4 * 1024 * 1024 + 11);
    let newlines = 0;
    for (const b of data) if (b === 10) newlines++;
    const lines = await run([], data);
    expect(lines.status).toBe(0);
    expect(sha256(lines.stdout)).toBe(sha256(data));
    const expectedLines = newlines + (data[data.length - 1] === 10 ? 0 : 1);
    expect(lastLine(lines)).toMatch(new RegExp(`^${expectedLines} it \\[`));

    const bytes = await run(['--bytes', '--desc', 'blob'], data);
    expect(bytes.status).toBe(0);
    expect(sha256(bytes.stdout)).toBe(sha256(data));
    expect(lastLine(bytes)).toMatch(/^blob: 4\.19 MB \[\d\d:\d\d, [\d.]+ [kMG]B\/s\]$/);
  });

  test('lines with and without a final newline, an empty input, one very long line', async () => {
    for (const [input, shown] of [
      ['a\nb\nc\n', '3 it'],
      ['a\nb\nc', '3 it'],
      ['', '0 it'],
    ] as const) {
      const r = await run([], input);
      expect(r.stdout.toString()).toBe(input);
      expect(lastLine(r)).toMatch(new RegExp(`^${shown} \\[`));
    }
    const long = Buffer.alloc(6 * 1024 * 1024, 0x78);
    const r = await run(['--unit', 'lines'], long);
    expect(sha256(r.stdout)).toBe(sha256(long));
    expect(lastLine(r)).toMatch(/^1 lines \[/);
  });

  test('an input over at once and one that outlasts the bar thread\'s delay end with the same kind of line', async () => {
    // `echo hi | taqaddum` is over before the bar's thread would start: the main thread draws the final
    // line. An input with a pause in it starts the thread first (main.ts, BAR_THREAD_DELAY).
    const quick = await run(['--desc', 'rows'], 'a\nb\n');
    const slow = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, '--desc', 'rows'], { env: { ...process.env, TAQADDUM_DISABLE: '' } });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(out), stderr: err }));
      child.stdin.write('a\n');
      setTimeout(() => child.stdin.end('b\n'), 300);
    });
    for (const r of [quick, slow]) {
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toBe('a\nb\n');
      expect(r.stderr.split('\n')).toHaveLength(2); // one line: a pipe gets only the final one
      expect(lastLine(r)).toMatch(/^rows: 2 it \[00:0\d, [\d.]+ it\/s\]$/);
    }
  });

  test('--desc and --unit from data never reach the terminal as escape sequences', async () => {
    const r = await run(['--total', '2', '--desc', 'a\u001b]0;title\u0007b\u001b[2J', '--unit', 'rows\u001b]52;c;aGVsbG8=\u0007'], 'x\ny\n');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('\u001b');
    expect(lastLine(r)).toMatch(/^ab: 100%\|█+\| 2\/2 \[\d\d:\d\d<00:00, [^\]]+ rows\/s\]$/);
  });

  test('--total, --desc, --unit shape the line', async () => {
    const r = await run(['--total', '4', '--desc', 'rows', '--unit', 'rows'], 'a\nb\nc\nd\n');
    expect(lastLine(r)).toMatch(/^rows: 100%\|█+\| 4\/4 \[/);
    const big = await run(['--bytes', '--total', '4.2GB'], Buffer.alloc(1000));
    expect(lastLine(big)).toMatch(/^ {2}0%\|.*\| 1\.00 kB\/4\.20 GB \[/);
  });

  test('--delim counts other records: NUL-separated names, CRLF', async () => {
    const names = Buffer.from('a b\0c\nd\0e\0');
    const r = await run(['--delim', '\\0'], names);
    expect(r.stdout.equals(names)).toBe(true);
    expect(lastLine(r)).toMatch(/^3 it \[/);
    const crlf = await run(['--delim=\\r\\n'], 'x\r\ny\r\nz');
    expect(lastLine(crlf)).toMatch(/^3 it \[/);
  });

  test('--update adds the numbers it reads and passes them through; bad lines get one warning', async () => {
    const r = await run(['--update', '--total', '35'], '10\n20\n5\n');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('10\n20\n5\n');
    expect(lastLine(r)).toMatch(/^100%\|█+\| 35\/35 \[/);
    const bad = await run(['--update'], '1\nten\n2\neleven\n');
    expect(bad.status).toBe(0);
    expect(bad.stdout.toString()).toBe('1\nten\n2\neleven\n');
    expect(bad.stderr).toContain('3 it [');
    expect(lastLine(bad)).toBe('taqaddum: --update: 2 lines were not a number and added nothing (the first, line 2: "ten")');
  });

  test('--null discards the input and still counts it', async () => {
    const r = await run(['--null', '--bytes'], Buffer.alloc(5000));
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(lastLine(r)).toMatch(/^5\.00 kB \[/);
  });

  test('bad flags: one line on stderr naming the flag, status 2, nothing read or written', async () => {
    for (const [args, flag] of [
      [['--bogus'], '--bogus'],
      [['--total', 'lots'], '--total'],
      [['--min-interval', 'x'], '--min-interval'],
      [['--bytes', '--update'], '--update'],
      [['--delim'], '--delim'],
    ] as const) {
      const r = await run(args, 'data\n');
      expect(r.status).toBe(2);
      expect(r.stdout.length).toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^taqaddum: /);
      expect(lines[0]).toContain(flag);
      expect(lines[0]).toMatch(/\(see taqaddum --help\)$/);
    }
  });

  test('--help and --version print to stdout and exit 0', async () => {
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.toString()).toMatch(/^Usage: /);
    for (const flag of ['--bytes', '--delim', '--total', '--desc', '--unit', '--min-interval', '--update', '--null']) {
      expect(help.stdout.toString()).toContain(flag);
    }
    const version = await run(['--version']);
    expect(version.stdout.toString()).toBe(`${pkg.version}\n`);
    expect(version.stderr).toBe('');
  });

  test('`yes | taqaddum | head -1` ends quietly with status 0', () => {
    const r = spawnSync('bash', ['-c', `yes | "${process.execPath}" "${bin}" | head -1; echo "status=\${PIPESTATUS[1]}" >&2`], {
      encoding: 'utf8',
      env: { ...process.env, TAQADDUM_DISABLE: '' },
      timeout: 20_000,
    });
    expect(r.stdout).toBe('y\n');
    expect(r.stderr).toMatch(/status=0\n$/);
    expect(r.stderr).not.toMatch(/Error|EPIPE|at /);
  });

  test('the reader closing the pipe mid-stream: status 0, no error text', async () => {
    const child = spawn(process.execPath, [bin, '--bytes'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.on('error', () => {});
    child.stdout.once('data', () => child.stdout.destroy());
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const feed = (): void => {
      while (child.stdin.writable && child.stdin.write(chunk));
      if (child.stdin.writable) child.stdin.once('drain', feed);
    };
    feed();
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(stderr).not.toMatch(/Error|EPIPE|at /);
  });

  test('stdin that cannot be read: a clear message and status 1', () => {
    const dirFd = openSync(root, 'r');
    try {
      const r = spawnSync(process.execPath, [bin], { stdio: [dirFd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(lastLine({ ...r, stdout: Buffer.alloc(0), status: r.status, signal: r.signal })).toBe(
        'taqaddum: cannot read standard input: EISDIR: illegal operation on a directory, read',
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(dirFd);
    }
    // A descriptor open for writing only (Node itself replaces a closed stdin with /dev/null).
    const writeOnly = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" 0>>/dev/null`], { encoding: 'utf8' });
    expect(writeOnly.status).toBe(1);
    expect(writeOnly.stderr).toMatch(/^taqaddum: cannot read standard input: EBADF: bad file descriptor, read$/m);
  });

  test('stdout that cannot be written: a clear message and status 1', () => {
    const r = spawnSync('bash', ['-c', `echo hi | "${process.execPath}" "${bin}" > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^taqaddum: cannot write standard output: ENOSPC: no space left on device, write$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('TAQADDUM_DISABLE turns the bar off; the data still flows', async () => {
    const r = await run([], 'a\nb\n', { TAQADDUM_DISABLE: '1' });
    expect(r.stdout.toString()).toBe('a\nb\n');
    expect(r.stderr).toBe('');
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  (hasScript ? test : test.skip)('on a terminal, the bar is drawn in place on stderr while data is piped through', async () => {
    const cmd = `head -c 30000000 /dev/zero | "${process.execPath}" "${bin}" --bytes --desc zeros --total 30MB > /dev/null`;
    const r = spawnSync('script', ['-qfec', `stty cols 72 rows 8; ${cmd}`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, TAQADDUM_DISABLE: '', TERM: 'xterm-256color' },
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    const screen = await renderScreen(r.stdout, 72, 8);
    expect(screen.text).toMatch(/^zeros: 100%\|█+\| 30\.0 MB\/30\.0 MB \[\d\d:\d\d<00:00, [\d.]+ [MG]B\/s\]$/m);
    expect(screen.cursorVisible).toBe(true);
  });

  (hasScript ? test : test.skip)('on a terminal, an input over at once leaves its final line and a visible cursor', async () => {
    const cmd = `printf 'a\\nb\\n' | "${process.execPath}" "${bin}" --desc tiny > /dev/null`;
    const r = spawnSync('script', ['-qfec', `stty cols 72 rows 8; ${cmd}`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, TAQADDUM_DISABLE: '', TERM: 'xterm-256color' },
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    const screen = await renderScreen(r.stdout, 72, 8);
    expect(screen.text).toMatch(/^tiny: 2 it \[00:00, [\d.]+ it\/s\]$/m);
    expect(screen.cursorVisible).toBe(true);
  });

  (hasScript ? test.each(['unset', '1']) : test.skip.each(['unset', '1']))(
    'while the input is silent the bar keeps moving (its clock runs on its own thread); UV_THREADPOOL_SIZE %s',
    async (poolSize) => {
      // With one thread in libuv's pool, the early reads (main.ts) would hold it and the bar's thread
      // could not read its modules until the input comes: it starts at once instead.
      const cmd = `(echo first; sleep 2; echo second) | "${process.execPath}" "${bin}" --desc waiting > /dev/null`;
      const env: NodeJS.ProcessEnv = { ...process.env, TAQADDUM_DISABLE: '', TERM: 'xterm-256color' };
      if (poolSize === 'unset') delete env.UV_THREADPOOL_SIZE;
      else env.UV_THREADPOOL_SIZE = poolSize;
      const r = spawnSync('script', ['-qfec', `stty cols 72 rows 8; ${cmd}`, '/dev/null'], { encoding: 'utf8', env, timeout: 30_000 });
      expect(r.status).toBe(0);
      // A frame drawn during the silence: one line counted, a second gone by.
      expect(r.stdout).toMatch(/waiting: 1 it \[00:01, /);
      const screen = await renderScreen(r.stdout, 72, 8);
      expect(screen.text).toMatch(/^waiting: 2 it \[00:0[12], [\d.]+ it\/s\]$/m);
    },
  );
});
