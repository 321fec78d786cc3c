/**
 * `progress.observe(listener)`: the program's listeners, told about every bar a renderer draws, at the
 * renderer's frame ticks and once when a bar closes (metrics, health endpoints: `taqaddum/otel`).
 *
 * - The schedule is the frames': the renderer calls `observeFrame` after each frame (drawn or not: a
 *   log's frames write a status line only every `plainInterval`, and the bars of a broken stream still
 *   count), and `observeClose` when a bar closes. Each bar is reported at most once per its `minInterval`,
 *   plus once at its close. A bar that draws nothing (`disable`) has no renderer, so it is never reported.
 * - Nothing here runs per item: with no listener both calls return at once.
 * - A listener runs after the frame's write, never inside it, and never inside another listener: a
 *   listener that prints (`progress.write`, captured console output) or closes a bar starts a frame or a
 *   close whose reports wait in the queue until the current ones are delivered.
 * - A listener that throws does not stop the bars, the job or the other listeners: the error is reported
 *   as a process warning (once per listener; it stays subscribed), as a `format` function's is.
 */
import type { FormatState } from '../options/bar.js';
import type { Drawable } from './drawable.js';

/**
 * What an observer is given for a bar: the state its `format` function gets (a fresh, frozen object), and
 * which bar it is.
 */
export interface BarSnapshot extends FormatState {
  /** The bar's number: the same for every snapshot of that bar, never reused in the process (1, 2, 3…). */
  readonly id: number;
  /** The `id` of the bar it is drawn under (nested), or `undefined` for a top-level bar. */
  readonly parent: number | undefined;
}

/** A listener of `progress.observe()`. */
export type Observer = (snapshot: BarSnapshot) => void;

/** A live bar as the renderer records it: the bar, and the record of the bar it is drawn under. */
export interface ObservedBar {
  readonly bar: Drawable;
  readonly parent: { readonly bar: Drawable } | undefined;
}

/** What this module keeps of a bar it has reported: its id, and when it was last reported. */
interface Seen {
  readonly id: number;
  lastAt: number;
}

const listeners = new Set<Observer>();
/** Listeners that threw once: warned about, not again. */
const warned = new WeakSet<Observer>();
const seen = new WeakMap<Drawable, Seen>();
let lastId = 0;
/** Snapshots waiting to be delivered, in order; delivering (`draining`) is never nested. */
const queue: BarSnapshot[] = [];
let draining = false;

/**
 * Subscribes `listener`; returns the function that unsubscribes it (idempotent). The same function
 * subscribed twice is called once per snapshot, and the first unsubscribe removes it.
 */
export function addObserver(listener: Observer): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Whether anything observes (the renderer skips the calls when not). */
export function observed(): boolean {
  return listeners.size > 0;
}

function seenOf(bar: Drawable): Seen {
  let s = seen.get(bar);
  if (s === undefined) {
    s = { id: ++lastId, lastAt: -Infinity };
    seen.set(bar, s);
  }
  return s;
}

function snapshotOf(bar: Drawable, parent: Drawable | undefined, id: number, now: number): BarSnapshot {
  return Object.freeze({ ...bar.formatState(now), id, parent: parent === undefined ? undefined : seenOf(parent).id });
}

/** After a frame at `now`: every live bar whose `minInterval` has passed since it was last reported. */
export function observeFrame(live: readonly ObservedBar[], now: number): void {
  if (listeners.size === 0) return;
  for (const { bar, parent } of live) {
    const s = seenOf(bar);
    if (now - s.lastAt < bar.minInterval) continue;
    s.lastAt = now;
    bar.sample(now); // a frame samples only what it draws (a log: top-level bars, when a line is due)
    queue.push(snapshotOf(bar, parent?.bar, s.id, now));
  }
  deliver();
}

/** A bar closed at `now` (the renderer has taken its last sample): its final snapshot. */
export function observeClose(bar: Drawable, parent: Drawable | undefined, now: number): void {
  if (listeners.size === 0) return;
  const s = seenOf(bar);
  s.lastAt = now;
  queue.push(snapshotOf(bar, parent, s.id, now));
  deliver();
}

function deliver(): void {
  if (draining) return; // called from a listener: the outer loop delivers these too
  draining = true;
  try {
    for (let i = 0; i < queue.length; i++) {
      const snapshot = queue[i] as BarSnapshot;
      for (const listener of [...listeners]) {
        if (listeners.has(listener)) call(listener, snapshot); // one unsubscribed meanwhile is not called
      }
    }
  } finally {
    queue.length = 0;
    draining = false;
  }
}

function call(listener: Observer, snapshot: BarSnapshot): void {
  try {
    listener(snapshot);
  } catch (error) {
    if (warned.has(listener)) return;
    warned.add(listener);
    const reason = error instanceof Error ? error : new Error(String(error));
    process.emitWarning(`A listener of progress.observe() threw; it is still called, and not reported again: ${reason.message}`, {
      type: 'TaqaddumObserverWarning',
      detail: reason.stack,
    });
  }
}
