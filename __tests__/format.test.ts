/**
 * Pure formatting: units, the bar body, and `formatLine(snapshot, width)` with its width contract.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { ProgressState } from '../src/core/state.js';
import { formatLine, renderBar } from '../src/format/line.js';
import { formatBytes, formatCount, formatDuration, formatRate, formatSI } from '../src/format/units.js';
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

  test('byte rates read like byte counts', () => {
    expect(formatRate(1.3e6, 'B', true)).toBe('1.30 MB/s');
    expect(formatRate(6.29e6, 'B', true)).toBe('6.29 MB/s');
    expect(formatRate(undefined, 'B', true)).toBe('? B/s');
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
    expect(line).toBe('rows:  42%|████▏     | 420/1000 [00:03<00:04, 123 it/s]');
    expect(line.length).toBe(55);
  });

  test('the bar takes exactly the width left over', () => {
    for (const width of [60, 66, 80, 120, 200]) {
      const line = formatLine(makeSnapshot(), width);
      expect(stringWidth(line)).toBe(width);
      expect(line).toMatch(/^rows:  42%\|[█▏▎▍▌▋▊▉ ]+\| 420\/1000 \[00:03<00:04, 123 it\/s\]$/);
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

  test('bytes: pretty-bytes counts and rate', () => {
    const s = makeSnapshot({ desc: 'download', n: 4.2e6, total: 10e6, unit: 'B', bytes: true, rate: 1.3e6 });
    expect(formatLine(s, 80)).toMatch(/^download:  42%\|█+[▏▎▍▌▋▊▉]? +\| 4\.2 MB\/10 MB \[00:03<00:04, 1\.3 MB\/s\]$/);
    expect(formatLine({ ...s, total: undefined, eta: undefined }, 80)).toBe('download: 4.2 MB [00:03, 1.3 MB/s]');
  });

  test('postfix after the rate', () => {
    const line = formatLine(makeSnapshot({ postfix: 'loss=0.25, retries=1' }), 100);
    expect(line).toMatch(/\| 420\/1000 \[00:03<00:04, 123 it\/s, loss=0\.25, retries=1\]$/);
    expect(formatLine(makeSnapshot({ total: undefined, postfix: 'x=1' }), 80)).toBe('rows: 420 it [00:03, 123 it/s, x=1]');
  });

  test('below 1 it/s the rate turns over to s/it', () => {
    expect(formatLine(makeSnapshot({ total: undefined, rate: 0.4 }), 80)).toBe('rows: 420 it [00:03, 2.50 s/it]');
  });

  test("unitScale 'auto' switches to SI prefixes at 100,000", () => {
    const line = (n: number, total: number | undefined): string => {
      const state = new ProgressState({ initial: 0, total, desc: '', rateWindow: 10 }, 'it', false, 'auto');
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
    expect(formatLine(s, 120)).toMatch(/^a b c \[31md e   : /);
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
