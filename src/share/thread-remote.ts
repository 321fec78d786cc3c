/**
 * A remote in a thread of the bar's own process (a worker thread, a piscina task, or the main thread
 * itself): counts go into this thread's counter in the shared memory (layout.ts), `set()` messages through
 * a `BroadcastChannel`. One counter per thread per shared bar, kept for the thread's life, whatever the
 * number of remotes attached in it (a pool thread attaches once per task).
 */
import type { RemoteBar, RemoteUpdate } from '../bar-api.js';
import { countOverflow, typeError } from '../options/checks.js';
import { CLAIMED, CLOSES, OVERFLOW, RELEASED, SLOTS, slotIndex, withLock } from './layout.js';
import { checkRemoteUpdate } from './messages.js';

/** This thread's counter of one shared bar. */
interface Counter {
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** Its Float64 index, or -1: the slots were all taken, this thread counts into the overflow counter. */
  readonly at: number;
  /** What this thread counted (the counter's value: this thread is its only writer). */
  count: number;
  channel: (InstanceType<typeof BroadcastChannel> & { unref?(): void }) | undefined;
  readonly id: string;
}

/**
 * This thread's counters, by shared bar id. A long-lived thread (a pool's) may serve many bars in turn:
 * those of bars that have closed are forgotten at the next attach, so the map holds live bars only.
 */
const counters = new Map<string, Counter>();

function counterFor(id: string, buffer: SharedArrayBuffer): Counter {
  for (const [key, old] of counters) {
    if (Atomics.load(old.i32, RELEASED) === 0) continue;
    counters.delete(key);
    old.channel?.close(); // a remote still open on it sends nothing more: its bar is gone
    old.channel = undefined;
  }
  let counter = counters.get(id);
  if (counter === undefined) {
    const i32 = new Int32Array(buffer);
    const slot = Atomics.add(i32, CLAIMED, 1);
    counter = { f64: new Float64Array(buffer), i32, at: slot < SLOTS ? slotIndex(slot) : -1, count: 0, channel: undefined, id };
    counters.set(id, counter);
  }
  return counter;
}

export class ThreadRemote implements RemoteBar {
  private readonly counter: Counter;
  private closed = false;

  constructor(id: string, buffer: SharedArrayBuffer) {
    this.counter = counterFor(id, buffer);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  update(n = 1): void {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError('n', 'a finite number', n);
    if (this.closed) return;
    const c = this.counter;
    if (!Number.isFinite(c.count + n)) throw countOverflow(c.count, n);
    if (c.at < 0) {
      c.count += n;
      withLock(c.i32, () => {
        c.f64[OVERFLOW] = (c.f64[OVERFLOW] as number) + n;
      });
      return;
    }
    c.f64[c.at] = c.count += n;
  }

  set(update: RemoteUpdate): void {
    const message = checkRemoteUpdate(update);
    if (this.closed) return;
    const c = this.counter;
    if (Atomics.load(c.i32, RELEASED) === 1) return; // the bar has closed
    if (c.channel === undefined) {
      const { BroadcastChannel: Channel } = process.getBuiltinModule('node:worker_threads');
      c.channel = new Channel(`taqaddum:${c.id}`);
      c.channel.unref?.();
    }
    c.channel.postMessage(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // An atomic write after this thread's last count: the bar's next atomic read is ordered after it.
    Atomics.add(this.counter.i32, CLOSES, 1);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
