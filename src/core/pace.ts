/**
 * The countdown between clock reads, and how it is reloaded at each lap (the countdown ran out: read the
 * clock, poke the renderer, reload). Pure: the bar (bar.ts) calls these with what it measured.
 *
 * The pace is about the items expected in `stride` ms (a quarter of `minInterval`) at the item rate
 * measured over the last lap. It can at most double from one lap to the next, so it ramps up from 1 in a
 * few reads, and it can fall at once, so a slow-down is seen at the next read. It is not capped low:
 * adapters read it as "items are fast".
 *
 * A loop that slows down. A synchronous loop blocks the renderer's timer (so does an async loop that
 * never waits for I/O: it runs on microtasks), so its clock reads are its only chance to draw. If the
 * countdown was loaded for the old pace, a loop that turns slow (a million 1 ns items, then 10 ms ones)
 * reads the clock again only after that many slow items: hours. Whatever a scheme does between two reads
 * k items apart, the slow-down can start right after a read and go unseen for k slow items: an
 * exponential back-off (reload 1, 2, 4… after each read) ends every ramp with a step as large as the items
 * it has seen, so it has the same blind spot; and shrinking the countdown by the measured slow-down
 * (`items × stride / dt` below) only helps from the first read after it. Only a bound on k bounds the
 * blind spot, and its price is one clock read (≈ 30–120 ns) per k items, so the countdown is capped twice:
 * - at `MAX_COUNTDOWN` (64) items: in the fastest loops (a few ns per item) that is ≈ 0.5–2 ns per item
 *   (docs/benchmarks.md: the 10M-item rows, and "fast then slow" for the gap between frames);
 * - at the items of `MAX_SPAN_MS` (20 µs) at the current pace, where a read costs under 1 % of the loop:
 *   64 items at 1 ns, 20 at 1 µs, a read on every item from 20 µs per item on.
 * So after a slow-down the next frame comes within 64 slow items, and within 20 µs' worth of the old
 * items (10 ms items after 1 ns ones: 0.64 s; 1 s items after 5 µs ones: 4 s); from then on the
 * countdown, reloaded from the new pace, keeps to a frame per `minInterval`.
 */

/** The countdown (and pace) when nothing is drawn: large, so a disabled bar costs a decrement per item. */
export const IDLE_COUNTDOWN = 2 ** 30;
/** Items between clock reads never exceed this: a loop that slows down is seen within 64 items (see above). */
export const MAX_COUNTDOWN = 64;
/** Nor do they last longer than this, at the pace measured: a read costs under 1 % of that (see above). */
export const MAX_SPAN_MS = 0.02;
/** The pace never exceeds this. */
export const MAX_PACE = 1 << 20;

/** Milliseconds per lap that a bar aims for: a quarter of its `minInterval`, at least 1. */
export function strideFor(minInterval: number): number {
  return Math.max(minInterval / 4, 1);
}

/**
 * The pace after a lap in which `items` items took `dt` ms: the items of `stride` ms at that rate, at
 * most twice the last `pace` (twice it when no time was seen to pass), an integer in [1, `MAX_PACE`].
 */
export function nextPace(pace: number, items: number, dt: number, stride: number): number {
  const next = dt <= 0 ? pace * 2 : Math.min((items * stride) / dt, pace * 2);
  return next < 1 ? 1 : next > MAX_PACE ? MAX_PACE : Math.floor(next);
}

/**
 * The countdown to the next lap, given the new `pace` and the last lap (`items` in `dt` ms): the pace, but
 * at most `MAX_COUNTDOWN` items and at most the items of `MAX_SPAN_MS` at the rate measured; at least 1.
 */
export function nextCountdown(pace: number, items: number, dt: number): number {
  let next = MAX_COUNTDOWN;
  if (dt > 0) {
    const span = (items * MAX_SPAN_MS) / dt;
    if (span < next) next = span;
  }
  if (pace < next) next = pace;
  return next < 1.5 ? 1 : Math.round(next); // a span of 1.9999… items (clock rounding) is 2
}
