/**
 * The command line of `taqaddum`: flags in, a plain description of the run out. Pure (no I/O), so every
 * flag and every error message is tested directly.
 *
 * Errors are one line that names the flag (`--total: expected a size like 4.2GB, 10k or 1500, got "x"`);
 * the command prints it after `taqaddum: ` and exits with status 2.
 */
import { parseArgs as parseFlags } from 'node:util';
import { sanitize } from '../format/sanitize.js';
import type { CountMode } from './count.js';

export interface CliOptions {
  /** What is counted: records (lines), bytes, or numbers read from the records (`--update`). */
  mode: CountMode;
  /** The record delimiter (lines and `--update`). */
  delimiter: Buffer;
  total: number | undefined;
  desc: string;
  unit: string;
  /** Milliseconds. */
  minInterval: number | undefined;
  /** Read and count the input without copying it to stdout. */
  discard: boolean;
}

export type ParsedArgs =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

export const HELP = `Usage: … | taqaddum [options] | …

Copies standard input to standard output unchanged and draws a progress bar on standard error.
Counts lines by default.

Options:
  --bytes               count bytes instead of lines (the unit becomes B: 4.20 MB, 12.0 MB/s)
  --delim <text>        the record delimiter for counting (default \\n); escapes: \\n \\r \\t \\0 \\\\ \\xHH
  --total <size>        the expected total: 1500, 10k, 2.5M, 4.2GB, 512MiB
  --desc <text>         a label shown before the bar
  --unit <name>         the unit's name (default it; B with --bytes)
  --min-interval <time> least time between two redraws: seconds (0.5) or milliseconds (200ms);
                        default 0.1
  --update              each input line is a number to add to the count, e.g. sizes from du
  --null                discard the input instead of copying it to standard output
  -h, --help            show this help
  -v, --version         show the version

Examples:
  cat huge.log | taqaddum --desc lines | gzip > huge.log.gz
  tar cf - dir | taqaddum --bytes --total 4.2GB > dir.tar
  find . -type f | taqaddum --null --desc files
`;

const SIZE = /^(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*(?:([kmgtpe])(i)?)?(b)?$/i;
const PREFIX_EXPONENT: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * A size or count: a non-negative number with an optional SI prefix (`k`, `M`, `G`, `T`, `P`, `E`, any
 * case, powers of 1000), an optional `i` for powers of 1024 (`MiB`), and an optional `B`.
 * `4.2GB` → 4.2e9, `10k` → 10000, `512MiB` → 536870912, `1e6` → 1000000.
 * @returns the value, or `undefined` when `text` is not a size.
 */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (m === null) return undefined;
  const [, digits, exponent, prefix, binary] = m;
  let value = Number(`${digits}${exponent === undefined ? '' : `e${exponent}`}`);
  if (prefix !== undefined) {
    const power = PREFIX_EXPONENT[prefix.toLowerCase()] as number;
    value *= (binary === undefined ? 1000 : 1024) ** power;
  }
  return Number.isFinite(value) ? value : undefined;
}

/** A time: seconds (`0.5`, `2s`) or milliseconds (`200ms`). @returns milliseconds, or `undefined`. */
export function parseInterval(text: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const value = Number(m[1]);
  return m[2]?.toLowerCase() === 'ms' ? value : value * 1000;
}

/**
 * A delimiter from the command line: UTF-8 text with the escapes `\n`, `\r`, `\t`, `\0`, `\\` and
 * `\xHH` (one byte). @returns the bytes, or a reason it is not valid.
 */
export function parseDelimiter(text: string): Buffer | string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      const cp = text.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
      i += s.length - 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return 'a lone "\\" at the end';
    i++;
    if (e === 'n') bytes.push(10);
    else if (e === 'r') bytes.push(13);
    else if (e === 't') bytes.push(9);
    else if (e === '0') bytes.push(0);
    else if (e === '\\') bytes.push(92);
    else if (e === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return `"\\x" needs two hex digits`;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else return `unknown escape "\\${e}" (use \\n, \\r, \\t, \\0, \\\\ or \\xHH)`;
  }
  if (bytes.length === 0) return 'it is empty';
  return Buffer.from(bytes);
}

/**
 * The flags, as `node:util` `parseArgs` takes them. A new flag goes here, in HELP above, and where
 * `parseArgs` below turns the values into options.
 */
const FLAGS = {
  bytes: { type: 'boolean' },
  delim: { type: 'string' },
  total: { type: 'string' },
  desc: { type: 'string' },
  unit: { type: 'string' },
  'min-interval': { type: 'string' },
  update: { type: 'boolean' },
  null: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Record<string, { type: 'boolean' | 'string'; short?: string }>;

/** What `parseArgs` gives once every token has passed the checks below: a string per string flag, `true` per switch. */
type FlagValues = { [F in keyof typeof FLAGS]?: (typeof FLAGS)[F]['type'] extends 'string' ? string : true };

/** A flag's text in an error message: quoted, with every control shown escaped (JSON leaves DEL and C1 as they are). */
function quote(text: string): string {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return shown.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Parses the arguments (without `node` and the script) with `node:util` `parseArgs`, then checks its
 * tokens in order, so that the first mistake is the one reported, in this command's words.
 *
 * `parseArgs` runs with `strict: false`: its strict mode refuses a value that starts with `-` after a
 * flag that takes one (`--desc --x`, `--total -1`, which this command takes as the value, as it always
 * has) and words its own errors. What it then lets through is caught here: unknown flags, a missing
 * value, a value given to a switch, and arguments (there are none: the input is standard input). A group
 * of short flags (`-hv`) is taken as the unknown flag it always was here: its tokens share one argument.
 * Repeated flags: the last one wins (`parseArgs`'s own rule).
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const { values, tokens } = parseFlags({ args: [...argv], options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      return usage(`unexpected argument ${quote(token.value)}: taqaddum reads standard input (taqaddum < file)`);
    }
    // `--name=value` is reported by its name; a short flag by its whole argument (`-hv`, `-h=1`).
    const name = token.rawName.startsWith('--') ? token.rawName : (argv[token.index] as string);
    const flag = Object.hasOwn(FLAGS, token.name) && name === token.rawName ? FLAGS[token.name as keyof typeof FLAGS] : undefined;
    if (flag === undefined) {
      const hint = name.startsWith('--') ? '' : ` (options start with --, e.g. --bytes)`;
      return usage(`unknown option ${quote(name)}${hint}`);
    }
    if (flag.type === 'string' && token.value === undefined) return usage(`${name} needs a value`);
    if (flag.type === 'boolean' && token.value !== undefined) return usage(`${name} takes no value`);
  }
  // Every token passed: each string flag given has a string, each switch given is true.
  const flags = values as FlagValues;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };

  const bytes = flags.bytes === true;
  const update = flags.update === true;
  if (bytes && update) return usage('--update cannot be combined with --bytes');
  if (bytes && flags.delim !== undefined) return usage('--delim has no effect with --bytes (bytes are counted, not lines)');

  let delimiter: Buffer = Buffer.from('\n');
  if (flags.delim !== undefined) {
    const parsed = parseDelimiter(flags.delim);
    if (typeof parsed === 'string') return usage(`--delim: ${parsed}`);
    delimiter = parsed;
  }

  let total: number | undefined;
  if (flags.total !== undefined) {
    total = parseSize(flags.total);
    if (total === undefined) return usage(`--total: expected a size like 4.2GB, 10k or 1500, got ${quote(flags.total)}`);
  }

  let minInterval: number | undefined;
  const intervalText = flags['min-interval'];
  if (intervalText !== undefined) {
    minInterval = parseInterval(intervalText);
    if (minInterval === undefined) {
      return usage(`--min-interval: expected seconds (0.5) or milliseconds (200ms), got ${quote(intervalText)}`);
    }
  }

  const unit = flags.unit ?? (bytes ? 'B' : 'it');
  // The bar shows the unit sanitised (format/sanitize.ts): one made only of escape codes would show as nothing.
  if (sanitize(unit, false).trim() === '') return usage(`--unit: expected a name, got ${quote(unit)}`);

  return {
    kind: 'run',
    options: {
      mode: bytes ? 'bytes' : update ? 'update' : 'lines',
      delimiter,
      total,
      desc: flags.desc ?? '',
      unit,
      minInterval,
      discard: flags.null === true,
    },
  };
}

function usage(message: string): ParsedArgs {
  return { kind: 'error', message };
}
