#!/usr/bin/env node
/**
 * The README pictures, made from the library's real output. Each scene is a fixture program that runs
 * with simulated time (so the numbers are the same on every run) and stops itself dead mid-run:
 *   bars       test-support/fixtures/screenshot.js → docs/screenshot.svg: a finished bar, concurrent
 *              bars, a loop over files with a nested bar, a CJK file name;
 *   templates  test-support/fixtures/templates-screenshot.js → docs/templates.svg: README's five ready
 *              templates (`format`), with the spinner and the colours a terminal shows.
 *   stragglers test-support/fixtures/stragglers-screenshot.js → docs/stragglers.svg: progress.map with
 *              three calls hung while the rest complete, named live under the bar (README's "Promises").
 * The script runs the fixture in a pseudo-terminal (TERM=xterm-256color, so the stream has colours),
 * replays every byte it printed into a terminal emulator (@xterm/headless), and draws the emulator's
 * screen as an SVG terminal window: cell by cell, so a wide (CJK) character takes two cells, with each
 * cell's colours, bold, dim, italic and underline as the emulator holds them, and the block characters of
 * the bars drawn as rectangles so that bars look solid whatever font the viewer has.
 *
 * usage: node scripts/screenshot.js [--scene bars|templates|stragglers] [--out file.svg] [--png file.png] [--cols 80]
 *   Without --scene, every scene is drawn to its own file (--out and --png then need a --scene).
 *   (`npm run docs:screenshot` builds dist/ first.) --png also writes a PNG with rsvg-convert
 *   (Debian: librsvg2-bin), for a look at the result; only the SVGs go in the repository.
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

/** The pictures: the fixture that plays the scene, the file drawn, the window's rows, what it shows. */
const SCENES = {
  bars: {
    fixture: 'screenshot.js',
    out: 'docs/screenshot.svg',
    rows: 12,
    label: 'taqaddum progress bars in a terminal: nested and concurrent bars mid-run',
  },
  templates: {
    fixture: 'templates-screenshot.js',
    out: 'docs/templates.svg',
    rows: 7,
    label: "taqaddum's five ready templates in a terminal, mid-run: tqdm's look, a download, a minimal one, a spinner for an unknown total, a coloured one",
  },
  stragglers: {
    fixture: 'stragglers-screenshot.js',
    out: 'docs/stragglers.svg',
    rows: 7,
    label: 'taqaddum in a terminal: progress.map over 2,000 URLs with three calls hung, counted "3 slow" and named under the bar with how long each has waited, while the rest complete',
  },
};

const { values: args } = parseArgs({
  options: {
    scene: { type: 'string' },
    out: { type: 'string' },
    png: { type: 'string' },
    cols: { type: 'string', default: '80' },
  },
});
const cols = Number(args.cols);

function fail(message) {
  console.error(`screenshot: ${message}`);
  process.exit(1);
}

/** Runs the fixture in a pty of `cols` × `rows` (one row is the prompt's) and returns what it printed. */
function runInTerminal(fixture, rows) {
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

/** The emulator's visible rows as cells: { ch, width, fg, bg, bold, … }; trailing empty rows dropped. */
async function emulate(data, rows) {
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
      const inverse = cell.isInverse() !== 0;
      let fg = colorOf(cell, 'Fg') ?? THEME.fg;
      let bg = colorOf(cell, 'Bg');
      if (inverse) [fg, bg] = [bg ?? THEME.bg, fg];
      out.push({
        x,
        ch: cell.getChars() || ' ',
        width,
        fg,
        bg, // undefined: the window's background
        bold: cell.isBold() !== 0,
        dim: cell.isDim() !== 0,
        italic: cell.isItalic() !== 0,
        underline: cell.isUnderline() !== 0,
        strike: cell.isStrikethrough() !== 0,
      });
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

/** A cell's foreground or background colour (`which`: 'Fg' or 'Bg') as CSS; undefined for the default. */
function colorOf(cell, which) {
  if (cell[`is${which}Default`]()) return undefined;
  const c = cell[`get${which}Color`]();
  if (cell[`is${which}RGB`]()) return `#${c.toString(16).padStart(6, '0')}`;
  if (c < 16) return THEME.ansi[c];
  if (c < 232) {
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    const n = c - 16;
    return `rgb(${level(Math.floor(n / 36))},${level(Math.floor(n / 6) % 6)},${level(n % 6)})`;
  }
  const g = 8 + (c - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

/** Dim (faint) text and blocks: drawn half see-through over the background. */
const DIM = ' fill-opacity="0.55"';

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v) => String(Math.round(v * 100) / 100);

/** Eighths of a cell filled by the left-block characters ▏▎▍▌▋▊▉█ (U+258F … U+2588). */
function blockEighths(ch) {
  const code = ch.codePointAt(0);
  if (code === 0x2588) return 8;
  if (code >= 0x2589 && code <= 0x258f) return 0x2590 - code; // ▉ = 7 … ▏ = 1
  return 0;
}

function toSvg({ lines }, label) {
  const fontSize = 14;
  const cw = 8.4; // cell width: 0.6 em, the advance of common monospace fonts
  const lh = 19; // line height
  const pad = 16;
  const titleH = 30;
  const width = pad * 2 + cols * cw;
  const height = titleH + pad * 2 + Math.max(lines.length, 1) * lh;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" aria-label="${escapeXml(label)}">`,
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
    // Backgrounds first: one rectangle per run of cells with the same background colour.
    let back;
    const flushBack = () => {
      if (back) parts.push(`<rect x="${num(pad + back.x0 * cw)}" y="${num(top)}" width="${num(back.w * cw)}" height="${lh}" fill="${back.bg}"/>`);
      back = undefined;
    };
    for (const c of cells) {
      if (back && (back.bg !== c.bg || back.x0 + back.w !== c.x)) flushBack();
      if (c.bg === undefined) continue;
      if (back) back.w += c.width;
      else back = { x0: c.x, w: c.width, bg: c.bg };
    }
    flushBack();
    // Bars: runs of block characters become rectangles (one per run of full blocks, plus a partial one).
    let run;
    const flush = () => {
      if (run) parts.push(`<rect x="${num(pad + run.x0 * cw)}" y="${num(top + 1)}" width="${num(run.w * cw)}" height="${lh - 2}" fill="${run.fg}"${run.dim ? DIM : ''}/>`);
      run = undefined;
    };
    // Text: one <text> per colour, style and row, every character placed at its cell (spaces are skipped,
    // unless underlined or struck through).
    const texts = new Map();
    for (const c of cells) {
      const eighths = blockEighths(c.ch);
      if (eighths > 0) {
        const w = eighths / 8;
        if (run && run.fg === c.fg && run.dim === c.dim && run.x0 + run.w === c.x && run.full) {
          run.w += w;
          run.full = eighths === 8;
        } else {
          flush();
          run = { x0: c.x, w, fg: c.fg, dim: c.dim, full: eighths === 8 };
        }
        continue;
      }
      flush();
      if (c.ch === ' ' && !c.underline && !c.strike) continue;
      const key = `${c.fg}|${c.bold}|${c.dim}|${c.italic}|${c.underline}|${c.strike}`;
      let t = texts.get(key);
      if (!t) texts.set(key, (t = { ...c, xs: [], chars: [], wide: [] }));
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
      const lines = [t.underline && 'underline', t.strike && 'line-through'].filter(Boolean).join(' ');
      const weight =
        (t.bold ? ' font-weight="bold"' : '') +
        (t.italic ? ' font-style="italic"' : '') +
        (t.dim ? DIM : '') +
        (lines ? ` text-decoration="${lines}"` : '');
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

/** Draws one scene into `out` (and `png`). */
async function draw(name, out, png) {
  const scene = SCENES[name];
  const fixture = join(root, 'test-support', 'fixtures', scene.fixture);
  const prompt = `\u001B[32m$\u001B[0m node ${relative(root, fixture)}\r\n`;
  const bytes = await runInTerminal(fixture, scene.rows);
  const screen = await emulate(prompt + bytes, scene.rows);
  const svg = toSvg(screen, scene.label);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, svg);
  console.log(`wrote ${relative(process.cwd(), out)} (${screen.lines.length} rows × ${cols} columns, ${svg.length} bytes)`);
  if (png) {
    const r = spawnSync('rsvg-convert', ['--zoom', '2', '-o', png, out], { stdio: 'inherit' });
    if (r.error || r.status !== 0) fail('rsvg-convert failed (Debian: apt-get install librsvg2-bin)');
    console.log(`wrote ${relative(process.cwd(), png)}`);
  }
}

async function main() {
  if (args.scene !== undefined && !Object.hasOwn(SCENES, args.scene)) {
    fail(`unknown --scene ${JSON.stringify(args.scene)} (scenes: ${Object.keys(SCENES).join(', ')})`);
  }
  if (args.scene === undefined && (args.out !== undefined || args.png !== undefined)) fail('--out and --png need a --scene');
  if (!existsSync(join(root, 'dist', 'index.js'))) fail('dist/ is missing: run `npm run build` (or `npm run docs:screenshot`)');
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) fail('needs `script` from util-linux (Debian: bsdutils)');

  for (const name of args.scene === undefined ? Object.keys(SCENES) : [args.scene]) {
    await draw(name, args.out ?? join(root, SCENES[name].out), args.png);
  }
}

await main();
