/**
 * Display width (terminal columns) of text. Plain ASCII is measured by its length; anything else
 * goes through string-width, loaded on first need (it costs tens of milliseconds to import).
 */
import { loadSync } from '../core/lazy.js';

type StringWidth = (text: string) => number;
let stringWidth: StringWidth | undefined;
let segmenter: Intl.Segmenter | undefined;

function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function slowWidth(text: string): number {
  stringWidth ??= loadSync<{ default: StringWidth }>('string-width').default;
  return stringWidth(text);
}

export function displayWidth(text: string): number {
  return isPlainAscii(text) ? text.length : slowWidth(text);
}

/** Control characters (newlines, tabs, escapes) would break a one-line frame: show them as spaces. */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ') : text;
}

/**
 * Cuts `text` to at most `width` columns, ending with "…" when anything was cut.
 * Never splits a grapheme (an emoji with modifiers, a CJK character).
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (isPlainAscii(text)) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  segmenter ??= new Intl.Segmenter();
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = slowWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Pads `text` with spaces on the right to exactly `width` columns (assumes it fits). */
export function padEnd(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}
