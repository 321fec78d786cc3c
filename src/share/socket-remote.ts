/**
 * A remote in another process (a child started with `fork`, or `spawn` with an IPC channel, that got the
 * handle as JSON: no shared memory): it connects to the bar's local socket (socket-server.ts) and sends
 * its count so far at most every `SEND_EVERY` ms, plus `set()` messages, as lines of JSON.
 *
 * Nothing lost at exit: `close()` sends the count at once and keeps the process alive until the parent
 * answers that it has it (or the connection fails, or `GIVE_UP` ms pass); so does the end of the event loop
 * (`beforeExit`) for a remote never closed, without closing it. At `process.exit()` the count is written
 * synchronously where the socket takes it (a connected Unix socket does). A child that is killed loses
 * what it counted since its last line (up to `SEND_EVERY` ms of counting); the parent's bar goes on, and
 * the socket costs it nothing more. The socket is unref'd the rest of the time: a child is never kept
 * alive by it, nor by the timer.
 */
import type { Socket } from 'node:net';
import type { RemoteBar, RemoteUpdate } from '../bar-api.js';
import { countOverflow, typeError } from '../options/checks.js';
import type { CheckedHandle } from './layout.js';
import { checkRemoteUpdate, type SetMessage, type WireMessage } from './messages.js';

/** A few messages per second: the parent's bar draws ~10 frames a second, a line costs a syscall each side. */
export const SEND_EVERY = 250;
/** How long a closing remote waits for the parent to confirm its count. */
const GIVE_UP = 2000;

/** The remotes of this process whose counts may not all have reached their bar. */
const open = new Set<SocketRemote>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('beforeExit', () => {
    for (const remote of open) remote.flush(true);
  });
  process.on('exit', () => {
    for (const remote of open) remote.flushAtExit();
  });
}

export class SocketRemote implements RemoteBar {
  private readonly socket: Socket;
  private count = 0;
  private sent = 0;
  private pendingSet: SetMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private giveUp: NodeJS.Timeout | undefined;
  /** Lines sent with `ack` that the parent has not answered yet. */
  private awaiting = 0;
  private closed = false;
  /** The connection failed or ended: nothing more can be sent (counts go on locally, unseen). */
  private gone = false;
  private readonly send = (): void => this.flush(false);

  constructor(handle: CheckedHandle) {
    const net = process.getBuiltinModule('node:net');
    this.socket = net.connect(handle.socket);
    this.socket.unref();
    this.socket.setEncoding('utf8');
    this.socket.on('error', () => this.lose());
    this.socket.on('close', () => this.lose());
    this.socket.on('data', (answers: string) => this.acknowledged(answers.length));
    this.write({ key: handle.key, n: 0 });
    open.add(this);
    hookExit();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  update(n = 1): void {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError('n', 'a finite number', n);
    if (this.closed) return;
    if (!Number.isFinite(this.count + n)) throw countOverflow(this.count, n);
    this.count += n;
    this.timer ??= setTimeout(this.send, SEND_EVERY).unref();
  }

  set(update: RemoteUpdate): void {
    const message = checkRemoteUpdate(update);
    if (this.closed) return;
    this.pendingSet = { ...this.pendingSet, ...message };
    this.timer ??= setTimeout(this.send, SEND_EVERY).unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush(true);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Sends the count and any `set()` if there is news; with `confirm`, asks the parent to answer once it
   * has them and keeps the process alive until it does (then a closed remote ends its connection).
   */
  flush(confirm: boolean): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.gone) return;
    const news = this.count !== this.sent || this.pendingSet !== undefined;
    if (!news && !(confirm && this.closed)) return;
    const message: WireMessage = { n: this.count, ...this.pendingSet };
    this.sent = this.count;
    this.pendingSet = undefined;
    if (confirm) {
      message.ack = true;
      this.awaiting++;
      this.socket.ref();
      if (this.giveUp !== undefined) clearTimeout(this.giveUp);
      this.giveUp = setTimeout(() => this.lose(), GIVE_UP);
    }
    this.write(message);
  }

  /** The process is exiting: a last write, taken synchronously by a connected local socket. */
  flushAtExit(): void {
    if (this.gone || (this.count === this.sent && this.pendingSet === undefined)) return;
    this.write({ n: this.count, ...this.pendingSet });
  }

  private write(message: WireMessage): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** The parent has what was sent with `ack` (it answers each such line with a newline). */
  private acknowledged(answers: number): void {
    this.awaiting -= answers;
    if (this.awaiting > 0) return;
    if (this.giveUp !== undefined) clearTimeout(this.giveUp);
    this.giveUp = undefined;
    if (this.closed) {
      this.socket.end();
      open.delete(this);
    }
    this.socket.unref();
  }

  private lose(): void {
    if (this.giveUp !== undefined) clearTimeout(this.giveUp);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.giveUp = this.timer = undefined;
    this.gone = true;
    open.delete(this);
    this.socket.destroy();
  }
}
