/**
 * The one sanitiser for text that comes from the user or from data (desc, unit, postfix keys and values,
 * labels in the pending report, the CLI's flags) before it is drawn. A bar is one line redrawn in place:
 * anything that moves the cursor, clears the screen, sets the window title, writes the clipboard (OSC 52)
 * or otherwise talks to the terminal would break the frame or act on the user's terminal behind their back.
 *
 * - SGR colour codes (`ESC [ params m`, params made of digits, `;` and `:`) are kept when `colors` is true
 *   (a terminal) and removed otherwise (logs, files). Kept codes take no columns (see width.ts), and a text
 *   that leaves a colour open gets `ESC[0m` at its end, so the colour never runs into the rest of the line.
 * - Every other escape sequence is removed whole, payload included: other CSI sequences (`ESC[2J`,
 *   `ESC[>4;2m`), OSC (`ESC]…` up to BEL or ST: titles, clipboard, hyperlinks), DCS / SOS / PM / APC strings
 *   (up to ST), two- and three-byte escapes (`ESC c`, `ESC ( 0`), a lone ESC, and the 8-bit C1 forms
 *   (`\x9b` CSI, `\x9d` OSC, `\x90` DCS…), SGR included. An unterminated string sequence is removed up to
 *   the end of the text.
 * - Line and tab controls (`\n`, `\r`, `\t`, `\v`, `\f`) become one space per run, so a label `"a\nb"`
 *   reads `a b` and `"a\r\nb"` too. Every other C0 control (BEL, NUL, backspace…), DEL and C1 control is
 *   removed.
 */

const ESC = 0x1b;
/** Resets every attribute: appended to a text that leaves a colour open. */
export const SGR_RESET = '\u001B[0m';

/** Whether the text has anything to remove: C0 controls, DEL, C1 controls. The common answer is no. */
function hasControls(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * If an SGR sequence (`ESC [ digits ; : m`) starts at `i`, the index just after it; else -1.
 * Other CSI sequences ending in `m` (private ones such as `ESC[>4;2m`, which sets keyboard modes) are not SGR.
 */
export function sgrEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== ESC || text.charCodeAt(i + 1) !== 0x5b) return -1;
  for (let j = i + 2; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x6d) return j + 1; // 'm'
    if (!((c >= 0x30 && c <= 0x39) || c === 0x3b || c === 0x3a)) return -1; // digits, ';', ':'
  }
  return -1;
}

/** Whether the SGR sequence `text[start, end)` resets every attribute (`ESC[m`, `ESC[0m`, `ESC[0;0m`). */
export function isSgrReset(text: string, start: number, end: number): boolean {
  for (let j = start + 2; j < end - 1; j++) {
    const c = text.charCodeAt(j);
    if (c !== 0x30 && c !== 0x3b) return false;
  }
  return true;
}

/** End of a control string (OSC, DCS, SOS, PM, APC) whose payload starts at `i`: after BEL or ST, or the end. */
function stringEnd(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x07 || c === 0x9c) return j + 1; // BEL, 8-bit ST
    if (c === ESC && text.charCodeAt(j + 1) === 0x5c) return j + 2; // ESC \ (ST)
  }
  return text.length;
}

/** End of a CSI sequence whose parameters start at `i` (ECMA-48: params, intermediates, one final byte). */
function csiEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c >= 0x30 && c <= 0x3f) j++;
    else break;
  }
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c >= 0x20 && c <= 0x2f) j++;
    else break;
  }
  const final = text.charCodeAt(j);
  // A sequence cut short (by the end, or by a byte that cannot be in it) ends there; that byte is read anew.
  return final >= 0x40 && final <= 0x7e ? j + 1 : j;
}

/** End of the escape sequence that starts with the ESC at `i`. */
function escapeEnd(text: string, i: number): number {
  const next = text.charCodeAt(i + 1);
  if (next === 0x5b) return csiEnd(text, i + 2); // CSI
  // OSC ']', DCS 'P', SOS 'X', PM '^', APC '_': a string up to ST (or BEL).
  if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) return stringEnd(text, i + 2);
  if (next >= 0x20 && next <= 0x2f) {
    // nF: intermediates, then one final byte (`ESC ( 0` switches to line drawing).
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    const final = text.charCodeAt(j);
    return final >= 0x30 && final <= 0x7e ? j + 1 : j;
  }
  if (next >= 0x30 && next <= 0x7e) return i + 2; // `ESC c` (reset), `ESC 7`, `ESC =`, …
  return i + 1; // a lone ESC
}

/**
 * Makes user or data text safe to draw in a one-line frame (see the module's comment for the rules).
 * @param colors keep SGR colour codes (the output is a terminal); `false` removes them too.
 * @example sanitize('\u001B[31mred\u001B[0m\u001B]0;title\u0007\n!', true) // '\u001B[31mred\u001B[0m !'
 */
export function sanitize(text: string, colors: boolean): string {
  if (!hasControls(text)) return text;
  let out = '';
  let from = 0; // start of the run of plain text not yet copied
  let open = false; // a colour kept so far is still on
  let i = 0;
  const skip = (to: number): void => {
    out += text.slice(from, i);
    from = i = to;
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && (c < 0x7f || c > 0x9f)) {
      i++;
      continue;
    }
    if (c === ESC) {
      const sgr = sgrEnd(text, i);
      if (sgr > 0 && colors) {
        open = !isSgrReset(text, i, sgr);
        i = sgr; // kept: copied with the run
        continue;
      }
      skip(sgr > 0 ? sgr : escapeEnd(text, i));
    } else if (c === 0x9b) skip(csiEnd(text, i + 1));
    else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) skip(stringEnd(text, i + 1));
    else if (c >= 0x09 && c <= 0x0d) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) >= 0x09 && text.charCodeAt(j) <= 0x0d) j++;
      skip(j);
      out += ' ';
    } else skip(i + 1);
  }
  out += text.slice(from);
  return open ? out + SGR_RESET : out;
}
