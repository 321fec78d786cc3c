/**
 * `progress.observe(listener)`: the program hears of every bar drawn, at each frame tick and at its close
 * (for metrics: `taqaddum/otel` is built on it). The listeners and their schedule: render/observers.ts.
 */
import { checkFunction } from './options/checks.js';
import type { BarSnapshot, Observer } from './render/observers.js';
import { addObserver } from './render/observers.js';

export type { BarSnapshot };

/**
 * Calls `listener(snapshot)` for every live bar (nested ones too) at each frame tick of its renderer, at
 * most once per the bar's `minInterval`, and once when the bar closes (`snapshot.done` is then true). On a
 * terminal a tick comes every `minInterval`; in a log (not a terminal) at least every
 * `min(10 × minInterval, 1 s)` while the event loop turns, whether or not a status line is due. A bar that
 * draws nothing (`disable`, `TAQADDUM_DISABLE`) is not observed. The snapshot is the frozen state a
 * `format` function gets, with the bar's `id` and its `parent`'s. A listener that throws is reported once
 * as a process warning and stays subscribed; the bars and the job go on. Returns the function that
 * unsubscribes (idempotent).
 * @example
 * const stop = progress.observe((s) => gauge.set(s.n, { desc: s.desc }));
 * // …
 * stop();
 */
export function observe(listener: (snapshot: BarSnapshot) => void): () => void {
  return addObserver(checkFunction<Observer>('listener', listener));
}
