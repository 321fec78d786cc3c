/**
 * Pictures in the docs: lines that show a bar mid-run (`rows:  42%|████▍     | 420/1000 [00:03<00:04, 123 it/s]`),
 * in a block marked `<!-- doctest: picture … -->` or in a `//` comment of a code block, cannot be compared
 * with a run (no run stops at 42%). Each is checked against the library's own formatter instead: the state
 * the line shows (desc, count, total, elapsed, ETA, rate, task fields, postfix, ✗) is read back from it and
 * formatted at the line's width by `formatLine` (src/format/line.ts); the result must be the line, character
 * for character. A count shown rounded (`29.4 MB`, `120k`) may stand for any value that shows that way, so
 * values around it are tried too. The lines of a pending report under a bar are checked the same way with
 * `formatPendingReport`. What this proves: the picture is laid out as the code lays it out (spacing, bar
 * cells, number formats, field order). What it cannot prove: that the estimator would give those numbers.
 */
import type { Snapshot, TaskCounts } from '../src/core/state.js';
import { formatLine } from '../src/format/line.js';
import { displayWidth } from '../src/format/width.js';
import { formatPendingReport } from '../src/promises/pending.js';
import { formatWaitingLine } from '../src/promises/stragglers.js';

const SI: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** `420` → 420, `1.31k` → 1310, `29.4 MB` → 29.4e6 (with whether it was bytes, and SI-scaled). */
function parseAmount(text: string): { value: number; bytes: boolean; scaled: boolean } | undefined {
  const bytes = /^(\d+(?:\.\d+)?) ([kMGTP]?)B$/.exec(text);
  if (bytes !== null) return { value: Number(bytes[1]) * (SI[bytes[2] as string] as number), bytes: true, scaled: false };
  const count = /^(\d+(?:\.\d+)?)([kMGTP]?)$/.exec(text);
  if (count !== null) {
    return { value: Number(count[1]) * (SI[count[2] as string] as number), bytes: false, scaled: count[2] !== '' };
  }
  return undefined;
}

/** `00:03` → 3, `1:02:03` → 3723, `?` → undefined. */
function parseDuration(text: string): number | undefined | null {
  if (text === '?') return undefined;
  const m = /^(?:(\d+):)?(\d\d):(\d\d)$/.exec(text);
  if (m === null) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** `123 it/s` → 123, `12.8 MB/s` → 12.8e6, `2.50 s/it` → 0.4, `? it/s` → undefined; with its unit. */
function parseRate(text: string): { rate: number | undefined; unit: string } | null {
  const unknown = /^\? (\S+)\/s$/.exec(text);
  if (unknown !== null) return { rate: undefined, unit: unknown[1] as string };
  const slow = /^(\d+(?:\.\d+)?)([kMGTP]?) s\/(\S+)$/.exec(text);
  if (slow !== null) return { rate: 1 / (Number(slow[1]) * (SI[slow[2] as string] as number)), unit: slow[3] as string };
  const fast = /^(\d+(?:\.\d+)?)([kMGTP]?) (\S+)\/s$/.exec(text);
  if (fast === null) return null;
  const bytes = /^([kMGTP]?)B$/.exec(fast[3] as string);
  if (bytes !== null) {
    return { rate: Number(fast[1]) * (SI[fast[2] as string] as number) * (SI[bytes[1] as string] as number), unit: 'B' };
  }
  return { rate: Number(fast[1]) * (SI[fast[2] as string] as number), unit: fast[3] as string };
}

/** `42s` → 42, `3m05s` → 185, `2h07m` → 7620, `<1s` → 0.5. */
function parseStall(text: string): number | null {
  if (text === '<1s') return 0.5;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (m === null || text === '') return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const BAR_LINE =
  /^(?:(?<desc>.*?): +)?(?:(?<pct>\d+)%(?:\|(?<bar>[█▏▎▍▌▋▊▉ ]+)\|)? )?(?<fail>✗ )?(?<counts>[^[\]]+?) \[(?<fields>[^[\]]*)\]$/u;

/** Whether a line is meant as a bar: it ends with `[…]` holding a duration. */
export function looksLikeBar(line: string): boolean {
  return /\[(?:\d+:)?\d\d:\d\d\b[^\]]*\]$/.test(line.trimEnd());
}

/**
 * The snapshots a bar line could have been drawn from (several when a count is shown rounded), or a reason
 * it cannot be read.
 */
function snapshotsOf(line: string): Snapshot[] | string {
  const m = BAR_LINE.exec(line);
  if (m === null) return 'not laid out as a bar line';
  const g = m.groups as Record<string, string | undefined>;
  const fields = (g.fields as string).split(', ');
  const [times = '', rateText = '', ...rest] = fields;
  const [elapsedText = '', etaText] = times.split('<');
  const elapsed = parseDuration(elapsedText);
  if (elapsed === null || elapsed === undefined) return `\`${elapsedText}\` is not a duration`;
  const eta = etaText === undefined ? undefined : parseDuration(etaText);
  if (eta === null) return `\`${etaText}\` is not a duration`;
  const rate = parseRate(rateText);
  if (rate === null) return `\`${rateText}\` is not a rate`;
  let running: number | undefined;
  let failed = 0;
  let pending: number | undefined;
  let stalled: number | undefined;
  let slow: number | undefined;
  let isTask = false;
  const postfix: string[] = [];
  for (const f of rest) {
    let t: RegExpExecArray | null;
    if ((t = /^(\d+) running$/.exec(f)) !== null) [running, isTask] = [Number(t[1]), true];
    else if ((t = /^(\d+) failed$/.exec(f)) !== null) [failed, isTask] = [Number(t[1]), true];
    else if ((t = /^(\d+) pending$/.exec(f)) !== null) [pending, isTask] = [Number(t[1]), true];
    else if ((t = /^(\d+) slow$/.exec(f)) !== null) [slow, isTask] = [Number(t[1]), true];
    else if ((t = /^stalled (\S+)$/.exec(f)) !== null) {
      const s = parseStall(t[1] as string);
      if (s === null) return `\`${f}\` is not a stall time`;
      [stalled, isTask] = [s, true];
    } else postfix.push(f);
  }
  let n: ReturnType<typeof parseAmount>;
  let total: ReturnType<typeof parseAmount>;
  let unit = rate.unit;
  const counts = g.counts as string;
  if (g.pct !== undefined) {
    const [a = '', b = ''] = counts.split('/');
    n = parseAmount(a);
    total = parseAmount(b);
    if (n === undefined || total === undefined) return `\`${counts}\` are not counts`;
  } else {
    const c = /^(.*) (\S+)$/.exec(counts);
    n = parseAmount(counts) ?? (c === null ? undefined : parseAmount(c[1] as string));
    if (n === undefined) return `\`${counts}\` is not a count`;
    if (!n.bytes && c !== null) unit = c[2] as string;
  }
  const bytes = n.bytes;
  const tasks: TaskCounts | undefined = isTask
    ? {
        running,
        pending: pending ?? (total === undefined ? 1 : Math.max(1, total.value - n.value)),
        failed,
        stalled,
        slow,
      }
    : undefined;
  // Values of n that show as the picture shows them: the one read, and others close to it (a rounded
  // count), including those that give the percentage shown.
  const candidates = new Set<number>([n.value]);
  const exact = !n.bytes && !n.scaled;
  if (!exact) for (let k = -50; k <= 50; k++) candidates.add(n.value * (1 + k / 1000));
  if (g.pct !== undefined && total !== undefined && !exact) {
    for (let k = 0; k < 100; k++) candidates.add((total.value * (Number(g.pct) + k / 100)) / 100);
  }
  return [...candidates].map((value): Snapshot => ({
    desc: g.desc ?? '',
    n: value,
    total: total?.value,
    unit: bytes ? 'B' : unit,
    bytes,
    unitScale: n.scaled || total?.scaled === true,
    elapsed,
    rate: rate.rate,
    eta,
    postfix: postfix.join(', '),
    outcome: g.fail !== undefined ? 'failed' : 'running',
    tasks,
  }));
}

/** Checks one bar line: '' when the formatter draws it exactly so, else what it draws instead. */
export function barLineProblem(line: string): string {
  const text = line.trimEnd();
  const snapshots = snapshotsOf(text);
  if (typeof snapshots === 'string') return `\`${text}\`: ${snapshots}`;
  const width = displayWidth(text);
  let closest = '';
  for (const s of snapshots) {
    const drawn = formatLine(s, width);
    if (drawn === text) return '';
    if (closest === '') closest = drawn;
  }
  return `the library draws this state as\n    |${closest}\n  not\n    |${text}`;
}

/** Checks the live list of stragglers (`  #17 https://…  waiting 42s`) right under a bar line. */
function liveListProblem(lines: readonly string[], width: number): string {
  const now = 1e9;
  for (const l of lines) {
    const e = /^ {2}#(\d+)(?: (.*?))? {2}waiting (\S+)$/.exec(l);
    const age = e === null ? null : parseStall(e[3] as string);
    if (e === null || age === null) return `\`${l}\` is not a line of the live list`;
    const drawn = formatWaitingLine({ index: Number(e[1]), since: now - age * 1000, label: e[2] }, now, width, false);
    if (drawn !== l) return `the library draws this live list line as\n    |${drawn}\n  not\n    |${l}`;
  }
  return '';
}

/** Checks a pending report (its lines, right under a bar line of the given width). */
function reportProblem(lines: readonly string[], width: number): string {
  if (/^ {2}#/.test(lines[0] ?? '')) return liveListProblem(lines, width);
  const head = /^ {2}(\d+) still pending(?:, oldest first)?:$/.exec(lines[0] ?? '');
  if (head === null) return `\`${lines[0]}\` is not the head of a pending report`;
  const pending = Number(head[1]);
  const now = 1e9;
  const entries = [];
  for (const l of lines.slice(1)) {
    if (/^ {4}… and \d+ more$/.test(l)) continue;
    const e = /^ {4}#(\d+) +(\S+)(?: {2}(.*))?$/.exec(l);
    const age = e === null ? null : parseStall(e[2] as string);
    if (e === null || age === null) return `\`${l}\` is not a line of a pending report`;
    entries.push({ index: Number(e[1]), since: now - age * 1000, label: e[3] });
  }
  const drawn = formatPendingReport(entries, pending, now, width);
  return drawn.join('\n') === lines.join('\n')
    ? ''
    : `the library draws this report as\n${drawn.map((l) => `    |${l}`).join('\n')}\n  not\n${lines.map((l) => `    |${l}`).join('\n')}`;
}

/** Checks every line of a picture block; counts the lines it could check. */
export function pictureProblems(text: string): { checked: number; problems: string[] } {
  const lines = text.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
  const problems: string[] = [];
  let checked = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (looksLikeBar(line)) {
      checked++;
      const p = barLineProblem(line);
      if (p !== '') problems.push(p);
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).startsWith('  ') && !looksLikeBar(lines[j] as string)) j++;
      if (j > i + 1) {
        checked += j - i - 1;
        const r = reportProblem(lines.slice(i + 1, j), 80);
        if (r !== '') problems.push(r);
        i = j - 1;
      }
    } else {
      problems.push(`\`${line}\` is neither a bar nor a pending report: a picture holds only what the library draws`);
    }
  }
  return { checked, problems };
}

/** Bar lines shown in `//` comments of a code block (`// gzip:  42%|…| 1.8 GB/4.2 GB [00:12<00:16, 150 MB/s]`). */
export function commentPictures(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/\/\/ ?(.*)$/gm)) {
    const bar = /^(.*?\])(?:\s|$)/.exec((m[1] as string).replace(/^prints:\s*/, ''));
    if (bar !== null && looksLikeBar(bar[1] as string) && !(m[1] as string).startsWith('prints:')) out.push(bar[1] as string);
  }
  return out;
}
