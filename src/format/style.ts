/**
 * Styles for the line: named colours and text styles as chalk names them, turned into SGR codes once, when
 * the options are read. A style spec is one name or several joined by dots (`green`, `bold.cyan`,
 * `bgBlue.white`); it is applied only where colours are on (a terminal with colours, see env.ts), never in
 * plain output. SGR codes take no columns (width.ts), so styling never changes what fits.
 */

/** Foreground colours, with their SGR code (the bright variants are 60 more). */
const COLORS: Readonly<Record<string, number>> = {
  black: 30,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  grey: 90,
  blackBright: 90,
  redBright: 91,
  greenBright: 92,
  yellowBright: 93,
  blueBright: 94,
  magentaBright: 95,
  cyanBright: 96,
  whiteBright: 97,
};

/** Text styles: SGR code on, code off. */
const MODIFIERS: Readonly<Record<string, readonly [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  strikethrough: [9, 29],
};

/** A parsed style: the codes that turn it on and off. */
export interface Style {
  /** The foreground colour's code, if the style sets one. */
  readonly fg: number | undefined;
  /** The background colour's code, if any. */
  readonly bg: number | undefined;
  /** Text style codes, on and off. */
  readonly modifiers: readonly (readonly [number, number])[];
}

export const NO_STYLE: Style = { fg: undefined, bg: undefined, modifiers: [] };

/** Every style name accepted, for error messages. */
export const STYLE_NAMES: readonly string[] = [
  ...Object.keys(COLORS),
  ...Object.keys(COLORS).map((c) => `bg${c[0]?.toUpperCase()}${c.slice(1)}`),
  ...Object.keys(MODIFIERS),
];

/** A colour name (`red`, `cyanBright`, `gray`): its foreground code, or undefined when it is none. */
export function colorCode(name: string): number | undefined {
  return Object.hasOwn(COLORS, name) ? COLORS[name] : undefined;
}

/** `bgRed` → 41, `bgCyanBright` → 106; undefined when it is no background colour. */
function backgroundCode(name: string): number | undefined {
  if (!name.startsWith('bg') || name.length < 3) return undefined;
  const fg = colorCode(`${name[2]?.toLowerCase()}${name.slice(3)}`);
  return fg === undefined ? undefined : fg + 10;
}

/**
 * Parses a style spec (`bold.green`). Returns the style, or the first name it does not know (a string) so
 * that the caller can say where it was.
 */
export function parseStyle(spec: string): Style | string {
  let fg: number | undefined;
  let bg: number | undefined;
  const modifiers: (readonly [number, number])[] = [];
  for (const name of spec.split('.')) {
    const color = colorCode(name);
    if (color !== undefined) {
      fg = color;
      continue;
    }
    const back = backgroundCode(name);
    if (back !== undefined) {
      bg = back;
      continue;
    }
    const modifier = Object.hasOwn(MODIFIERS, name) ? MODIFIERS[name] : undefined;
    if (modifier === undefined) return name;
    modifiers.push(modifier);
  }
  return { fg, bg, modifiers };
}

/** The SGR codes that turn a style on and off (`['\x1b[1m\x1b[32m', '\x1b[39m\x1b[22m']`); empty for none. */
export function styleCodes(style: Style, fg = style.fg): readonly [string, string] {
  let open = '';
  let close = '';
  for (const [on, off] of style.modifiers) {
    open += `\u001B[${on}m`;
    close = `\u001B[${off}m${close}`;
  }
  if (fg !== undefined) {
    open += `\u001B[${fg}m`;
    close = `\u001B[39m${close}`;
  }
  if (style.bg !== undefined) {
    open += `\u001B[${style.bg}m`;
    close = `\u001B[49m${close}`;
  }
  return [open, close];
}
