#!/usr/bin/env node
/**
 * The README picture, made from the library's real output: runs test-support/fixtures/screenshot.js (a
 * finished bar, concurrent bars, a loop over files with a nested bar, a CJK file name; simulated time, so
 * the numbers are the same on every run) in a pseudo-terminal, stops it mid-run, replays every byte it
 * printed into a terminal emulator (@xterm/headless), and draws the emulator's screen as an SVG terminal
 * window: cell by cell, so a wide (CJK) character takes two cells, with the block characters of the bars
 * drawn as rectangles so that bars look solid whatever font the viewer has.
 *
 * usage: node scripts/screenshot.js [--out docs/screenshot.svg] [--png file.png] [--cols 80]
 *   (`npm run docs:screenshot` builds dist/ first.) --png also writes a PNG with rsvg-convert
 *   (Debian: librsvg2-bin), for a look at the result; only the SVG goes in the repository.
 * Needs `script` from util-linux (Debian: bsdutils) and Linux.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import xterm from '@xterm/headless';

const { Terminal } = xterm;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'test-support', 'fixtures', 'screenshot.js');

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'docs', 'screenshot.svg') },
    png: { type: 'string' },
    cols: { type: 'string', default: '80' },
  },
});
const cols = Number(args.cols);
const rows = 12;
const PROMPT = `\u001B[32m$\u001B[0m node ${relative(root, fixture)}\r\n`;

function fail(message) {
  console.error(`screenshot: ${message}`);
  process.exit(1);
}

/** Runs the fixture in a pty of `cols` × `rows` (one row is the prompt's) and returns what it printed. */
function runInTerminal() {
  const env = { ...process.env, TERM: 'xterm-256color', SHELL: '/bin/sh' };
  for (const key of ['NODE_OPTIONS', 'COLUMNS', 'LINES', 'TAQADDUM_DISABLE', 'NO_COLOR', 'FORCE_COLOR', 'CI']) delete env[key];
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const inner = `stty cols ${cols} rows ${rows - 1} && exec ${quote(process.execPath)} ${quote(fixture)}`;
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn('script', ['-qfec', inner, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', rejectRun);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      // The fixture stops itself with SIGKILL (137) to leave its last frame on screen.
      if (code !== 128 + 9) rejectRun(new Error(`the fixture ended with status ${code}, not by stopping itself`));
      else resolveRun(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The emulator's visible rows as cells: { ch, width, fg, bold }; trailing empty rows dropped. */
async function emulate(data) {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  await new Promise((r) => term.write(data, r));
  const buffer = term.buffer.active;
  const lines = [];
  let cell;
  for (let y = 0; y < rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    const out = [];
    for (let x = 0; x < cols; x++) {
      cell = line?.getCell(x, cell);
      if (!cell) break;
      const width = cell.getWidth();
      if (width === 0) continue; // the second half of a wide character
      out.push({ x, ch: cell.getChars() || ' ', width, fg: fgOf(cell), bold: cell.isBold() !== 0 });
    }
    lines.push(out);
  }
  term.dispose();
  while (lines.length > 0 && lines[lines.length - 1].every((c) => c.ch === ' ')) lines.pop();
  return { lines };
}

// A dark theme (foreground, background and the 16 ANSI colours).
const THEME = {
  bg: '#1e1f29',
  fg: '#d8dae6',
  title: '#2b2d3a',
  ansi: ['#1e1f29', '#f07178', '#a6e3a1', '#f9e2af', '#89b4fa', '#cba6f7', '#89dceb', '#d8dae6',
    '#6c7086', '#f38ba8', '#b5f0b0', '#fbe9be', '#a6c8ff', '#dcc1ff', '#a5ecf5', '#ffffff'],
};

function fgOf(cell) {
  if (cell.isFgDefault()) return THEME.fg;
  const c = cell.getFgColor();
  if (cell.isFgRGB()) return `#${c.toString(16).padStart(6, '0')}`;
  if (c < 16) return THEME.ansi[c];
  if (c < 232) {
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    const n = c - 16;
    return `rgb(${level(Math.floor(n / 36))},${level(Math.floor(n / 6) % 6)},${level(n % 6)})`;
  }
  const g = 8 + (c - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v) => String(Math.round(v * 100) / 100);

/** Eighths of a cell filled by the left-block characters ▏▎▍▌▋▊▉█ (U+258F … U+2588). */
function blockEighths(ch) {
  const code = ch.codePointAt(0);
  if (code === 0x2588) return 8;
  if (code >= 0x2589 && code <= 0x258f) return 0x2590 - code; // ▉ = 7 … ▏ = 1
  return 0;
}

function toSvg({ lines }) {
  const fontSize = 14;
  const cw = 8.4; // cell width: 0.6 em, the advance of common monospace fonts
  const lh = 19; // line height
  const pad = 16;
  const titleH = 30;
  const width = pad * 2 + cols * cw;
  const height = titleH + pad * 2 + Math.max(lines.length, 1) * lh;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" aria-label="taqaddum progress bars in a terminal: nested and concurrent bars mid-run">`,
    `<title>taqaddum in a terminal</title>`,
    `<rect width="100%" height="100%" rx="8" fill="${THEME.bg}"/>`,
    `<path d="M0 8a8 8 0 0 1 8-8h${num(width - 16)}a8 8 0 0 1 8 8v${titleH - 8}h-${num(width)}z" fill="${THEME.title}"/>`,
    ...['#ff5f57', '#febc2e', '#28c840'].map((c, i) => `<circle cx="${20 + i * 20}" cy="${titleH / 2}" r="6" fill="${c}"/>`),
    `<text x="${num(width / 2)}" y="${titleH / 2 + 4.5}" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="#9a9cb0">taqaddum</text>`,
    `<g font-family="ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace" font-size="${fontSize}">`,
  );
  lines.forEach((cells, y) => {
    const top = titleH + pad + y * lh;
    const baseline = top + lh * 0.72;
    // Bars: runs of block characters become rectangles (one per run of full blocks, plus a partial one).
    let run;
    const flush = () => {
      if (run) parts.push(`<rect x="${num(pad + run.x0 * cw)}" y="${num(top + 1)}" width="${num(run.w * cw)}" height="${lh - 2}" fill="${run.fg}"/>`);
      run = undefined;
    };
    // Text: one <text> per colour and row, every character placed at its cell (spaces are skipped).
    const texts = new Map();
    for (const c of cells) {
      const eighths = blockEighths(c.ch);
      if (eighths > 0) {
        const w = eighths / 8;
        if (run && run.fg === c.fg && run.x0 + run.w === c.x && run.full) {
          run.w += w;
          run.full = eighths === 8;
        } else {
          flush();
          run = { x0: c.x, w, fg: c.fg, full: eighths === 8 };
        }
        continue;
      }
      flush();
      if (c.ch === ' ') continue;
      const key = `${c.fg}|${c.bold}`;
      let t = texts.get(key);
      if (!t) texts.set(key, (t = { fg: c.fg, bold: c.bold, xs: [], chars: [], wide: [] }));
      if (c.width === 2) t.wide.push(c);
      else {
        for (const ch of c.ch) {
          t.xs.push(num(pad + c.x * cw));
          t.chars.push(ch);
        }
      }
    }
    flush();
    for (const t of texts.values()) {
      const weight = t.bold ? ' font-weight="bold"' : '';
      // Each character in its own <tspan x>: a list of x positions on one <text> would do, but some
      // renderers (librsvg) honour only the first.
      if (t.chars.length > 0) {
        const spans = t.chars.map((ch, i) => `<tspan x="${t.xs[i]}">${escapeXml(ch)}</tspan>`).join('');
        parts.push(`<text y="${num(baseline)}" fill="${t.fg}"${weight}>${spans}</text>`);
      }
      // A wide character is stretched or squeezed to exactly two cells, whatever the fallback font.
      for (const c of t.wide) {
        parts.push(
          `<text x="${num(pad + c.x * cw)}" y="${num(baseline)}" fill="${t.fg}"${weight} textLength="${num(2 * cw)}" lengthAdjust="spacingAndGlyphs">${escapeXml(c.ch)}</text>`,
        );
      }
    }
  });
  parts.push('</g>', '</svg>', '');
  return parts.join('\n');
}

async function main() {
  if (!existsSync(join(root, 'dist', 'index.js'))) fail('dist/ is missing: run `npm run build` (or `npm run docs:screenshot`)');
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) fail('needs `script` from util-linux (Debian: bsdutils)');

  const bytes = await runInTerminal();
  const screen = await emulate(PROMPT + bytes);
  const svg = toSvg(screen);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, svg);
  console.log(`wrote ${relative(process.cwd(), args.out)} (${screen.lines.length} rows × ${cols} columns, ${svg.length} bytes)`);
  if (args.png) {
    const r = spawnSync('rsvg-convert', ['--zoom', '2', '-o', args.png, args.out], { stdio: 'inherit' });
    if (r.error || r.status !== 0) fail('rsvg-convert failed (Debian: apt-get install librsvg2-bin)');
    console.log(`wrote ${relative(process.cwd(), args.png)}`);
  }
}

await main();
