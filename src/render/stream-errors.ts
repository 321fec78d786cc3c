/**
 * Errors of the bars' writes, kept apart from the program's.
 *
 * A write of the bars' that fails (EPIPE when the reader went away, ENOSPC, a closed stream) must not end
 * the job: it turns the bars off and the job runs on. But the program may write to the same stream
 * (`stream: process.stdout`), and its own write errors must behave exactly as without the bars: an
 * 'error' with no listener of the program's ends the process (Node throws it as an uncaught exception:
 * that is how `node job.js | head -1` stops, and how `> /dev/full` fails), one with a listener goes to it.
 * Even the presence of a listener of ours would change that, and not only for the program: Node's own
 * `pipe()` and `console` decide whether to rethrow an error from how many 'error' listeners there are.
 *
 * So there is no listener while all is well. Each write of the bars' carries a callback; Node calls it
 * with the error before it emits the write's 'error' (Node guarantees that order, and emits the event from
 * the same tick queue). Only then is a listener added, and it goes one event-loop turn later, after the
 * event. While it is there:
 *
 * - the error of a write of the bars' is taken (the bars are already off);
 * - another error (the program's write failed in the same instant) with no listener of the program's
 *   (counted as the emit found them: ListenerWatch) is emitted again without ours, so that Node throws it
 *   as it would have.
 *
 * `process.stdout`/`stderr` are never really destroyed (Node revives them after an error), so each failing
 * write gets its own error and the program's next write fails as it would have. Another stream is
 * destroyed by its first error; if that was the bars', the program's later writes to it fail only through
 * their callbacks, as writes to a destroyed stream do.
 *
 * Only Node writables get the callback (an `on`, an `emit` and a `writableLength`): another object's
 * `write` may not take one; a `write` that throws is caught by the renderer.
 */
import type { OutputStream } from '../options/bar.js';
import { ListenerWatch, type Watchable } from './listeners.js';

interface ErrorEmitter extends Watchable {
  emit(event: string, ...args: unknown[]): boolean;
  writableLength: number;
}

function isErrorEmitter(stream: OutputStream): stream is OutputStream & ErrorEmitter {
  const s = stream as Partial<ErrorEmitter>;
  return (
    typeof s.on === 'function' &&
    typeof s.removeListener === 'function' &&
    typeof s.emit === 'function' &&
    typeof s.listeners === 'function' &&
    typeof s.writableLength === 'number'
  );
}

/** A write's callback. */
export type WriteDone = (error?: Error | null) => void;

class ErrorGuard {
  /** Errors that came to the callbacks of the bars' writes. */
  private readonly own = new WeakSet<object>();
  private listening = false;
  private removal: NodeJS.Immediate | undefined;
  private readonly watch: ListenerWatch;

  constructor(private readonly stream: OutputStream & ErrorEmitter) {
    this.watch = new ListenerWatch(stream, ['error'], this.onError);
  }

  /** The callback for the bars' writes: `onFailed` is told when one fails. */
  callback(onFailed: () => void): WriteDone {
    return (error) => {
      if (error === null || error === undefined) return;
      onFailed();
      this.own.add(error);
      this.listen();
    };
  }

  /** Until the next event-loop turn: the 'error' event of the write that just failed comes before it. */
  private listen(): void {
    if (!this.listening) {
      this.listening = true;
      this.watch.listen();
      this.stream.on('error', this.onError);
    }
    if (this.removal === undefined) {
      this.removal = setImmediate(this.unlisten);
      this.removal.unref();
    }
  }

  private readonly unlisten = (): void => {
    this.removal = undefined;
    this.listening = false;
    this.stream.removeListener('error', this.onError);
    this.watch.unlisten();
  };

  private readonly onError = (error: unknown): void => {
    if (typeof error === 'object' && error !== null && this.own.has(error)) return; // the bars': taken
    if (this.watch.others('error') > 0) return; // the program's listener has it
    // Nobody else listens: emitted again without us, Node throws it, as it would have without the bars.
    this.stream.removeListener('error', this.onError);
    try {
      this.stream.emit('error', error);
    } finally {
      if (this.listening) this.stream.on('error', this.onError);
    }
  };
}

const guards = new WeakMap<object, ErrorGuard>();

/**
 * The callback to give the bars' writes to `stream` (undefined if it is not a Node writable): on an error,
 * `onFailed` is called, and the error is kept from the program.
 */
export function writeCallback(stream: OutputStream, onFailed: () => void): WriteDone | undefined {
  if (!isErrorEmitter(stream)) return undefined;
  let guard = guards.get(stream);
  if (guard === undefined) {
    guard = new ErrorGuard(stream);
    guards.set(stream, guard);
  }
  return guard.callback(onFailed);
}
