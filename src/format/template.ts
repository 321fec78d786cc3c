/**
 * Line templates (the `format` option): parsed once when the options are read, then laid out each frame
 * from the field values of a snapshot, without a regular expression or a parse per frame.
 *
 * Syntax:
 * - `{name}` is a field (`FIELD_NAMES`), `{name:style}` a styled one (`{bar:green}`, `{desc:bold.cyan}`:
 *   chalk's names joined by dots, see style.ts).
 * - `{[ … ]}` is a group: text that shows only when a field in it shows (`{[{desc}: ]}`: no `: ` without a
 *   desc). Groups nest.
 * - `{{` and `}}` are literal braces; any other text is literal.
 *
 * Which text shows (a field "shows" when it is not empty and not dropped for width):
 * - text at the start or end of the template always shows; at the start or end of a group, when the group
 *   shows;
 * - text between two fields shows when the field right after it shows and one before it (in the same group)
 *   does, so `{n}/{total} [{elapsed}` with no total reads `420 [00:03`: the `/` goes with `{total}`.
 *
 * Width: the line is never wider than the width it is given. `{bar}` takes what is left. When that is too
 * little, fields are dropped in the order of `DROP_ORDER` (the bar, the postfix, the timings, the
 * percentage, then the desc is shortened and dropped, then the task status, the spinner); the counts are
 * never dropped and the line is cut last.
 */
import type { Style } from './style.js';
import { NO_STYLE, parseStyle, STYLE_NAMES, styleCodes } from './style.js';
import { displayWidth, truncate } from './width.js';

/** The fields a template can name. */
export const FIELD_NAMES = [
  'desc',
  'percentage',
  'bar',
  'n',
  'total',
  'unit',
  'elapsed',
  'eta',
  'rate',
  'postfix',
  'status',
  'spinner',
  'counts',
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

export const DESC = 0;
export const PERCENTAGE = 1;
export const BAR = 2;
export const N = 3;
export const TOTAL = 4;
export const UNIT = 5;
export const ELAPSED = 6;
export const ETA = 7;
export const RATE = 8;
export const POSTFIX = 9;
export const STATUS = 10;
export const SPINNER = 11;
export const COUNTS = 12;
const FIELD_COUNT = FIELD_NAMES.length;

/**
 * What a narrow width drops, in this order (the desc is shortened, then dropped, at its place). Fields not
 * listed (`n`, `total`, `unit`, `counts`) are never dropped: the line is cut instead.
 */
export const DROP_ORDER: readonly (readonly number[] | 'desc')[] = [
  [BAR],
  [POSTFIX],
  [ELAPSED, ETA, RATE],
  [PERCENTAGE],
  'desc',
  [STATUS],
  [SPINNER],
];

interface TextNode {
  readonly kind: 0;
  readonly text: string;
}
interface FieldNode {
  readonly kind: 1;
  readonly field: number;
  readonly style: Style;
  /** The SGR codes of `style` (empty when it has none). */
  readonly open: string;
  readonly close: string;
}
interface GroupNode {
  readonly kind: 2;
  readonly items: readonly Node[];
}
type Node = TextNode | FieldNode | GroupNode;

/** A parsed template. */
export interface Template {
  /** The template as written. */
  readonly source: string;
  readonly items: readonly Node[];
  /** Whether each field (by index) is named somewhere in it. */
  readonly uses: readonly boolean[];
  /** Whether a `{bar}` in it has a colour of its own (`{bar:cyan}`). */
  readonly barColored: boolean;
}

function formatError(message: string): TypeError {
  return new TypeError(message);
}

/**
 * Parses a template once. Throws a TypeError naming what is wrong: an unknown field
 * (``Unknown field `{rte}` in `format` (fields: desc, …)``), an unknown style, a brace or group left open.
 */
export function parseTemplate(source: string, option = 'format'): Template {
  const uses: boolean[] = new Array<boolean>(FIELD_COUNT).fill(false);
  let barColored = false;
  const stack: Node[][] = [[]];
  let text = '';
  const flush = (): void => {
    if (text !== '') (stack[stack.length - 1] as Node[]).push({ kind: 0, text });
    text = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '{' && next === '{') {
      text += '{';
      i += 2;
    } else if (c === '}' && next === '}') {
      text += '}';
      i += 2;
    } else if (c === '{' && next === '[') {
      flush();
      stack.push([]);
      i += 2;
    } else if (c === ']' && next === '}' && stack.length > 1) {
      flush();
      const items = stack.pop() as Node[];
      (stack[stack.length - 1] as Node[]).push({ kind: 2, items });
      i += 2;
    } else if (c === '{') {
      const end = source.indexOf('}', i + 1);
      if (end < 0) throw formatError(`Unclosed \`{\` at column ${i + 1} of \`${option}\` (write \`{{\` for a literal brace)`);
      const body = source.slice(i + 1, end);
      const colon = body.indexOf(':');
      const name = colon < 0 ? body : body.slice(0, colon);
      const field = (FIELD_NAMES as readonly string[]).indexOf(name);
      if (field < 0) {
        throw formatError(`Unknown field \`{${body}}\` in \`${option}\` (fields: ${FIELD_NAMES.join(', ')})`);
      }
      let style = NO_STYLE;
      if (colon >= 0) {
        const parsed = parseStyle(body.slice(colon + 1));
        if (typeof parsed === 'string') {
          throw formatError(
            `Unknown style \`${parsed}\` in \`{${body}}\` of \`${option}\` (styles, joined by dots: ${STYLE_NAMES.join(', ')})`,
          );
        }
        style = parsed;
      }
      flush();
      const [open, close] = styleCodes(style);
      (stack[stack.length - 1] as Node[]).push({ kind: 1, field, style, open, close });
      uses[field] = true;
      if (field === BAR && style.fg !== undefined) barColored = true;
      i = end + 1;
    } else if (c === '}') {
      throw formatError(`Unmatched \`}\` at column ${i + 1} of \`${option}\` (write \`}}\` for a literal brace)`);
    } else {
      text += c;
      i++;
    }
  }
  if (stack.length > 1) throw formatError(`A group \`{[\` is not closed with \`]}\` in \`${option}\``);
  flush();
  return { source, items: stack[0] as Node[], uses, barColored };
}

/** The values of one frame, by field index, and how to draw the bar. */
export interface Fields {
  /** Each field's text ('' when it does not apply: no total, no postfix…). `values[BAR]` is unused. */
  readonly values: string[];
  /** The bar's fill, 0 to 1; `undefined`: no bar (the total is unknown). */
  readonly fraction: number | undefined;
  /** Draws the bar body at a number of cells. */
  readonly drawBar: (fraction: number, cells: number) => string;
  /** Apply styles (a terminal with colours). */
  readonly paint: boolean;
  /** The bar's colour (`color`), where `{bar}` has none of its own. */
  readonly barColor: number | undefined;
  /** How the bar ended, as a colour that overrides the others: red on failure, green once a coloured bar is done. */
  readonly outcomeColor: number | undefined;
  /** Extra columns the counts may still take (`420/1000` at most `1000/1000`): kept free when fitting. */
  readonly growth: number;
}

/** One layout attempt: which fields are dropped, the desc as shown, the bar's cells. */
interface Layout {
  readonly dropped: readonly boolean[];
  readonly desc: string;
  readonly cells: number;
}

function fieldShows(f: Fields, l: Layout, field: number): boolean {
  if (l.dropped[field] === true) return false;
  if (field === BAR) return f.fraction !== undefined;
  if (field === DESC) return l.desc !== '';
  return f.values[field] !== '';
}

function itemShows(f: Fields, l: Layout, node: Node): boolean {
  if (node.kind === 1) return fieldShows(f, l, node.field);
  if (node.kind === 2) return groupShows(f, l, node.items);
  return false;
}

function groupShows(f: Fields, l: Layout, items: readonly Node[]): boolean {
  for (const item of items) if (itemShows(f, l, item)) return true;
  return false;
}

function fieldText(f: Fields, l: Layout, node: FieldNode): string {
  const field = node.field;
  const value = field === BAR ? f.drawBar(f.fraction ?? 0, l.cells) : field === DESC ? l.desc : (f.values[field] as string);
  if (!f.paint) return value;
  if (field === BAR) {
    const fg = f.outcomeColor ?? node.style.fg ?? f.barColor;
    if (fg === node.style.fg) return node.open === '' ? value : node.open + value + node.close;
    const [open, close] = styleCodes(node.style, fg);
    return open + value + close;
  }
  return node.open === '' ? value : node.open + value + node.close;
}

/** Colour codes at the end of a desc (`chalk.bold('rows:')` ends in one): not what it ends with. */
// eslint-disable-next-line no-control-regex
const TRAILING_SGR = /(?:\u001B\[[0-9;:]*m)+$/;

/** Whether a desc ends in a colon of its own (`rows:`): then the text after it drops its own leading colon. */
function endsWithColon(desc: string): boolean {
  return (desc.includes('\u001B') ? desc.replace(TRAILING_SGR, '') : desc).endsWith(':');
}

function renderItems(f: Fields, l: Layout, items: readonly Node[], top: boolean): string {
  if (!top && !groupShows(f, l, items)) return '';
  let out = '';
  let before = false;
  let afterDesc = false;
  const last = items.length - 1;
  for (let i = 0; i <= last; i++) {
    const node = items[i] as Node;
    if (node.kind === 0) {
      // `rows:` as the desc and `{desc}: ` in the template: one colon, not `rows: :`.
      const text = afterDesc && node.text.startsWith(':') && endsWithColon(l.desc) ? node.text.slice(1) : node.text;
      afterDesc = false;
      if (i === 0 || i === last) {
        out += text;
        if (top) before = true;
      } else if (before && itemShows(f, l, items[i + 1] as Node)) {
        // No doubled space where a field between two texts is hidden ("Saving  12 MB").
        out += out.endsWith(' ') && text.startsWith(' ') ? text.slice(1) : text;
      }
    } else if (node.kind === 1) {
      afterDesc = false;
      if (fieldShows(f, l, node.field)) {
        out += fieldText(f, l, node);
        before = true;
        afterDesc = node.field === DESC;
      }
    } else {
      afterDesc = false;
      const group = renderItems(f, l, node.items, false);
      if (group !== '') {
        out += group;
        before = true;
      }
    }
  }
  return out;
}

/** Lays the template out for one layout. */
function render(t: Template, f: Fields, l: Layout): string {
  return renderItems(f, l, t.items, true);
}

/** Stands for a cut desc when measuring what the text around it takes (a cut desc ends in "…", not in ":"). */
const CUT = '…';

/** Below this many cells the bar is not worth drawing. */
const MIN_BAR = 4;
/** Columns a cut desc keeps at the least (with its "…") before it is dropped. */
const MIN_DESC = 4;
/** The desc is cut before the bar shrinks below this. */
const COMFORTABLE_BAR = 10;
/** A line with no width limit (plain output): the bar takes what an 80-column line leaves, at least 10 cells. */
const UNBOUNDED_BAR_LINE = 80;

const NOTHING_DROPPED: readonly boolean[] = new Array<boolean>(FIELD_COUNT).fill(false);

function dropping(stage: number): boolean[] {
  const dropped = NOTHING_DROPPED.slice();
  for (let k = 0; k <= stage; k++) {
    const fields = DROP_ORDER[k];
    if (fields !== undefined && fields !== 'desc') for (const field of fields) dropped[field] = true;
  }
  return dropped;
}

/** The drop stages (each drops what the ones before it did and more), worked out once. */
const STAGES: readonly { readonly dropped: readonly boolean[]; readonly descMayGo: boolean }[] = DROP_ORDER.flatMap(
  (fields, k) => {
    if (fields === 'desc') return [];
    // The desc is shortened or dropped only once everything listed before it is gone.
    const descAt = DROP_ORDER.indexOf('desc');
    return [{ dropped: dropping(k), descMayGo: k >= descAt - 1 }];
  },
);

/**
 * Lays a template out in at most `width` columns (`Infinity`: nothing dropped or cut, and the bar takes
 * what an 80-column line leaves). `desc` is the desc as it would show whole.
 */
export function fitTemplate(t: Template, f: Fields, width: number): string {
  if (!(width > 0)) return '';
  const desc = t.uses[DESC] === true ? (f.values[DESC] as string) : '';
  const hasBar = t.uses[BAR] === true && f.fraction !== undefined;
  const all: Layout = { dropped: NOTHING_DROPPED, desc, cells: 0 };
  if (width === Infinity) {
    if (!hasBar) return render(t, f, all);
    const rest = displayWidth(render(t, f, all));
    return render(t, f, { ...all, cells: Math.max(UNBOUNDED_BAR_LINE - rest, COMFORTABLE_BAR) });
  }
  const growth = f.growth;
  const measure = (l: Layout): number => displayWidth(render(t, f, l)) + growth;
  const descWidth = desc === '' ? 0 : displayWidth(desc);
  if (hasBar) {
    let shown = desc;
    const rest = measure({ ...all, desc: '' });
    if (desc !== '') {
      // ": " and the like; a cut desc no longer ends in its own colon, so it may take the template's back.
      const overhead = Math.max(measure(all) - rest - descWidth, measure({ ...all, desc: CUT }) - rest - 1);
      if (rest + descWidth + overhead + COMFORTABLE_BAR > width) {
        // A long desc is cut before it squeezes the bar below a comfortable size (but keeps a third of the width).
        const room = Math.max(width - rest - COMFORTABLE_BAR, Math.floor(width / 3)) - overhead;
        shown = room >= MIN_DESC ? truncate(desc, room) : '';
      }
    }
    const cells = width - measure({ ...all, desc: shown });
    if (cells >= MIN_BAR) return render(t, f, { ...all, desc: shown, cells: cells + growth });
  }
  for (const stage of STAGES) {
    const rest = measure({ dropped: stage.dropped, desc: '', cells: 0 });
    if (desc !== '') {
      const whole = measure({ dropped: stage.dropped, desc, cells: 0 });
      if (whole <= width) return render(t, f, { dropped: stage.dropped, desc, cells: 0 });
      // The desc is shortened only once what goes before it is gone; it keeps a few columns, so that
      // several bars stay told apart, or goes.
      if (!stage.descMayGo) continue;
      const cut = measure({ dropped: stage.dropped, desc: CUT, cells: 0 }) - rest - 1;
      const room = width - rest - Math.max(whole - rest - descWidth, cut);
      if (room >= MIN_DESC) return render(t, f, { dropped: stage.dropped, desc: truncate(desc, room), cells: 0 });
    }
    if (rest <= width) return render(t, f, { dropped: stage.dropped, desc: '', cells: 0 });
  }
  const bare = render(t, f, { dropped: (STAGES[STAGES.length - 1] as { dropped: readonly boolean[] }).dropped, desc: '', cells: 0 });
  return displayWidth(bare) <= width ? bare : truncate(bare, width);
}
