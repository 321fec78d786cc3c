/**
 * Pure formatting: units, the bar body, postfix values, and `formatLine(snapshot, width)` with its width
 * contract and its order of what goes when the width is short; what reaches a plain stream (not cut).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import stringWidth from 'string-width';
import type { Snapshot } from '../src/core/state.js';
import { ProgressState } from '../src/core/state.js';
import { formatLine, renderBar } from '../src/format/line.js';
import { formatBytes, formatCount, formatDuration, formatRate, formatSI } from '../src/format/units.js';
import { displayWidth, truncate } from '../src/format/width.js';
import {
  formatBytes as publicBytes,
  formatDuration as publicDuration,
  formatProgress,
  formatRate as publicRate,
  formatSI as publicSI,
  progress,
} from '../src/index.js';
import { formatPostfix } from '../src/options/postfix.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { describeRun, ensureBuilt, renderPtyScreen, renderPtyScreens, repoRoot, runInPty, writeEnds } from '../test-support/pty.js';
import { makeSnapshot } from '../test-support/snapshot.js';

/** Control characters (C0, DEL, C1): none may reach a terminal line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('units', () => {
  test.each([
    [0, '0.00'],
    [0.25, '0.25'],
    [1, '1.00'],
    [9.994, '9.99'],
    [9.995, '10.0'],
    [99.94, '99.9'],
    [99.95, '100'],
    [999, '999'],
    [999.4, '999'],
    [999.5, '1.00k'],
    [1234, '1.23k'],
    [999_499, '999k'],
    [999_500, '1.00M'],
    [12_345_678, '12.3M'],
    [4.56e9, '4.56G'],
    [-1234, '-1.23k'],
    [Infinity, '?'],
    [NaN, '?'],
  ])('formatSI(%p) → %p', (value, shown) => {
    expect(formatSI(value)).toBe(shown);
  });

  test('formatCount keeps integers exact unless scaled', () => {
    expect(formatCount(4200, false)).toBe('4200');
    expect(formatCount(123_456_789, false)).toBe('123456789');
    expect(formatCount(123_456_789, true)).toBe('123M');
    expect(formatCount(1.5, false)).toBe('1.50');
    expect(formatCount(4200, true)).toBe('4.20k');
    // A whole count under 1000 is the same scaled or not (a range of 20M starts at "0/20.0M").
    expect(formatCount(0, true)).toBe('0');
    expect(formatCount(999, true)).toBe('999');
    expect(formatCount(0.5, true)).toBe('0.50');
  });

  test.each([
    [0, '00:00'],
    [0.999, '00:00'],
    [59.9, '00:59'],
    [61, '01:01'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3661, '1:01:01'],
    [86_399, '23:59:59'],
    [86_400, '1d 00:00:00'],
    [90_061, '1d 01:01:01'],
    [10 * 86_400 + 5, '10d 00:00:05'],
  ])('formatDuration(%p) → %p', (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });

  test('formatDuration shows ? for unknown, negative, NaN and infinite durations', () => {
    for (const v of [undefined, -1, -0.5, NaN, Infinity, -Infinity]) expect(formatDuration(v)).toBe('?');
  });

  test('formatDuration never wraps: an hour is not 00:00 and just under one is 59:59', () => {
    expect(formatDuration(3599.999)).toBe('59:59');
    expect(formatDuration(3600.001)).toBe('1:00:00');
  });

  test.each([
    [undefined, '? it/s'],
    [0, '0.00 it/s'],
    [1, '1.00 it/s'],
    [123.4, '123 it/s'],
    [1.23e6, '1.23M it/s'],
    [0.4, '2.50 s/it'],
    [0.5, '2.00 s/it'],
    [0.01, '100 s/it'],
    [Infinity, '? it/s'],
    [NaN, '? it/s'],
  ])('formatRate(%p, it) → %p', (rate, shown) => {
    expect(formatRate(rate, 'it', false)).toBe(shown);
  });

  test('formatRate uses the unit name, also for s/unit', () => {
    expect(formatRate(50, 'rows', false)).toBe('50.0 rows/s');
    expect(formatRate(0.25, 'files', false)).toBe('4.00 s/files');
  });

  test.each([
    [6.29e6, '6.29 MB'], // was cut to "6.2 MB"
    [1.09e9, '1.09 GB'], // was cut to "1 GB"
    [6_296_000, '6.30 MB'],
    [6_294_999, '6.29 MB'],
    [4.2e6, '4.20 MB'],
    [6e6, '6.00 MB'],
    [10e6, '10.0 MB'],
    [123.4e6, '123 MB'],
    [999_499, '999 kB'],
    [999_500, '1.00 MB'],
    [1536, '1.54 kB'],
    [1000, '1.00 kB'],
    [999, '999 B'],
    [0, '0 B'],
    [0.5, '0.50 B'],
    [12.25, '12.3 B'], // a rate: fractional bytes get three digits too
    [2.5e24, '2.50 YB'],
    [Infinity, '?'],
    [NaN, '?'],
  ])('bytes: three significant digits, rounded: formatBytes(%p) → %p', (n, shown) => {
    expect(formatBytes(n)).toBe(shown);
  });

  test('beyond the largest prefix the digits grow, and bytes taken back (a negative count) read like positive ones', () => {
    expect(formatSI(1e27)).toBe('1000Y');
    expect(formatSI(-1.5e30)).toBe('-1500000Y');
    expect(formatBytes(-6.29e6)).toBe('-6.29 MB');
    expect(formatBytes(-6e6)).toBe('-6.00 MB');
    expect(formatBytes(-1000)).toBe('-1.00 kB');
    expect(formatBytes(-999)).toBe('-999 B');
    expect(formatBytes(-0.5)).toBe('-0.50 B');
  });

  test('byte rates read like byte counts', () => {
    expect(formatRate(1.3e6, 'B', true)).toBe('1.30 MB/s');
    expect(formatRate(6.29e6, 'B', true)).toBe('6.29 MB/s');
    expect(formatRate(undefined, 'B', true)).toBe('? B/s');
    expect(formatRate(Infinity, 'B', true)).toBe('? B/s');
    expect(formatRate(NaN, 'B', true)).toBe('? B/s');
  });

  test('every SI prefix up to Y', () => {
    expect([1e3, 1e6, 1e9, 1.5e12, 1e15, 1e18, 2e21, 1e24].map((v) => formatSI(v))).toEqual(['1.00k', '1.00M', '1.00G', '1.50T', '1.00P', '1.00E', '2.00Z', '1.00Y']);
  });
});

describe('renderBar', () => {
  test('fills in eighths of a cell', () => {
    expect(renderBar(0, 4)).toBe('    ');
    expect(renderBar(1, 4)).toBe('████');
    expect(renderBar(0.5, 4)).toBe('██  ');
    expect(renderBar(1 / 32, 4)).toBe('▏   ');
    expect(renderBar(2 / 32, 4)).toBe('▎   ');
    expect(renderBar(7 / 32, 4)).toBe('▉   ');
    expect(renderBar(9 / 32, 4)).toBe('█▏  ');
    expect(renderBar(31 / 32, 4)).toBe('███▉');
  });

  test('clamps out-of-range fractions and is always exactly `width` cells', () => {
    expect(renderBar(-1, 5)).toBe('     ');
    expect(renderBar(NaN, 5)).toBe('     ');
    expect(renderBar(7, 5)).toBe('█████');
    fc.assert(
      fc.property(fc.double({ noNaN: false }), fc.integer({ min: 0, max: 300 }), (f, w) => {
        const bar = renderBar(f, w);
        expect([...bar].length).toBe(w);
        expect(stringWidth(bar)).toBe(w);
      }),
    );
  });

  test('the filled part never shrinks as the fraction grows', () => {
    const filled = (s: string): number => {
      const eighths = ' ▏▎▍▌▋▊▉█';
      return [...s].reduce((sum, ch) => sum + eighths.indexOf(ch), 0);
    };
    let last = -1;
    for (let i = 0; i <= 1000; i++) {
      const f = filled(renderBar(i / 1000, 13));
      expect(f).toBeGreaterThanOrEqual(last);
      last = f;
    }
    expect(last).toBe(13 * 8);
  });
});

describe('formatLine', () => {
  test('known total: desc, percent, bar, counts, elapsed<eta, rate', () => {
    const line = formatLine(makeSnapshot(), 55);
    expect(line).toBe('rows:  42%|████▏     | 420/1000 [00:03<00:05, 123 it/s]');
    expect(line.length).toBe(55);
  });

  test('the bar takes exactly the width left over', () => {
    for (const width of [60, 66, 80, 120, 200]) {
      const line = formatLine(makeSnapshot(), width);
      expect(stringWidth(line)).toBe(width);
      expect(line).toMatch(/^rows:  42%\|[█▏▎▍▌▋▊▉ ]+\| 420\/1000 \[00:03<00:05, 123 it\/s\]$/);
    }
  });

  test('unknown total: a count and a rate, no percentage or bar', () => {
    const line = formatLine(makeSnapshot({ total: undefined, eta: undefined }), 80);
    expect(line).toBe('rows: 420 it [00:03, 123 it/s]');
  });

  test('before any sample: ? for the ETA and the rate', () => {
    const line = formatLine(makeSnapshot({ n: 0, elapsed: 0, rate: undefined, eta: undefined }), 80);
    expect(line).toMatch(/^rows:   0%\|\s+\| 0\/1000 \[00:00<\?, \? it\/s\]$/);
  });

  test('bytes: counts and rate in SI byte units', () => {
    const s = makeSnapshot({ desc: 'download', n: 4.2e6, total: 10e6, unit: 'B', bytes: true, rate: 1.3e6 });
    expect(formatLine(s, 80)).toMatch(/^download:  42%\|█+[▏▎▍▌▋▊▉]? +\| 4\.20 MB\/10\.0 MB \[00:03<00:05, 1\.30 MB\/s\]$/);
    expect(formatLine({ ...s, total: undefined, eta: undefined }, 80)).toBe('download: 4.20 MB [00:03, 1.30 MB/s]');
  });

  test('postfix after the rate', () => {
    const line = formatLine(makeSnapshot({ postfix: 'loss=0.25, retries=1' }), 100);
    expect(line).toMatch(/\| 420\/1000 \[00:03<00:05, 123 it\/s, loss=0\.25, retries=1\]$/);
    expect(formatLine(makeSnapshot({ total: undefined, postfix: 'x=1' }), 80)).toBe('rows: 420 it [00:03, 123 it/s, x=1]');
  });

  test('below 1 it/s the rate turns over to s/it', () => {
    expect(formatLine(makeSnapshot({ total: undefined, rate: 0.4 }), 80)).toBe('rows: 420 it [00:03, 2.50 s/it]');
  });

  test.each([
    [1 / 999, '999 s/it'],
    [1 / 1000, '16.7 min/it'],
    [1 / 3600, '60.0 min/it'],
    [1 / 60_000, '16.7 h/it'],
    [1 / 86_400 / 3, '72.0 h/it'],
    [1 / 86_400 / 1000, '1.00k d/it'],
  ])('a rate slower than one item per 1000 s reads in minutes, hours or days per item: %p → %p', (rate, shown) => {
    expect(formatRate(rate, 'it', false)).toBe(shown);
    expect(formatLine(makeSnapshot({ total: undefined, rate }), 80)).toBe(`rows: 420 it [00:03, ${shown}]`);
  });

  test('a desc that ends in a colon gets no second one, coloured or not, at any width', () => {
    expect(formatLine(makeSnapshot({ desc: 'rows:' }), 60)).toMatch(/^rows: {2}42%\|[^|]+\| 420\/1000 \[/);
    expect(formatLine(makeSnapshot({ desc: 'rows:', total: undefined }), 80)).toBe('rows: 420 it [00:03, 123 it/s]');
    expect(formatLine(makeSnapshot({ desc: 'rows:' }), Infinity)).toMatch(/^rows: {2}42%\|/);
    const bold = '\u001B[1mrows:\u001B[22m';
    const coloured = formatLine(makeSnapshot({ desc: bold, total: undefined }), 80, true);
    expect(coloured).toContain(bold);
    // On a terminal an unknown total starts with the spinner's frame.
    expect(coloured.replace(/\u001B\[[0-9;]*m/g, '')).toMatch(/^\S rows: 420 it \[00:03, 123 it\/s\]$/);
    expect(formatLine(makeSnapshot({ desc: 'a: b' }), 80)).toMatch(/^a: b: {2}42%/); // only a colon at the end counts
    for (let width = 1; width <= 70; width++) {
      const line = formatLine(makeSnapshot({ desc: 'rows:' }), width);
      expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(line).not.toContain('::');
      expect(line).not.toContain(': :');
    }
    // The bar takes the column the colon left: as wide a line as with a plain desc.
    expect(displayWidth(formatLine(makeSnapshot({ desc: 'rows:' }), 60))).toBe(60);
  });

  test('a desc ending in a colon that must be cut still fits: the cut desc takes the template\'s colon back', () => {
    // Found by stall.test.ts's property test (seed -1862508131): "    :" at 15 columns drew 16.
    expect(displayWidth(formatLine(makeSnapshot({ desc: '    :', outcome: 'failed' }), 15))).toBeLessThanOrEqual(15);
    for (const desc of ['a:', 'rows:', '    :', 'a long label for the rows:', 'ünïcödé 行:']) {
      for (const outcome of ['running', 'failed'] as const) {
        for (const total of [1000, undefined]) {
          for (let width = 1; width <= 80; width++) {
            const line = formatLine(makeSnapshot({ desc, outcome, total }), width);
            expect({ desc, outcome, total, width, fits: displayWidth(line) <= width }).toEqual({ desc, outcome, total, width, fits: true });
          }
        }
      }
    }
  });

  test('unitDivisor 1024: binary sizes for bytes, binary prefixes for scaled counts and rates', () => {
    expect(formatBytes(1536, true)).toBe('1.50 KiB');
    expect(formatBytes(5e9, true)).toBe('4.66 GiB');
    expect(formatBytes(1000, true)).toBe('1000 B');
    expect(formatBytes(1023, true)).toBe('1023 B');
    expect(formatBytes(1024, true)).toBe('1.00 KiB');
    expect(formatRate(1_572_864, 'B', true, 1024)).toBe('1.50 MiB/s');
    expect(formatSI(1536, 1024)).toBe('1.50Ki');
    expect(formatSI(1023, 1024)).toBe('1023');
    expect(formatSI(1024 ** 3 * 2.5, 1024)).toBe('2.50Gi');
    expect(formatCount(4096, true, 1024)).toBe('4.00Ki');
    expect(formatCount(1000, true, 1024)).toBe('1000');
    expect(formatCount(4096, false, 1024)).toBe('4096');
    expect(formatRate(2048, 'it', false, 1024)).toBe('2.00Ki it/s');
    const bytes = makeSnapshot({ bytes: true, unit: 'B', n: 1_572_864, total: 4 * 1024 ** 2, rate: 524_288, unitDivisor: 1024 });
    expect(formatLine(bytes, 100)).toMatch(/ 1\.50 MiB\/4\.00 MiB \[00:03<00:05, 512 KiB\/s\]$/);
    expect(formatLine({ ...bytes, total: undefined }, 100)).toBe('rows: 1.50 MiB [00:03, 512 KiB/s]');
    const counts = makeSnapshot({ n: 204_800, total: 1024 ** 2, unitScale: true, rate: 4096, unitDivisor: 1024 });
    expect(formatLine(counts, 100)).toMatch(/ 200Ki\/1\.00Mi \[00:03<00:05, 4\.00Ki it\/s\]$/);
  });

  test("unitScale 'auto' switches to SI prefixes at 100,000", () => {
    const line = (n: number, total: number | undefined): string => {
      const state = new ProgressState({ initial: 0, total, desc: '', rateWindow: 10_000 }, 'it', false, 'auto');
      state.start(0);
      state.n = n;
      return formatLine(state.snapshot(1_000), 120);
    };
    expect(line(99_999, undefined)).toMatch(/^99999 it /);
    expect(line(100_000, undefined)).toMatch(/^100k it /);
    expect(line(1_234_567, undefined)).toMatch(/^1\.23M it /);
    expect(line(5, 99_999)).toMatch(/\| 5\/99999 /);
    expect(line(5_000, 200_000)).toMatch(/\| 5\.00k\/200k /);
  });

  test('a finished line reads 100% with a full bar', () => {
    const line = formatLine(makeSnapshot({ n: 1000, eta: 0, outcome: 'done' }), 60);
    expect(line).toMatch(/^rows: 100%\|█+\| 1000\/1000 \[00:03<00:00, 123 it\/s\]$/);
  });

  test('narrow widths drop the bar first, then the postfix, then the timing, then truncate', () => {
    const s = makeSnapshot({ postfix: 'loss=0.25' });
    const stage = (line: string): number => {
      if (line.includes('|')) return 0; // everything
      if (line.includes('loss=0.25')) return 1; // no bar
      if (line.includes('[')) return 2; // no postfix
      if (line.includes('420/1000')) return 3; // no timing
      return 4; // cut
    };
    const seen = new Set<number>();
    let last = 0;
    for (let width = 120; width >= 1; width--) {
      const line = formatLine(s, width);
      expect(stringWidth(line)).toBeLessThanOrEqual(width);
      const now = stage(line);
      expect(now).toBeGreaterThanOrEqual(last);
      seen.add(now);
      last = now;
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  test('a long desc is cut before the bar gets tiny', () => {
    const s = makeSnapshot({ desc: 'x'.repeat(200) });
    for (const width of [80, 100, 120, 200]) {
      const line = formatLine(s, width);
      expect(stringWidth(line)).toBe(width);
      const bar = /\|([^|]*)\|/.exec(line)?.[1];
      expect(bar).toBeDefined();
      expect(bar!.length).toBeGreaterThanOrEqual(10);
      expect(line).toMatch(/^x+…:  42%\|/);
    }
  });

  test('a wide desc is measured in columns: CJK and emoji', () => {
    for (const desc of ['数据处理', '🚀👍🏽 upload', 'ｆｕｌｌｗｉｄｔｈ']) {
      for (const width of [30, 50, 66, 80]) {
        const line = formatLine(makeSnapshot({ desc }), width);
        expect(stringWidth(line)).toBeLessThanOrEqual(width);
      }
      // With room for a bar, the bar fills the line to the exact width.
      expect(stringWidth(formatLine(makeSnapshot({ desc }), 80))).toBe(80);
    }
  });

  test('a cut desc never splits a grapheme', () => {
    const desc = '🚀👍🏽数据处理👨‍👩‍👧'.repeat(10);
    for (let width = 1; width <= 120; width++) {
      const line = formatLine(makeSnapshot({ desc }), width);
      expect(stringWidth(line)).toBeLessThanOrEqual(width);
      expect(line).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone high surrogate
      expect(line).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/); // no lone low surrogate
      expect(line).not.toMatch(/^\u{1F3FD}|\u200d…|\u200d:/u); // no orphan skin tone, no dangling joiner
    }
  });

  test('control characters in desc and postfix never reach the output', () => {
    const s = makeSnapshot({ desc: 'a\nb\rc\x1b[31md\te\x07\x7f\x9b', postfix: 'p\n\x1b[2Kq' });
    for (const width of [5, 20, 40, 80, 120]) {
      const line = formatLine(s, width);
      expect(line).not.toMatch(CONTROL);
      expect(stringWidth(line)).toBeLessThanOrEqual(width);
    }
    // Line breaks and tabs read as one space; other controls and escape sequences go whole.
    expect(formatLine(s, 120)).toMatch(/^a b cd e:  42%\|.*, p q\]$/);
  });

  test('width contract: never wider than the width, for any desc, state and width 1..200', () => {
    // Text built from pieces that are hard to measure, and random code points of the whole range.
    const pieces = ['a', 'Z', ' ', '数', '据', '处理', '🚀', '👍🏽', '👨‍👩‍👧', '🇯🇵', 'é', 'e\u0301', '\u200b', 'ｆ', '…', '\t', '\n', '\x1b', '\u0085'];
    const tricky = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(''));
    const desc = fc.oneof(
      tricky,
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', 'rows', '数据处理', '🚀👍🏽', '数据处理 🚀👍🏽 rows', 'x'.repeat(300), '\x1b[31mred\x1b[0m\n'),
    );
    const snapshot = fc.record({
      desc,
      n: fc.oneof(fc.nat(2_000_000), fc.double({ min: 0, max: 1e15, noNaN: true })),
      total: fc.option(fc.oneof(fc.nat(2_000_000), fc.double({ min: 0, max: 1e15, noNaN: true })), { nil: undefined }),
      bytes: fc.boolean(),
      unitScale: fc.boolean(),
      elapsed: fc.double({ min: 0, max: 1e9, noNaN: true }),
      rate: fc.option(fc.double({ min: 0, max: 1e12, noNaN: true }), { nil: undefined }),
      eta: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
      postfix: fc.oneof(fc.constant(''), tricky, fc.constant('loss=0.25, 数据=1')),
      outcome: fc.constantFrom('running', 'done', 'failed', 'aborted', 'stopped'),
    });
    fc.assert(
      fc.property(snapshot, fc.integer({ min: 1, max: 200 }), (over, width) => {
        const s = makeSnapshot({ ...over, unit: over.bytes ? 'B' : 'it' });
        const line = formatLine(s, width);
        expect(stringWidth(line)).toBeLessThanOrEqual(width);
        expect(line).not.toMatch(CONTROL);
        expect(line).not.toMatch(/NaN|Infinity|undefined/);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('postfix values', () => {
  test('objects and arrays read as Node shows them, on one line', () => {
    expect(formatPostfix({ lst: [1, 2], o: { a: 1 } })).toBe('lst=[ 1, 2 ], o={ a: 1 }');
    expect(formatPostfix({ m: new Map([['a', 1]]), s: new Set(['x']) })).toBe("m=Map(1) { 'a' => 1 }, s=Set(1) { 'x' }");
    const big = { rows: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'] })) };
    const shown = formatPostfix(big);
    expect(shown).not.toMatch(/\n/);
    expect(shown).toMatch(/^rows=\[ \{ id: 0, name: 'item-0', tags: \[ 'a', 'b' \] \}, /);
    expect(shown).toMatch(/\.\.\. 20 more items \]$/); // bounded: 20 elements at most
    expect(formatPostfix({ f: function step() {} })).toBe('f=[Function: step]');
    expect(formatPostfix({ s: Symbol('x'), b: 12n, n: null, u: undefined, t: true })).toBe('s=Symbol(x), b=12, n=null, u=undefined, t=true');
  });

  test.each([
    [0.25, '0.25'],
    [0.123456, '0.123'],
    [12.345, '12.3'],
    [123.456, '123'],
    [-0.5, '-0.5'],
    [0.0001234, '0.000123'],
    [999.7, '1.00e+03'], // rounds up to four digits: exponent form
    [1234.5, '1.23e+03'],
    [123_456_789.5, '1.23e+08'],
    [0.00001, '1.00e-05'],
    [-0.00001234, '-1.23e-05'],
    [1.5e-300, '1.50e-300'],
    [123_456_789, '123456789'], // integers are exact
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('a number %p shows as %p (3 significant digits, exponent form when very large or small)', (v, shown) => {
    expect(formatPostfix({ v })).toBe(`v=${shown}`);
  });

  test('strings as they are', () => {
    expect(formatPostfix({ phase: 'warm-up', empty: '' })).toBe('phase=warm-up, empty=');
    expect(formatPostfix('anything, as given')).toBe('anything, as given');
  });
});

/** A task bar stalled at 47/48: one call still running, nothing settled for 2 s. */
function stalledMap(over: Partial<Snapshot> = {}): Snapshot {
  return makeSnapshot({
    desc: 'convert',
    n: 47,
    total: 48,
    elapsed: 2.1,
    rate: 11.7,
    eta: 0.085,
    tasks: { running: 1, pending: 1, failed: 0, stalled: 2 },
    ...over,
  });
}

describe('narrow widths', () => {
  test('at 40 columns a stalled task bar still says what runs and that it is stalled', () => {
    // A 40-column terminal: lines of 39 columns.
    expect(formatLine(stalledMap(), 39)).toBe('convert: 47/48 [1 running, stalled 2s]');
    for (let width = 30; width <= 60; width++) {
      const line = formatLine(stalledMap(), width);
      expect(stringWidth(line)).toBeLessThanOrEqual(width);
      expect(line).toContain('47/48 [1 running, stalled 2s]');
    }
  });

  test('the order: bar, postfix, timings, percentage, then the desc is cut, then dropped; the status outlives them', () => {
    for (const s of [stalledMap({ postfix: 'loss=0.25' }), makeSnapshot({ desc: 'convert', postfix: 'loss=0.25' })]) {
      const hasStatus = s.tasks !== undefined;
      const stage = (line: string): number => {
        // The status goes last (then the desc may come back: there is room for it without the status).
        if (hasStatus && !line.includes('stalled')) return 7;
        if (line.includes('|')) return 0; // everything
        if (line.includes('loss=0.25')) return 1; // no bar
        if (line.includes('<')) return 2; // no postfix
        if (/\d%/.test(line)) return 3; // no timings
        if (line.startsWith('convert: ')) return 4; // no percentage
        if (line.includes('…:')) return 5; // the desc cut
        if (hasStatus) return 6; // no desc, the status kept
        return 7; // the counts alone
      };
      const seen = new Set<number>();
      let last = 0;
      for (let width = 120; width >= 1; width--) {
        const line = formatLine(s, width);
        expect(stringWidth(line)).toBeLessThanOrEqual(width);
        const now = stage(line);
        expect(now).toBeGreaterThanOrEqual(last);
        // The status goes only after the timings, the percentage and the desc.
        if (hasStatus && now < 7) expect(line).toContain('1 running, stalled 2s');
        seen.add(now);
        last = now;
      }
      expect([...seen].sort()).toEqual(hasStatus ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 3, 4, 5, 7]);
    }
  });

  test('the desc keeps its width from frame to frame as the counts grow', () => {
    for (const desc of ['convert', 'rows', 'download files']) {
      for (const width of [12, 15, 18, 20, 25, 30, 40]) {
        const shown = new Set<string>();
        for (let n = 0; n <= 1000; n++) {
          const line = formatLine(makeSnapshot({ desc, n }), width);
          expect(stringWidth(line)).toBeLessThanOrEqual(width);
          shown.add(line.includes(': ') ? line.slice(0, line.indexOf(': ')) : '');
        }
        expect({ desc, width, shown: [...shown] }).toEqual({ desc, width, shown: [[...shown][0]] });
      }
    }
  });
});

describe('narrow widths: each part comes back at the width it needs, not a column later', () => {
  /** The bar's cells in a line, or undefined when it has none. */
  const barCells = (line: string): number | undefined => /\|([^|]*)\|/.exec(line)?.[1]?.length;
  const widths = Array.from({ length: 160 }, (_, i) => i + 1);

  test('a line without a bar that fits exactly is shown whole at exactly its width', () => {
    const snapshots = [
      makeSnapshot({ total: 999, postfix: 'loss=0.25' }),
      makeSnapshot({ total: undefined, eta: undefined, postfix: 'loss=0.25' }),
      stalledMap(),
      stalledMap({ desc: '' }),
      stalledMap({ tasks: { running: undefined, pending: 3, failed: 2, stalled: 65 } }),
      makeSnapshot({ desc: 'x'.repeat(30), total: undefined, eta: undefined }),
    ];
    for (const s of snapshots) {
      for (const width of widths) {
        const line = formatLine(s, width);
        if (barCells(line) !== undefined) continue;
        expect(formatLine(s, displayWidth(line))).toBe(line);
      }
    }
  });

  test('the bar is drawn from 4 cells on, and a desc is cut before the bar gets below 10 cells', () => {
    const short = makeSnapshot({ desc: 'convert files', total: 999 }); // "420/999": the counts cannot grow wider
    const bars = widths.map((w) => barCells(formatLine(short, w))).filter((b) => b !== undefined);
    expect(Math.min(...bars)).toBe(4);
    const long = makeSnapshot({ desc: 'x'.repeat(30), total: 999 });
    const whole = widths.map((w) => formatLine(long, w)).filter((line) => line.startsWith(`${'x'.repeat(30)}:`));
    expect(Math.min(...whole.map((line) => barCells(line) ?? Infinity))).toBe(10);
    // Cut, it keeps a third of the width ("…" and ": " included) before the bar grows again.
    expect(formatLine(makeSnapshot({ desc: 'x'.repeat(200), total: 999 }), 66)).toBe(`${'x'.repeat(19)}…:  42%|██▌   | 420/999 [00:03<00:05, 123 it/s]`);
  });

  test('a cut desc keeps 4 columns at the least ("…" included) before it goes', () => {
    for (const s of [stalledMap({ desc: 'x'.repeat(40) }), makeSnapshot({ desc: 'x'.repeat(40), total: undefined, eta: undefined })]) {
      const cut = widths.map((w) => /^(x*…): /.exec(formatLine(s, w))?.[1]).filter((d) => d !== undefined);
      expect(Math.min(...cut.map((d) => d.length))).toBe(4);
    }
  });

  test('no room, no line: a width of 0, below 0 or NaN gives an empty line', () => {
    for (const width of [0, -5, NaN]) expect(formatLine(makeSnapshot(), width)).toBe('');
  });

  test('a task bar that has ended says what failed, not what runs or that it is stalled', () => {
    const tasks = { running: 3, pending: 3, failed: 2, stalled: 65 };
    expect(formatLine(stalledMap({ tasks, outcome: 'done', eta: undefined }), Infinity)).toMatch(/ 47\/48 \[00:02<\?, 11\.7 it\/s, 2 failed\]$/);
    expect(formatLine(stalledMap({ tasks, outcome: 'running' }), Infinity)).toMatch(/, 3 running, 2 failed, stalled 1m05s\]$/);
  });

  test('a total of 0 reads as a count (no percentage), and a failed or aborted bar is marked ✗', () => {
    expect(formatLine(makeSnapshot({ n: 0, total: 0, eta: undefined }), 80)).toBe('rows: 0 it [00:03, 123 it/s]');
    for (const outcome of ['failed', 'aborted'] as const) {
      expect(formatLine(makeSnapshot({ outcome, total: undefined, eta: undefined }), 80)).toBe('rows: ✗ 420 it [00:03, 123 it/s]');
    }
    expect(formatLine(makeSnapshot({ outcome: 'stopped', total: undefined, eta: undefined }), 80)).toBe('rows: 420 it [00:03, 123 it/s]');
  });
});

describe('the ETA', () => {
  test('is rounded up: 00:00 only once nothing is left', () => {
    const line = formatLine(stalledMap({ tasks: undefined, eta: 0.085 }), 80);
    expect(line).toMatch(/ 47\/48 \[00:02<00:01, 11\.7 it\/s\]$/);
    expect(formatLine(makeSnapshot({ n: 1000, eta: 0, outcome: 'done' }), 80)).toMatch(/<00:00, /);
    fc.assert(
      fc.property(fc.nat(999), fc.double({ min: 0, max: 1e6, noNaN: true }), (n, eta) => {
        expect(formatLine(makeSnapshot({ n, eta }), 80)).not.toMatch(/<00:00/);
      }),
    );
  });

  test('a task bar that says it is stalled makes no claim of time left', () => {
    expect(formatLine(stalledMap(), 80)).toMatch(/ 47\/48 \[00:02<\?, 11\.7 it\/s, 1 running, stalled 2s\]$/);
  });
});

describe('what reaches a plain stream', () => {
  const metrics = { epoch: 3, loss: 0.123456, acc: 0.9871, lr: 0.00001, note: 'x'.repeat(60) };

  test('plain lines are never cut: the postfix stays whole, and the bar keeps its size', () => {
    const stream = new MemoryStream();
    const clock = new FakeClock();
    const bar = progress.bar({ desc: 'train', total: 100, stream, clock: clock.read, postfix: metrics });
    clock.advance(1_000);
    bar.update(50);
    bar.close();
    const last = stream.lines.at(-1) as string;
    expect(last).toMatch(/^train:  50%\|█{5} {5}\| 50\/100 \[00:01<\?, 50\.0 it\/s, epoch=3, loss=0\.123, acc=0\.987, lr=1\.00e-05, note=x{60}\]$/);
    expect(stringWidth(last)).toBeGreaterThan(80);
    // A short line looks as before: an 80-column line, the bar taking the rest.
    const short = new MemoryStream();
    progress.bar({ desc: 'ok', total: 4, stream: short, clock: clock.read }).close();
    expect(stringWidth(short.lines.at(-1) as string)).toBe(80);
  });

  test('a given width still cuts plain lines; a terminal still gets lines that fit', () => {
    const clock = new FakeClock();
    const fixed = new MemoryStream();
    progress.bar({ desc: 'train', total: 100, stream: fixed, clock: clock.read, postfix: metrics, width: 60 }).close();
    expect(stringWidth(fixed.lines.at(-1) as string)).toBeLessThanOrEqual(60);
    const tty = new MemoryStream({ isTTY: true, columns: 70, rows: 10 });
    const bar = progress.bar({ desc: 'train', total: 100, stream: tty, clock: clock.read, postfix: metrics });
    bar.update(10);
    clock.advance(500);
    bar.set({ postfix: metrics });
    bar.close();
    for (const line of tty.text.split(/\r?\n|\r/)) {
      expect(stringWidth(line.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, ''))).toBeLessThanOrEqual(69);
    }
  });
});

describe("the library's own glyphs", () => {
  test('are measured without string-width, and agree with it', () => {
    for (const glyph of '█▏▎▍▌▋▊▉…✗✓·') {
      expect(displayWidth(glyph)).toBe(stringWidth(glyph));
      expect(displayWidth(`a${glyph}b`)).toBe(3);
    }
    const line = '✗ 3/10 |██▍  | …';
    expect(displayWidth(line)).toBe(stringWidth(line));
    expect(truncate('✗ 420/1000 ████', 8)).toBe('✗ 420/1…');
    // Combining marks and emoji after the glyphs still go the slow way, right.
    expect(displayWidth('█e\u0301')).toBe(2);
    expect(displayWidth('✗ 🚀')).toBe(4);
  });

  test("are measured, cut and padded without loading string-width, colours and spaces included (here, in this process)", async () => {
    // The same promise as the fresh-process test below, on the source: a fresh copy of width.ts whose lazy
    // loader records what it is asked for. Only text that needs it (here a CJK desc) may load string-width.
    const realStringWidth = stringWidth;
    const loads: string[] = [];
    jest.resetModules();
    jest.unstable_mockModule('../src/lazy.js', () => ({
      loadSync: (name: string) => {
        loads.push(name);
        return { default: realStringWidth };
      },
    }));
    const fresh = await import('../src/format/width.js');
    const red = '\u001B[31m';
    const reset = '\u001B[0m';
    const own = [`✗ 3/10 |██▍  | 1.00k/2.00k [00:03<?, 12.3 it/s]`, `${red}rows${reset}: · ─ ✓ …`, ' ', ''];
    for (const text of own) {
      expect(fresh.displayWidth(text)).toBe(stringWidth(text));
      for (const width of [0, 1, 5, 200]) fresh.truncate(text, width);
      fresh.padEnd(text, 60);
    }
    expect(fresh.truncate(own[0] as string, 12)).toBe('✗ 3/10 |██▍…');
    expect(loads).toEqual([]);
    expect(fresh.displayWidth('数据')).toBe(4);
    expect(loads).toEqual(['string-width']);
    jest.resetModules();
  });

  test("a fresh process rejects a gather without loading string-width (the ✗ line is the library's own text)", () => {
    ensureBuilt();
    // Counts the library's synchronous loads of string-width (its lazy loader goes through Module._load);
    // log-update, loaded for the fake terminal's frames, brings its own and is not counted.
    const program = `
      import Module from 'node:module';
      const load = Module._load;
      const loaded = [];
      Module._load = function (request, ...rest) { loaded.push(request); return load.call(this, request, ...rest); };
      const { gather } = await import(${JSON.stringify(`${repoRoot}/dist/index.js`)});
      const sink = { text: '', write(t) { this.text += t; return true; } };
      const tty = { ...sink, isTTY: true, columns: 80, rows: 24, write(t) { this.text += t; return true; } };
      const results = [];
      for (const stream of [sink, tty]) {
        const boom = new Error('boom');
        const hang = new Promise(() => {});
        await gather([hang, Promise.reject(boom), hang], { desc: 'jobs', stream }).catch((e) => results.push(e === boom));
        results.push(/✗ 1\\/3/.test(stream.text));
      }
      console.log(JSON.stringify({ results, stringWidth: loaded.filter((r) => r === 'string-width').length }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ results: [true, true, true, true], stringWidth: 0 });
  });
});

describe('narrow windows, in a real terminal', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  test('at 40 columns a stalled map shows what runs and that it is stalled', async () => {
    const r = await runInPty('stalled-map.js', { cols: 40, rows: 6 });
    const screen = await renderPtyScreen(r);
    try {
      expect(screen.rows[0]).toBe('convert: 47/48 [1 running, stalled 2s]');
      expect(screen.wrapped.some(Boolean)).toBe(false);
    } catch (error) {
      if (error instanceof Error) error.message += `\n\nThe screen:\n${describeRun(r, screen)}`;
      throw error;
    }
  });

  test('at 20 columns the desc does not come and go from frame to frame as the counts grow', async () => {
    const r = await runInPty('loop.js', { cols: 20, rows: 4, args: [JSON.stringify({ n: 1000, desc: 'convert' })], markWrites: true });
    const screens = await renderPtyScreens(r, writeEnds(r.bytes));
    const rows = screens.map((s) => s.rows[0] ?? '').filter((row) => /\d+\/1000/.test(row));
    expect(rows.length).toBeGreaterThan(50);
    const descs = new Set(rows.map((row) => (row.includes(': ') ? row.slice(0, row.indexOf(': ')) : '')));
    expect([...descs]).toEqual(['convert']);
    expect(rows.at(-1)).toBe('convert: 1000/1000');
  });
});

describe('the exported formatters (from the package entry)', () => {
  const [si, bytes, rate, duration] = [publicSI, publicBytes, publicRate, publicDuration];

  test('formatSI, formatBytes, formatRate, formatDuration: what the bars show', () => {
    expect(si(1234)).toBe('1.23k');
    expect(si(12_345_678)).toBe('12.3M');
    expect(si(0.25)).toBe('0.25');
    expect(si(NaN)).toBe('?');
    expect(si(1536, { divisor: 1024 })).toBe('1.50Ki');
    expect(bytes(6_290_000)).toBe('6.29 MB');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536, { binary: true })).toBe('1.50 KiB');
    expect(rate(1_234_000)).toBe('1.23M it/s');
    expect(rate(0.4, { unit: 'file' })).toBe('2.50 s/file');
    expect(rate(0.001)).toBe('16.7 min/it');
    expect(rate(undefined)).toBe('? it/s');
    expect(rate(1_300_000, { unit: 'B', unitDivisor: 1024 })).toBe('1.24 MiB/s');
    expect(duration(65)).toBe('01:05');
    expect(duration(3723)).toBe('1:02:03');
    expect(duration(-1)).toBe('?');
  });

  test('bad arguments are a TypeError or RangeError naming them', () => {
    expect(() => si('1' as never)).toThrow('Expected `value` to be a number, got `"1"` (string)');
    expect(() => si(1, { divisor: 1000.5 as never })).toThrow('Expected `divisor` to be 1000 or 1024, got `1000.5` (number)');
    expect(() => si(1, { base: 2 } as never)).toThrow('Unknown option `base`');
    expect(() => bytes(1, { binary: 'yes' as never })).toThrow(TypeError);
    expect(() => rate(1, { unit: 3 as never })).toThrow('Expected `unit` to be a string, got `3` (number)');
    expect(() => duration(undefined as never)).toThrow('Expected `seconds` to be a number');
    expect(() => formatProgress({} as never)).toThrow('Expected `n` to be a finite number, got `undefined` (undefined)');
    expect(() => formatProgress(null as never)).toThrow('Expected `state` to be an object, got `null` (null)');
    expect(() => formatProgress({ n: 1, total: -1 })).toThrow(RangeError);
    expect(() => formatProgress({ n: 1, speed: 3 } as never)).toThrow('Unknown option `speed`');
    expect(() => formatProgress({ n: 1 }, 0)).toThrow('Expected `width` to be a positive integer up to 1000, or Infinity, got `0` (number)');
  });

  test('formatProgress: the line a bar would draw for the same numbers, on a terminal and in a log', () => {
    const state = { desc: 'rows', n: 420, total: 1000, elapsed: 3.4, rate: 123.4 };
    const mine = formatProgress(state, 70);
    expect(mine).toBe(formatLine(makeSnapshot({ eta: (1000 - 420) / 123.4 }), 70));
    expect(mine).toMatch(/^rows: {2}42%\|[^|]+\| 420\/1000 \[00:03<00:05, 123 it\/s\]$/);
    expect(displayWidth(mine)).toBe(70);
    // The default is a log line: not cut, the bar as an 80-column line leaves it.
    expect(formatProgress(state)).toBe(formatLine(makeSnapshot({ eta: (1000 - 420) / 123.4 }), Infinity));
    expect(formatProgress({ n: 42, elapsed: 65, rate: 0.5, unit: 'file' })).toBe('42 file [01:05, 2.00 s/file]');
    expect(formatProgress({ n: 3 * 1024 ** 2, total: 4 * 1024 ** 2, unit: 'B', unitDivisor: 1024, rate: 1024 ** 2, desc: 'dl:' }, 80)).toMatch(
      /^dl: {2}75%\|[^|]+\| 3\.00 MiB\/4\.00 MiB \[00:00<00:01, 1\.00 MiB\/s\]$/,
    );
    expect(formatProgress({ n: 997, total: 1000, failed: true, postfix: { retries: 2 }, eta: 7 }, 80)).toMatch(
      /\| ✗ 997\/1000 \[00:00<00:07, \? it\/s, retries=2\]$/,
    );
    expect(formatProgress({ n: 1000, total: 1000 }, 80)).toMatch(/ 1000\/1000 \[00:00<00:00, \? it\/s\]$/);
    expect(formatProgress({ n: 5, desc: '\u001B[1mbold\u001B[22m' }, 80)).toBe('bold: 5 it [00:00, ? it/s]');
    for (let width = 1; width <= 80; width++) {
      expect(displayWidth(formatProgress({ ...state, postfix: 'loss=0.25' }, width))).toBeLessThanOrEqual(width);
    }
  });
});
