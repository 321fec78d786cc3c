/**
 * Display width (terminal columns) of text. Text made only of printable ASCII, the glyphs the library
 * draws itself (bar cells, `…`, `✗`) and SGR colour codes (no columns) is measured here; anything else goes
 * through string-width, loaded on first need (it costs tens of milliseconds to import), so that drawing
 * the library's own lines (a failed bar's `✗` line) never loads it: only user text that needs it does.
 *
 * Text is sanitised (sanitize.ts) before it is measured: the only escape sequences left are SGR codes.
 */
import { loadSync } from '../lazy.js';
import { isSgrReset, SGR_RESET, sgrEnd } from './sanitize.js';

type StringWidth = (text: string) => number;
let stringWidth: StringWidth | undefined;
let segmenter: Intl.Segmenter | undefined;

/**
 * Glyphs drawn by the library, each one column wide (string-width agrees: they are narrow or ambiguous,
 * and ambiguous counts as narrow): the bar's cells, the ellipsis, the failure mark, and a few spares.
 */
const GLYPHS = '█▏▎▍▌▋▊▉…✗✓·─⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/** The width of `text` if it is made only of printable ASCII, the library's glyphs and SGR codes; else -1. */
function fastWidth(text: string): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) w++;
    else if (c === 0x1b) {
      const end = sgrEnd(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c >= 0xb7 && GLYPHS.includes(text[i] as string)) w++;
    else return -1;
  }
  return w;
}

function slowWidth(text: string): number {
  stringWidth ??= loadSync<{ default: StringWidth }>('string-width').default;
  return stringWidth(text); // string-width does not count ANSI codes either
}

export function displayWidth(text: string): number {
  const w = fastWidth(text);
  return w >= 0 ? w : slowWidth(text);
}

/**
 * Cuts `text` to at most `width` columns, ending with "…" when anything was cut.
 * Never splits a grapheme (an emoji with modifiers, a CJK character) nor an SGR colour code; if the kept
 * part leaves a colour on, the cut text ends with `ESC[0m`.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const fast = fastWidth(text);
  if ((fast >= 0 ? fast : slowWidth(text)) <= width) return text;
  const room = width - 1; // the "…" takes one column
  let out = '';
  let used = 0;
  let open = false;
  let i = 0;
  if (fast >= 0) {
    // One UTF-16 unit per column, and nothing in this text combines with what follows it.
    for (; i < text.length; i++) {
      const end = sgrEnd(text, i);
      if (end > 0) {
        open = !isSgrReset(text, i, end);
        i = end - 1;
      } else if (used < room) used++;
      else break;
    }
    out = text.slice(0, i);
  } else {
    segmenter ??= new Intl.Segmenter();
    cut: while (i < text.length) {
      // The plain run up to the next SGR code is cut by graphemes; the code itself is kept whole.
      let next = text.indexOf('\u001B[', i);
      while (next >= 0 && sgrEnd(text, next) < 0) next = text.indexOf('\u001B[', next + 1);
      const runEnd = next < 0 ? text.length : next;
      for (const { segment } of segmenter.segment(text.slice(i, runEnd))) {
        const w = slowWidth(segment);
        if (used + w > room) break cut;
        out += segment;
        used += w;
      }
      if (next < 0) break;
      const end = sgrEnd(text, next);
      open = !isSgrReset(text, next, end);
      out += text.slice(next, end);
      i = end;
    }
  }
  return open ? `${out}…${SGR_RESET}` : `${out}…`;
}

/** Pads `text` with spaces on the right to exactly `width` columns (assumes it fits). */
export function padEnd(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}
