/**
 * Issue 11: the cost of a frame with a `format` template, against the default layout.
 *
 * Frames are throttled, so a template costs per frame, not per item. Two figures, each paired and
 * alternated with the default layout:
 * - the line: what the template changes in a frame, `bar.line(now, 100, true)` (the view, the field values,
 *   the layout at 100 columns, colours on), timed over many calls (the target: no more than the default);
 * - the whole frame: a manual bar on a fake terminal with `minInterval: 0`, where each `bar.set()` draws a
 *   frame (sample, line, log-update, one write). Most of a frame is log-update's (~100 µs), and its cost
 *   depends on the text (colour codes cost it more), so this is shown, not targeted.
 *
 * The default layout's sync overhead per item is the core suite's (`node bench/run.js core`): the hot path
 * does not read the template.
 */
import { cpuNow, fakeTTY, median, paired, sleep, summary } from '../lib.js';
import { progress } from '../../dist/index.js';
import { ProgressBar } from '../../dist/bar.js';
import { resolveOptions } from '../../dist/options/bar.js';

export const title = 'Templates: the cost of a frame (issue 11)';

const TQDM = '{desc}: {percentage}|{bar}| {n}/{total} [{elapsed}<{eta}, {rate}{postfix}]';
const DOWNLOAD = '{desc:bold} {bar:cyan} {n}/{total} · {rate} · {eta}';

function frames(count, options, stream) {
  const bar = progress.bar({ stream, total: count * 10, desc: 'rows', minInterval: 0, captureOutput: false, ...options });
  for (let i = 0; i < count; i++) {
    bar.update(10);
    bar.set({ postfix: { i } });
  }
  bar.close();
}

/** `count` lines of a bar at 420/1000, formatted as a frame would (the bar is never started: no renderer). */
function lines(count, options, stream) {
  const bar = new ProgressBar(resolveOptions({ stream, total: 1000, desc: 'rows', postfix: { loss: 0.25 }, ...options }));
  bar.state.n = 420;
  let chars = 0;
  for (let i = 0; i < count; i++) {
    bar.state.n = 420 + (i & 7);
    chars += bar.line(3400 + i, 100, true).length;
  }
  return chars;
}

function row(section, name, r, per, unit, target) {
  const ours = summary(r.b.map((ms) => (ms * 1000) / per));
  const ratio = median(r.ratio);
  return {
    section,
    name,
    value: ours.value,
    min: ours.min,
    max: ours.max,
    runs: r.b.length,
    unit,
    reference: `default layout: ${((median(r.a) * 1000) / per).toFixed(2)} ${unit}`,
    ratio,
    target: target ? '≤ 1.1× the default layout' : '(shown)',
    pass: target ? ratio <= 1.1 : true,
  };
}

export async function run(ctx) {
  const quick = ctx.quick;
  const log = ctx.log ?? (() => {});
  const L = quick ? 20_000 : 200_000;
  const F = quick ? 500 : 2_000;
  const ROUNDS = quick ? 3 : 9;
  const stream = fakeTTY();
  const variants = [
    ["tqdm's look as a template", { format: TQDM }],
    ['a download line with styles and `color` (colours on)', { format: DOWNLOAD, color: 'cyan' }],
    ['a `format` function', { format: (s, w) => `${s.desc} ${s.n}/${s.total} ${'#'.repeat(Math.floor(((s.percentage ?? 0) / 100) * (w - 20)))}` }],
  ];
  const rows = [];

  for (let i = 0; i < 20; i++) {
    lines(2000, {}, stream);
    for (const [, o] of variants) lines(2000, o, stream);
  }
  const lineSection = 'the line of a frame (`bar.line()` at 100 columns, colours on)';
  for (const [name, options] of variants) {
    log(`line: ${name}: ${L} lines × ${ROUNDS} rounds`);
    const r = await paired(ROUNDS, () => lines(L, {}, stream), () => lines(L, options, stream), cpuNow, { collect: false });
    rows.push(row(lineSection, name, r, L, 'µs/line', true));
  }

  // A terminal renderer draws once log-update has loaded (a little after the first bar opens, for a bar
  // that is not a sync loop): open one and wait, so that every timed `set()` draws a frame.
  const first = progress.bar({ stream, total: 10, minInterval: 0, captureOutput: false });
  await sleep(1000);
  first.close();
  stream.reset();
  frames(100, {}, stream);
  if (stream.writes < 100) throw new Error(`frames are not drawn (${stream.writes} writes for 100 frames)`);
  for (let i = 0; i < 3; i++) {
    frames(300, {}, stream);
    for (const [, o] of variants) frames(300, o, stream);
  }
  const frameSection = 'a whole frame (fake terminal with colours, `minInterval: 0`)';
  for (const [name, options] of variants) {
    log(`frame: ${name}: ${F} frames × ${ROUNDS} rounds`);
    const r = await paired(ROUNDS, () => frames(F, {}, stream), () => frames(F, options, stream), cpuNow, { collect: false });
    rows.push(row(frameSection, name, r, F, 'µs/frame', false));
  }
  return {
    rows,
    notes: [
      'The line: a bar at 420/1000 with a postfix, `bar.line(now, 100, true)` on a stream that has colours, as a frame calls it.',
      'A whole frame: `bar.update(10)` then `bar.set({ postfix })`, which draws at once with `minInterval: 0`; most of it is log-update, whose cost grows with colour codes in the text.',
    ],
  };
}
