/**
 * The one sanitiser (src/format/sanitize.ts) for text from the user or from data: desc, unit, postfix keys
 * and values, labels in the pending report, the CLI's flags. Colour codes stay on a terminal (and take no
 * columns), go in plain output; every other escape sequence and control goes whole. Checked on the
 * function itself, on formatted lines, and in a real terminal (a pty replayed into @xterm/headless, cell
 * by cell, colours included) and a plain pipe.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import xterm from '@xterm/headless';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { formatLine, spinnerFrame } from '../src/format/line.js';
import { sanitize } from '../src/format/sanitize.js';
import { displayWidth, padEnd, truncate } from '../src/format/width.js';
import { progress } from '../src/index.js';
import { formatPendingReport, nameOf, safeLabel } from '../src/promises/pending.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { describeRun, ensureBuilt, renderPtyScreen, runInPty } from '../test-support/pty.js';
import { makeSnapshot } from '../test-support/snapshot.js';

const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

const ESC = '\u001B';
const BEL = '\u0007';
const ST = `${ESC}\\`;
const RED = `${ESC}[31m`;
const RESET = `${ESC}[0m`;
const CLIPBOARD = `${ESC}]52;c;aGVsbG8=${BEL}`; // OSC 52: writes "hello" to the clipboard
const TITLE = `${ESC}]0;pwned${ST}`; // OSC 0: sets the window title

/** What may be left of a sanitised text: no controls, and an ESC only where an SGR code starts. */
function expectSafe(text: string, colors: boolean): void {
  // eslint-disable-next-line no-control-regex
  const rest = colors ? text.replace(/\u001B\[[0-9;:]*m/g, '') : text;
  // eslint-disable-next-line no-control-regex
  expect(rest).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
}

describe('sanitize', () => {
  test('text without controls comes back as it is', () => {
    for (const text of ['', 'rows', '数据处理 🚀', 'a [1m b', '…✗█']) {
      expect(sanitize(text, true)).toBe(text);
      expect(sanitize(text, false)).toBe(text);
    }
  });

  test('SGR colour codes stay on a terminal and go in plain output', () => {
    const text = `a${RED}b${RESET}c${ESC}[38;5;196md${ESC}[38:2::255:0:0me${ESC}[m`;
    expect(sanitize(text, true)).toBe(text);
    expect(sanitize(text, false)).toBe('abcde');
    // Before, ESC became a space and "[1m" stayed on screen.
    expect(sanitize(`${ESC}[1mbold`, false)).toBe('bold');
    expect(sanitize(`${ESC}[1mbold`, true)).toBe(`${ESC}[1mbold${RESET}`);
  });

  test('a colour left open is closed at the end of the text', () => {
    expect(sanitize(`${RED}red`, true)).toBe(`${RED}red${RESET}`);
    expect(sanitize(`${RED}red${ESC}[39m`, true)).toBe(`${RED}red${ESC}[39m${RESET}`); // closes the colour, not bold & co.
    expect(sanitize(`${RED}red${ESC}[0;0m`, true)).toBe(`${RED}red${ESC}[0;0m`);
    expect(sanitize(`${RED}red`, false)).toBe('red');
  });

  test.each([
    ['CSI: erase screen, cursor moves, cursor hiding', `a${ESC}[2Jb${ESC}[1Ac${ESC}[10;20Hd${ESC}[?25le${ESC}[2K`, 'abcde'],
    ['a private CSI ending in m is not SGR (xterm modifyOtherKeys)', `a${ESC}[>4;2mb`, 'ab'],
    ['OSC 52 (clipboard), ended by BEL', `a${CLIPBOARD}b`, 'ab'],
    ['OSC 0 (title), ended by ST', `a${TITLE}b`, 'ab'],
    ['OSC 8 hyperlink: the link goes, its text stays', `${ESC}]8;;https://x.test${ST}link${ESC}]8;;${ST}`, 'link'],
    ['an OSC never ended: removed up to the end', `a${ESC}]0;title`, 'a'],
    ['DCS, SOS, PM, APC strings', `a${ESC}Pq#0;2;0;0;0${ST}b${ESC}Xsos${ST}c${ESC}^pm${ST}d${ESC}_apc${ST}e`, 'abcde'],
    ['two-byte escapes: reset, save/restore cursor, keypad, reverse index', `a${ESC}cb${ESC}7c${ESC}8d${ESC}=e${ESC}M`, 'abcde'],
    ['three-byte escapes: line drawing charset', `${ESC}(0qqq${ESC}(B`, 'qqq'],
    ['a lone ESC', `a${ESC}`, 'a'],
    ['an ESC before a non-ASCII character', `a${ESC}é`, 'aé'],
    ['an ESC before a control', `a${ESC}\u0007b`, 'ab'],
    ['8-bit CSI (SGR included), OSC, DCS, NEL', 'a\u009b31mb\u009d0;title\u0007c\u009d0;t\u009cd\u0090dcs\u009ce\u0085f', 'abcdef'],
    ['BEL, NUL, backspace, DEL', 'a\u0007b\u0000c\u0008d\u007fe', 'abcde'],
    ['a line break reads as one space', 'a\nb', 'a b'],
    ['CR LF, CR and runs of them too', 'a\r\nb\rc\n\n\nd', 'a b c d'],
    ['a tab, vertical tab, form feed', 'a\tb\u000bc\u000cd', 'a b c d'],
  ])('%s', (_, text, plain) => {
    expect(sanitize(text, false)).toBe(plain);
    expect(sanitize(text, true)).toBe(plain);
  });

  test('whatever the text, only SGR codes are left (on a terminal), nothing (in plain), and twice is once', () => {
    const pieces = ['a', '数', '🚀', ' ', ESC, '[', ']', '0', '1', ';', 'm', 'P', '\\', BEL, '\n', '\r', '\t', '\u009b', '\u009c', '\u009d', '\u0085', RED, RESET, CLIPBOARD, TITLE];
    const text = fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((xs) => xs.join('')), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(text, fc.boolean(), (t, colors) => {
        const once = sanitize(t, colors);
        expectSafe(once, colors);
        expect(sanitize(once, colors)).toBe(once);
        expect(sanitize(t, false)).toBe(sanitize(once, false));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('sanitize, against the rules written out', () => {
  // The module comment's rules as one regular expression, tried left to right at each position: SGR; other
  // CSI (params, intermediates, a final byte if there is one); OSC, DCS, SOS, PM, APC strings up to BEL or ST
  // or the end; nF escapes; two-byte escapes; a lone ESC; the 8-bit forms; runs of line and tab controls;
  // any other control.
  const RULES =
    // eslint-disable-next-line no-control-regex
    /(\u001B\[[0-9;:]*m)|\u001B\[[0-?]*[ -/]*[@-~]?|\u001B[\]PX^_][\s\S]*?(?:\u0007|\u009C|\u001B\\|$)|\u001B[ -/]+[0-~]?|\u001B[0-~]|\u001B|\u009B[0-?]*[ -/]*[@-~]?|[\u009D\u0090\u0098\u009E\u009F][\s\S]*?(?:\u0007|\u009C|\u001B\\|$)|([\t-\r]+)|[\u0000-\u001F\u007F-\u009F]/g;

  function byTheRules(text: string, colors: boolean): string {
    let open = false;
    const out = text.replace(RULES, (_, sgr: string | undefined, space: string | undefined) => {
      if (space !== undefined) return ' ';
      if (sgr === undefined || !colors) return '';
      open = !/^\u001B\[[0;]*m$/.test(sgr);
      return sgr;
    });
    return open ? out + RESET : out;
  }

  test('any mix of escape sequences, controls and text comes out as the rules say', () => {
    const pieces = [
      'a', '数', '🚀', ' ', '~', ESC, '[', ']', 'P', 'X', '^', '_', '(', ')', '#', '0', '1', '9', ';', ':', '?', '>', '@', 'm', 'H', '\\',
      BEL, '\n', '\r', '\t', '\u000b', '\u000c', '\u0000', '\u0008', '\u001f', '\u007f', '\u0085',
      '\u0090', '\u0098', '\u009b', '\u009c', '\u009d', '\u009e', '\u009f', '\u00a0', RED, RESET, `${ESC}[m`, `${ESC}[0;0m`, `${ESC}[;1m`, ST,
      // Starts of sequences, so that what follows them is drawn at random too: CSI with an intermediate,
      // nF escapes (`ESC (`, `ESC SP`, `ESC /`, `ESC #`), a two-byte escape at the edge of its range.
      `${ESC}[`, `${ESC}[1 `, `${ESC}(`, `${ESC} `, `${ESC}/`, `${ESC}#`, `${ESC}0`, `${ESC}~`, '/', 'q', 'é',
    ];
    const text = fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((xs) => xs.join('')), fc.string({ unit: 'binary', maxLength: 30 }));
    fc.assert(
      // A boolean, not expect(): thousands of runs stay cheap (fast-check reports the counterexample).
      fc.property(text, fc.boolean(), (t, colors) => sanitize(t, colors) === byTheRules(t, colors)),
      { numRuns: 1_000 },
    );
  });
});

describe('colour codes in widths and cuts', () => {
  test('take no columns', () => {
    expect(displayWidth(`${RED}red${RESET}`)).toBe(3);
    expect(displayWidth(`${RED}数据${RESET}`)).toBe(4);
  });

  test('are never cut in the middle, and a cut coloured text ends with a reset', () => {
    expect(truncate(`${RED}redred${RESET}`, 4)).toBe(`${RED}red…${RESET}`);
    expect(truncate(`ab${RED}cd${RESET}ef`, 5)).toBe(`ab${RED}cd${RESET}…`);
    expect(truncate(`${RED}数据处理${RESET}`, 5)).toBe(`${RED}数据…${RESET}`);
    const text = fc.array(fc.constantFrom('a', '数', '🚀', '█', RED, RESET, `${ESC}[1m`, `${ESC}[38;5;196m`), { maxLength: 20 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 30 }), (t, width) => {
        const cut = truncate(t, width);
        expect(stringWidth(cut)).toBeLessThanOrEqual(width);
        expectSafe(cut, true); // every ESC left starts a whole SGR code
        const last = cut.lastIndexOf(ESC);
        const colourLeftOn = last >= 0 && !/^\u001B\[0?m/.test(cut.slice(last));
        if (cut !== t) expect(colourLeftOn).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('cuts and widths, against the rules written out', () => {
  const SGR = /^\u001B\[[0-9;:]*m/;
  const segmenter = new Intl.Segmenter();

  /** Sanitised text as what a terminal sees: SGR codes (no columns) and graphemes (their width). */
  function tokens(text: string): { text: string; sgr: boolean }[] {
    const out: { text: string; sgr: boolean }[] = [];
    for (const part of text.split(/(\u001B\[[0-9;:]*m)/)) {
      if (SGR.test(part)) out.push({ text: part, sgr: true });
      else for (const { segment } of segmenter.segment(part)) out.push({ text: segment, sgr: false });
    }
    return out;
  }

  /**
   * `truncate`'s promise: the text itself if it fits; else as many whole graphemes as fit in `width − 1`
   * columns (the colour codes met on the way kept whole), then "…", then a reset if a colour was left on.
   */
  function cutByTheRules(text: string, width: number): string {
    if (width <= 0) return '';
    if (stringWidth(text) <= width) return text;
    let out = '';
    let used = 0;
    let open = false;
    for (const t of tokens(text)) {
      if (t.sgr) {
        out += t.text;
        open = !/^\u001B\[[0;]*m$/.test(t.text);
        continue;
      }
      const w = stringWidth(t.text);
      if (used + w > width - 1) break;
      out += t.text;
      used += w;
    }
    return `${out}…${open ? RESET : ''}`;
  }

  const piece = fc.constantFrom('a', 'Z', ' ', '~', '数', '🚀', '👍🏽', 'e\u0301', '\u0301', '█', '…', '✗', RED, RESET, `${ESC}[1m`, `${ESC}[m`, `${ESC}[38;5;196m`, `${ESC}[2J`, `${ESC}]0;t${BEL}`, ESC, '\n', '\u007f');
  const text = fc.oneof(
    fc.array(piece, { maxLength: 16 }).map((xs) => sanitize(xs.join(''), true)),
    // Digits, ";" and "m" next to the codes: text that looks like the inside of an SGR code is not one.
    fc.array(fc.constantFrom('a', 'b', ' ', '█', '1', ';', 'm', '[', RED, RESET), { maxLength: 16 }).map((xs) => xs.join('')),
  );

  test('what is cut, where, and what closes it: as the rules say, for any width', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: -1, max: 20 }), (t, width) => truncate(t, width) === cutByTheRules(t, width)),
      { numRuns: 1_000 },
    );
  });

  test('widths agree with string-width, and padding fills to the width exactly', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 40 }), (t, width) => {
        const w = stringWidth(t);
        const padded = padEnd(t, width);
        return displayWidth(t) === w && (w >= width ? padded === t : padded === t + ' '.repeat(width - w));
      }),
      { numRuns: 1_000 },
    );
  });

  test('text that was not sanitised is still measured as a terminal would (controls take no columns)', () => {
    for (const t of ['a\u007fb', 'a\u0000b', `a${ESC}[2Jb`, `a${ESC}b`, `a${ESC}[31`, 'a\u009bb', 'a\u00a0b']) {
      expect(displayWidth(t)).toBe(stringWidth(t));
    }
  });
});

describe('in formatted lines', () => {
  const hostile = makeSnapshot({
    desc: `${RED}rows${RESET} ${ESC}[1mbold`,
    unit: `files${CLIPBOARD}${TITLE}`,
    total: undefined,
    eta: undefined,
    postfix: `k${ESC}[2J=v${ESC}[1A`,
  });

  test('desc, unit and postfix keep their colours on a terminal, and nothing else', () => {
    const line = formatLine(hostile, 80, true);
    // On a terminal a running bar with no total leads with its spinner.
    const spin = `${spinnerFrame(hostile.elapsed)} `;
    expect(line).toBe(`${spin}${RED}rows${RESET} ${ESC}[1mbold${RESET}: 420 files [00:03, 123 files/s, k=v]`);
    expect(stringWidth(line)).toBe(`${spin}rows bold: 420 files [00:03, 123 files/s, k=v]`.length);
  });

  test('plain lines carry no escape codes at all', () => {
    expect(formatLine(hostile, 80, false)).toBe('rows bold: 420 files [00:03, 123 files/s, k=v]');
  });

  test('a coloured desc still lets the bar fill the width exactly, and a cut one is closed', () => {
    const s = makeSnapshot({ desc: `${RED}rows${RESET}` });
    for (const width of [60, 80, 120]) expect(stringWidth(formatLine(s, width, true))).toBe(width);
    const long = formatLine(makeSnapshot({ desc: `${RED}${'x'.repeat(200)}` }), 80, true);
    expect(long).toMatch(/^\u001B\[31mx+…\u001B\[0m:  42%\|/);
    expect(stringWidth(long)).toBe(80);
  });

  test('width contract with colours: never wider than the width, only whole SGR codes, for any width', () => {
    const piece = fc.constantFrom('a', 'Z', ' ', '数据', '🚀', '👍🏽', 'e\u0301', '\n', RED, RESET, `${ESC}[1m`, `${ESC}[38;5;196m`, CLIPBOARD, TITLE, `${ESC}[2J`, '\u009b31m');
    const text = fc.array(piece, { maxLength: 25 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, text, text, fc.option(fc.nat(2_000), { nil: undefined }), fc.integer({ min: 1, max: 160 }), (desc, unit, postfix, total, width) => {
        const s = makeSnapshot({ desc, unit: unit || 'it', postfix, total, eta: total === undefined ? undefined : 4.7 });
        const line = formatLine(s, width, true);
        expect(stringWidth(line)).toBeLessThanOrEqual(width);
        expectSafe(line, true);
        expectSafe(formatLine(s, width, false), false);
      }),
      { numRuns: 1_000 },
    );
  });

  test('labels in the pending report and in error messages', () => {
    const label = safeLabel(() => `${ESC}[32mok${RESET}${TITLE} a\nb`, null, 0);
    const entries = [{ index: 0, since: 0, label }];
    expect(formatPendingReport(entries, 1, 1_000, 80, true)).toEqual(['  1 still pending:', `    #0  1s  ${ESC}[32mok${RESET} a b`]);
    expect(formatPendingReport(entries, 1, 1_000, 80, false)).toEqual(['  1 still pending:', '    #0  1s  ok a b']);
    expect(nameOf(3, label)).toBe('#3 (ok a b)');
  });

  test('through a bar: kept on a terminal stream, removed from a plain one', () => {
    for (const isTTY of [true, false]) {
      const stream = new MemoryStream({ isTTY, columns: 100, rows: 10 });
      const clock = new FakeClock();
      const bar = progress.bar({ desc: `${RED}rows${RESET}`, unit: `it${CLIPBOARD}`, stream, clock: clock.read, postfix: { [`k${TITLE}`]: `v${ESC}[2J` } });
      clock.advance(1_000);
      bar.update(3);
      bar.close();
      expect(stream.text).not.toContain(']52;');
      expect(stream.text).not.toContain(']0;');
      expect(stream.text).not.toContain(`${ESC}[2J`);
      if (isTTY) expect(stream.text).toContain(`${RED}rows${RESET}: 3 it [00:01, 3.00 it/s, k=v]`);
      else expect(stream.text).toBe('rows: 3 it [00:01, 3.00 it/s, k=v]\n');
    }
  });
});

describe('in a real terminal and a plain pipe', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  const args = [
    JSON.stringify({
      unit: `rows${CLIPBOARD}${TITLE}`,
      postfix: { [`k${ESC}[2J`]: `v${ESC}[1A${ESC}[>4;2m`, lst: [1, 2] },
      labels: [`${ESC}[32mok${RESET}${ESC}]0;t${BEL} a\nb`, 'x\u009b31my'],
    }),
  ];

  /** Replays the run's bytes into a terminal emulator: rows, each cell's foreground colour, the title. */
  async function replay(bytes: string, cols: number, rows: number): Promise<{ rows: string[]; fg: (y: number, x: number) => number; title: string }> {
    const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    let title = '';
    term.onTitleChange((t) => (title = t));
    await new Promise<void>((resolve) => term.write(bytes, resolve));
    const buffer = term.buffer.active;
    const lines = Array.from({ length: rows }, (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    const fg = (y: number, x: number): number => {
      const cell = buffer.getLine(buffer.viewportY + y)?.getCell(x);
      return cell === undefined || cell.isFgDefault() ? -1 : cell.getFgColor();
    };
    return { rows: lines, fg, title };
  }

  test('a terminal shows the colours of a chalk desc and a label, and no escape sequence gets through', async () => {
    const r = await runInPty('hostile-text.js', { cols: 100, rows: 12, args });
    const screen = await renderPtyScreen(r);
    const seen = await replay(r.bytes, 100, 12);
    try {
      expect(r.bytes).not.toContain(']52;');
      expect(r.bytes).not.toContain(']0;');
      expect(r.bytes).not.toContain('\u009b');
      expect(seen.title).toBe('');
      const rowsRow = seen.rows.findIndex((row) => row.startsWith('rows bold: 100%|'));
      expect(rowsRow).toBeGreaterThanOrEqual(0);
      expect(seen.rows[rowsRow]).toMatch(/^rows bold: 100%\|█+\| 20\/20 \[00:00<00:00, 100 rows\/s, k=v, lst=\[ 1, 2 \]\]$/);
      expect([0, 1, 2, 3].map((x) => seen.fg(rowsRow, x))).toEqual([1, 1, 1, 1]); // "rows" in red
      expect(seen.fg(rowsRow, 5)).toBe(-1); // "bold" has the default colour (it is bold)
      expect(seen.fg(rowsRow, 10)).toBe(-1); // the colour stops with the desc
      const labelRow = seen.rows.findIndex((row) => /#0 +<1s {2}ok a b$/.test(row));
      expect(labelRow).toBeGreaterThanOrEqual(0);
      const at = (seen.rows[labelRow] as string).indexOf('ok');
      expect([seen.fg(labelRow, at), seen.fg(labelRow, at + 1), seen.fg(labelRow, at + 3)]).toEqual([2, 2, -1]);
      expect(seen.rows.some((row) => /#2 +<1s {2}xy$/.test(row))).toBe(true);
      expect(screen.text).not.toMatch(/\[1m|\[2J|\[1A|\[>4|52;|pwned/);
      expect(screen.text.split('\n').at(-1)).toBe('done');
    } catch (error) {
      if (error instanceof Error) error.message += `\n\nThe screen:\n${describeRun(r, screen)}`;
      throw error;
    }
  });

  test('a pipe gets the same text without a single escape code', async () => {
    const r = await runInPty('hostile-text.js', { tty: false, args });
    expect(r.bytes).not.toContain(ESC);
    expect(r.bytes).not.toMatch(/[\u0080-\u009f]/);
    const lines = r.bytes.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^rows bold: 100%\|█+\| 20\/20 \[00:00<00:00, 100 rows\/s, k=v, lst=\[ 1, 2 \]\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}#0 +<1s {2}ok a b$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}#2 +<1s {2}xy$/));
  });
});
