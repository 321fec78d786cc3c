/**
 * The bar's side of `bar.share()`: the shared counters of the threads that attach, the `BroadcastChannel`
 * their `set()` messages come on, and the socket server of child processes (socket-server.ts). The bar
 * calls `pull()` when it samples (each frame, `bar.n`, and when it closes) and brings the difference in as
 * a lazy count; `release()` when it closes.
 *
 * Nothing here keeps the process alive: the channel and the server are unref'd. Node's built-ins load
 * when the first bar is shared, not when the package is imported.
 */
import type { BarHandle } from '../bar-api.js';
import {
  BUFFER_BYTES,
  CLAIMED,
  CLOSES,
  HANDLE_KIND,
  OVERFLOW,
  RELEASED,
  SLOTS,
  slotIndex,
  withLock,
} from './layout.js';
import { setMessageOf, type SetMessage } from './messages.js';
import { SocketServer, socketName } from './socket-server.js';

export class ShareHost {
  readonly handle: BarHandle;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly channel: InstanceType<typeof BroadcastChannel> & { unref?(): void };
  private readonly server: SocketServer;
  /** The total of all remote counts at the last pull. */
  private seen = 0;
  private released = false;

  constructor(onSet: (message: SetMessage) => void) {
    const buffer = new SharedArrayBuffer(BUFFER_BYTES);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    const id = globalThis.crypto.randomUUID();
    const key = globalThis.crypto.randomUUID();
    const socket = socketName(id);
    this.handle = { kind: HANDLE_KIND, id, buffer, socket, key };
    const { BroadcastChannel: Channel } = process.getBuiltinModule('node:worker_threads');
    this.channel = new Channel(`taqaddum:${id}`);
    this.channel.onmessage = (event: unknown) => {
      const message = setMessageOf((event as { data?: unknown }).data);
      if (message !== undefined && !this.released) onSet(message);
    };
    this.channel.unref?.();
    this.server = new SocketServer(socket, key, onSet);
  }

  /** What the remotes counted since the last pull (0 once released). */
  pull(): number {
    if (this.released) return 0;
    const total = this.threadsTotal() + this.server.total;
    const delta = total - this.seen;
    this.seen = total;
    return delta;
  }

  /** The bar closed: later counts are not read, the channel and the server close. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    Atomics.store(this.i32, RELEASED, 1);
    this.channel.close();
    this.server.close();
  }

  /** The counters of this process's threads, added up. */
  private threadsTotal(): number {
    const f64 = this.f64;
    const i32 = this.i32;
    // Atomic reads first: what a remote wrote before its close() (which bumps CLOSES) is seen below.
    Atomics.load(i32, CLOSES);
    const claimed = Math.min(Atomics.load(i32, CLAIMED), SLOTS);
    let sum = 0;
    for (let slot = 0; slot < claimed; slot++) {
      const at = slotIndex(slot);
      let value = f64[at] as number;
      // Two reads that agree: not a mix of two writes (see layout.ts).
      for (let again = f64[at] as number; !Object.is(again, value); again = f64[at] as number) value = again;
      sum += value;
    }
    if (Atomics.load(i32, CLAIMED) > SLOTS) sum += withLock(i32, () => f64[OVERFLOW] as number);
    return sum;
  }
}
