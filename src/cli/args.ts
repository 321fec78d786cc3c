/**
 * The command line of `taqaddum`: flags in, a plain description of the run out. Pure (no I/O), so every
 * flag and every error message is tested directly.
 *
 * Errors are one line that names the flag (`--total: expected a size like 4.2GB, 10k or 1500, got "x"`);
 * the command prints it after `taqaddum: ` and exits with status 2.
 */
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

const VALUE_FLAGS = new Set(['--delim', '--total', '--desc', '--unit', '--min-interval']);
const SWITCHES = new Set(['--bytes', '--update', '--null', '--help', '-h', '--version', '-v']);

/** A flag's text in an error message: quoted, with every control shown escaped (JSON leaves DEL and C1 as they are). */
function quote(text: string): string {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return shown.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Parses the arguments (without `node` and the script). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (i + 1 < argv.length) return usage(`unexpected argument ${quote(argv[i + 1] as string)}: taqaddum reads standard input (taqaddum < file)`);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      return usage(`unexpected argument ${quote(arg)}: taqaddum reads standard input (taqaddum < file)`);
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      let value: string;
      if (name !== arg) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) return usage(`${name} needs a value`);
        value = next;
        i++;
      }
      values.set(name, value);
    } else if (SWITCHES.has(name)) {
      if (name !== arg) return usage(`${name} takes no value`);
      switches.add(name);
    } else {
      const hint = arg.startsWith('--') ? '' : ` (options start with --, e.g. --bytes)`;
      return usage(`unknown option ${quote(name)}${hint}`);
    }
  }
  if (switches.has('--help') || switches.has('-h')) return { kind: 'help' };
  if (switches.has('--version') || switches.has('-v')) return { kind: 'version' };

  const bytes = switches.has('--bytes');
  const update = switches.has('--update');
  if (bytes && update) return usage('--update cannot be combined with --bytes');
  if (bytes && values.has('--delim')) return usage('--delim has no effect with --bytes (bytes are counted, not lines)');

  let delimiter: Buffer = Buffer.from('\n');
  const delim = values.get('--delim');
  if (delim !== undefined) {
    const parsed = parseDelimiter(delim);
    if (typeof parsed === 'string') return usage(`--delim: ${parsed}`);
    delimiter = parsed;
  }

  let total: number | undefined;
  const totalText = values.get('--total');
  if (totalText !== undefined) {
    total = parseSize(totalText);
    if (total === undefined) return usage(`--total: expected a size like 4.2GB, 10k or 1500, got ${quote(totalText)}`);
  }

  let minInterval: number | undefined;
  const intervalText = values.get('--min-interval');
  if (intervalText !== undefined) {
    minInterval = parseInterval(intervalText);
    if (minInterval === undefined) {
      return usage(`--min-interval: expected seconds (0.5) or milliseconds (200ms), got ${quote(intervalText)}`);
    }
  }

  const unit = values.get('--unit') ?? (bytes ? 'B' : 'it');
  // The bar shows the unit sanitised (format/sanitize.ts): one made only of escape codes would show as nothing.
  if (sanitize(unit, false).trim() === '') return usage(`--unit: expected a name, got ${quote(unit)}`);

  return {
    kind: 'run',
    options: {
      mode: bytes ? 'bytes' : update ? 'update' : 'lines',
      delimiter,
      total,
      desc: values.get('--desc') ?? '',
      unit,
      minInterval,
      discard: switches.has('--null'),
    },
  };
}

function usage(message: string): ParsedArgs {
  return { kind: 'error', message };
}
